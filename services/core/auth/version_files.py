"""Which registered models' versions store their files under an artifact path.

Reading a version's files is authorized through its registered model, so this answers the
guard's question "whose version files are these?" for a path of the artifact store.
"""

from sqlalchemy import func, literal, or_, select

from services.core.db.engine import Connection
from services.core.db.tables.registry import model_versions


async def registered_models_of_version_files(conn: Connection, path: str) -> list[int]:
    uri = f"mlflow-artifacts:/{path.strip('/')}"
    location = func.rtrim(model_versions.c.storage_location, "/")
    escaped = func.replace(
        func.replace(func.replace(location, "\\", "\\\\"), "%", "\\%"), "_", "\\_"
    )
    statement = (
        select(model_versions.c.model_id)
        .distinct()
        .where(or_(literal(uri) == location, literal(uri).like(escaped + "/%")))
    )
    return list((await conn.execute(statement)).scalars().all())
