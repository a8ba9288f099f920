"""The embedded PostgreSQL of the zero-configuration default (pip `pgserver`).

A real PostgreSQL 16 under <data dir>/postgres, reached over a unix socket only, started by
`grimoire server` when no database URL is configured and stopped when it exits.
"""

from pathlib import Path


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server; return a postgresql:// URL for it."""
    import pgserver  # imported lazily: only the embedded default needs it

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri()
