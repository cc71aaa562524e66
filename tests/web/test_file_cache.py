"""The shared file cache stays bounded although it checks its size only every CULL_EVERY writes."""

from __future__ import annotations

from pathlib import Path

from salesflow.web.filecache import CULL_EVERY, SharedFileCache


def test_size_bounded_with_fewer_directory_listings(tmp_path: Path, monkeypatch) -> None:
    cache = SharedFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 200, "CULL_FREQUENCY": 2}})
    listings = []
    real = SharedFileCache._list_cache_files
    monkeypatch.setattr(SharedFileCache, "_list_cache_files", lambda self: listings.append(1) or real(self))
    for number in range(1000):
        cache.set(f"key-{number}", "value")
    assert len(list(tmp_path.glob("*.djcache"))) <= 200 + CULL_EVERY
    assert len(listings) == 1000 // CULL_EVERY                  # not one listing per write
    assert cache.get("key-999") == "value"
