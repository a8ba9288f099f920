"""Every table of the one database, in one MetaData, so alembic sees a single history.

Each module holds the tables its owning service writes (see docs/architecture.md, Data
ownership); other services may read them through these definitions.
"""

from services.core.db.tables import (  # noqa: F401  (registers the tables)
    auth,
    imports,
    jobs,
    registry,
    tracking,
)
from services.core.db.tables.base import metadata

__all__ = ["metadata"]
