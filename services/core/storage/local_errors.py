"""What the local filesystem refuses, in the API's terms.

Each of these follows from a path or a race a client can bring about, so it is a 4xx (or a
503 for a full disk, which is capacity, not the client's mistake), never a 500. Anything else
(EIO, EACCES) is the server's own trouble and stays a logged 500.
"""

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from services.core.errors import InvalidParameterValue
from services.core.storage.base import ArtifactNotFound, StoreUnavailable

# A file where a folder is needed or the reverse (a race the pre-checks cannot close), or a
# folder that gained a file while being deleted.
_CONFLICT = {errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY}
_FULL = {errno.ENOSPC, errno.EDQUOT}


def translate(error: OSError, path: str) -> Exception:
    if error.errno == errno.ENOENT:
        return ArtifactNotFound(path)
    if error.errno in _CONFLICT:
        return InvalidParameterValue(
            f"Invalid path: '{path}' conflicts with a file or folder of the same name."
        )
    if error.errno == errno.ENAMETOOLONG:
        return InvalidParameterValue(f"Invalid path: '{path}' is too long for this store.")
    if error.errno == errno.ELOOP:
        return InvalidParameterValue(f"Invalid path: '{path}' passes through a symlink loop.")
    if error.errno in _FULL:
        return StoreUnavailable("the artifact store's disk is full")
    return error


@contextmanager
def os_errors_as_api_errors(path: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        translated = translate(error, path)
        if translated is error:
            raise
        raise translated from error
