"""The version keys that forget kept pages (core/cache.py `bump`): every key moves on, a missing one starts
from the clock (never from a number an old copy may carry), and on Redis many keys take one round trip."""

import os
import time

import pytest

from django.core.cache import caches

from core import cache as page_cache

STORES = {
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "versions"},
    "redis": {"BACKEND": "core.redis_pool.RedisCache", "LOCATION": os.environ.get("REDIS_URL", "")},
}


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request, settings, monkeypatch):
    settings.CACHES = {**settings.CACHES, "pages": STORES[request.param]}
    backend = caches["pages"]
    monkeypatch.setattr(page_cache, "cache", backend)  # the module's own handle, read once per process
    backend.clear()
    yield backend
    backend.clear()


def _now() -> int:
    return time.time_ns() // 1000


@pytest.mark.parametrize("count", [1, 3])
def test_every_key_moves_on_and_a_missing_one_starts_from_the_clock(store, count):
    keys = [f"version:{n}" for n in range(count)]
    store.set_many(dict.fromkeys(keys, 41), timeout=None)
    started = _now()
    page_cache.bump(*keys, "version:missing")
    assert store.get_many(keys) == dict.fromkeys(keys, 42)
    assert started <= store.get("version:missing") <= _now()
    page_cache.bump("version:missing")
    assert store.get("version:missing") > started


@pytest.mark.redis
def test_on_redis_thousands_of_keys_take_one_call_per_thousand(settings, monkeypatch):
    settings.CACHES = {**settings.CACHES, "pages": STORES["redis"]}
    backend = caches["pages"]
    monkeypatch.setattr(page_cache, "cache", backend)
    client = backend._cache.get_client(write=True)
    keys = [f"viewer:{n}" for n in range(2500)]
    backend.set_many(dict.fromkeys(keys[:1000], 7), timeout=None)

    def scripts() -> int:
        stats = client.info("commandstats")
        return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("eval", "evalsha"))

    before = scripts()
    page_cache.bump(*keys)
    # One script call per thousand keys (the first may be refused once as unknown and sent whole).
    assert 3 <= scripts() - before <= 4
    assert set(backend.get_many(keys[:1000]).values()) == {8}
    assert min(backend.get_many(keys[1000:]).values()) > 10**15  # from the clock, in microseconds
    backend.clear()


@pytest.mark.django_db
def test_forgetting_viewers_bumps_each_now_and_again_after_commit(store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.forget_viewer(1, None, 2)
        first = store.get_many([page_cache.viewer_version_key(1), page_cache.viewer_version_key(2)])
        assert len(first) == 2
    after = store.get_many([page_cache.viewer_version_key(1), page_cache.viewer_version_key(2)])
    assert {key: value - 1 for key, value in after.items()} == first
