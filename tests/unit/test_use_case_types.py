"""A use case keeps its function's signature for the type checker: a wrong argument at either
call (`fn(db, ...)` from a router, `fn.on(conn, ...)` inside another use case) is a mypy
error, and the right ones are not. mypy shares the repository's cache (and options) with
`make typecheck`, so this takes a second or two after it; cold, it checks the kit's imports
first (tens of seconds)."""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
from services.core.db.engine import Connection, Database
from services.core.db.use_cases import transaction


@transaction
async def rename(conn: Connection, name: str, *, force: bool = False) -> int:
    return len(name)


async def callers(db: Database, conn: Connection) -> None:
    renamed: int = await rename(db, "x", force=True)
    renamed = await rename.on(conn, "x")
    await rename(db, 3)  # line 14
    await rename.on(conn, "x", forse=True)  # line 15
    await rename(conn, "x")  # line 16
    wrong: str = await rename(db, "x")  # line 17
"""


def test_mypy_rejects_wrong_arguments_to_a_use_case(tmp_path: Path) -> None:
    snippet = tmp_path / "callers.py"
    snippet.write_text(SNIPPET)
    out, err, _status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-error-summary",
            str(snippet),
        ]
    )
    errors = sorted(
        (int(line.split(":")[1]), line.rsplit("[", 1)[-1].rstrip("]"))
        for line in out.splitlines()
        if ": error:" in line
    )
    assert errors == [(14, "arg-type"), (15, "call-arg"), (16, "arg-type"), (17, "assignment")], (
        out + err
    )
