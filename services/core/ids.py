import uuid


def new_hex_id() -> str:
    """32 lowercase hex characters: MLflow's run id format."""
    return uuid.uuid4().hex
