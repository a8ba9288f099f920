"""The local store's refusal of a file on the way to a path, and its absence when the folder
on the way is being created by a concurrent upload (what `grimoire import --jobs` does)."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.core.errors import InvalidParameterValue
from services.core.storage.local import LocalStore


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_a_file_on_the_way_is_refused(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    await store.put("1/model", _bytes(b"x"))
    with pytest.raises(InvalidParameterValue, match="which is a file"):
        await store.put("1/model/MLmodel", _bytes(b"y"))


async def test_uploads_creating_one_new_folder_together_all_land(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    for attempt in range(20):
        names = [f"{attempt}/models/m/artifacts/f{n}" for n in range(16)]
        await asyncio.gather(*(store.put(name, _bytes(name.encode())) for name in names))
        for name in names:
            assert (tmp_path / "root" / name).read_bytes() == name.encode()
