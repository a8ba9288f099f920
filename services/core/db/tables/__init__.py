"""Every table of the one database, in one MetaData, so alembic sees a single history.

Each module holds the tables its owning service writes (see docs/architecture.md, Data
ownership); other services may read them through these definitions.
"""

from services.core.db.tables import auth, jobs, registry, tracking  # noqa: F401  (registers)
from services.core.db.tables.base import metadata

__all__ = ["metadata"]
