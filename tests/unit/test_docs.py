"""The docs keep up with the code: every setting is documented."""

import re

import pytest

from services.core.config import (
    ArtifactSettings,
    AuthSettings,
    DatabaseSettings,
    GrimoireSettings,
    RegistrySettings,
    ServerSettings,
)
from services.jobs.queues import JobsSettings
from tests.fixtures.servers import REPO

DOC = (REPO / "docs" / "configuration.md").read_text()


@pytest.mark.parametrize(
    "cls",
    [
        GrimoireSettings,
        DatabaseSettings,
        ArtifactSettings,
        ServerSettings,
        RegistrySettings,
        AuthSettings,
        JobsSettings,
    ],
)
def test_every_setting_is_documented_and_described(cls: type) -> None:
    prefix = cls.model_config["env_prefix"]
    for name, field in cls.model_fields.items():
        assert f"`{prefix}{name.upper()}`" in DOC, name
        assert field.description, name


DOCUMENTED_DEFAULTS = dict(re.findall(r"^\| `(GRIMOIRE_\w+)` \| ([^|]+) \|", DOC, re.MULTILINE))


@pytest.mark.parametrize(
    "cls",
    [
        DatabaseSettings,
        ArtifactSettings,
        ServerSettings,
        RegistrySettings,
        AuthSettings,
        JobsSettings,
    ],
)
def test_documented_defaults_are_the_real_ones(cls: type) -> None:
    prefix = cls.model_config["env_prefix"]
    for name, field in cls.model_fields.items():
        expected = "unset" if field.default in (None, "") else f"`{field.default}`"
        assert DOCUMENTED_DEFAULTS[f"{prefix}{name.upper()}"].strip() == expected, name
