"""Writing the files users ask for: whole or not at all.

Every file is written to a temporary name in its target folder and renamed into place, so a
failure (a full disk, a file-size limit, Ctrl-C) never leaves a partial file where a good one
stood.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .source import GraphError


def check_target(path) -> Path:
    """A writable file path: its folder exists and it is not itself a folder."""
    p = Path(path)
    if p.is_dir():
        raise GraphError(f"cannot write '{path}': it is a folder")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise GraphError(f"cannot write '{path}': the folder '{parent}' does not exist")
    if not os.access(parent, os.W_OK):
        raise GraphError(f"cannot write '{path}': the folder '{parent}' is not writable")
    return p


def write_atomic(path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) to a temporary file beside `path`, then rename it into place."""
    write_atomic_chunks(path, [data])


def write_atomic_chunks(path, chunks) -> None:
    """Write pieces of `bytes` or text (as UTF-8), as they are made, to a temporary file beside
    `path`, then rename it into place: a long output never sits in memory whole, and a failure
    (an OSError becomes a GraphError naming `path`) leaves the old file as it was."""
    p = check_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; an output is an ordinary file
        os.replace(tmp, p)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise GraphError(f"cannot write '{path}': {e.strerror or e}") from None
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
