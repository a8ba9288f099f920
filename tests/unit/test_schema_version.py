"""Serving processes read the schema head without alembic: it must be alembic's own."""

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from services.core.db import schema_version
from services.core.db.migrate import alembic_config


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    alembic_head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert schema_version.head_revision() == alembic_head


def test_two_heads_are_refused_rather_than_guessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (tmp_path / "0002_b.py").write_text('revision: str = "0002"\ndown_revision = "0001"\n')
    (tmp_path / "0003_c.py").write_text('revision = "0003"\ndown_revision = "0001"\n')
    monkeypatch.setattr(schema_version, "VERSIONS_DIR", tmp_path)
    schema_version.head_revision.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"heads \['0002', '0003'\]"):
            schema_version.head_revision()
        (tmp_path / "0004_merge.py").write_text(
            'revision = "0004"\ndown_revision = ("0002", "0003")\n'
        )
        schema_version.head_revision.cache_clear()
        assert schema_version.head_revision() == "0004"
    finally:
        schema_version.head_revision.cache_clear()
