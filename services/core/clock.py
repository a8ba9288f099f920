import time
import uuid


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def new_hex_id() -> str:
    """32 lowercase hex characters: MLflow's run id format."""
    return uuid.uuid4().hex
