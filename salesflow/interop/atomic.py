"""Files written whole or not at all: an export goes to a temporary name beside the target, then is renamed.

A failure at any point (a bad value, a full disk, Ctrl-C) removes the temporary file and leaves
the target as it was: no half-written export is ever left under the name the user asked for.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it becomes ``path`` (``os.replace``)."""
    target = Path(path)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # the permissions a plain open() would have given
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
