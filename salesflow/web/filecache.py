"""Django's file-based cache, checking its size every `CULL_EVERY` writes instead of on every write.

Django's `FileBasedCache` lists its whole directory on each ``set`` to see whether it must cull; at 2 000
entries that costs ~3 ms per write (the dashboard writes two entries per panel). Checking every 50th write
keeps the size bounded (at most 50 writes per process over ``MAX_ENTRIES``) for a fraction of the cost.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.filebased import FileBasedCache

#: How many writes (per process) between two checks of the cache's size.
CULL_EVERY = 50


class SharedFileCache(FileBasedCache):
    """`FileBasedCache` that culls at most every `CULL_EVERY` writes."""

    def __init__(self, dir: str, params: dict) -> None:  # noqa: A002 - Django's signature
        super().__init__(dir, params)
        self._writes = 0
        self._writes_lock = threading.Lock()

    def _cull(self) -> None:
        with self._writes_lock:
            self._writes += 1
            due = self._writes % CULL_EVERY == 1     # the first write of a process checks too
        if due:
            super()._cull()
