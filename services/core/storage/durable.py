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
    try:
        os.replace(temporary, target)
    except FileNotFoundError:
        # A concurrent delete removed the target's folder after the upload made it: the
        # later request (this upload) wins, as it would one moment later.
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
