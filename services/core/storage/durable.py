"""Publishing a file on the local store: durable first, then visible."""

import os
from pathlib import Path
from typing import BinaryIO


def publish(handle: BinaryIO, temporary: Path, target: Path) -> None:
    """fsync the bytes, rename into place, fsync the folder: an acknowledged upload survives
    a crash, and a reader never sees a partial file."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
