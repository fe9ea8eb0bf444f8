"""The Redis cache's connections are shared by every request of a worker (core/redis_pool.py)."""

import threading

from core.redis_pool import RedisCache

OPTIONS = {"max_connections": 1000}


def _new_backend(url: str) -> RedisCache:
    """What a request gets: under ASGI each request's context builds its own cache backend."""
    return RedisCache(url, {"OPTIONS": OPTIONS})


def _pool(backend):
    return backend._cache._get_connection_pool(write=True)


def test_backends_of_different_requests_share_one_pool_and_one_client():
    backends = [_new_backend("redis://127.0.0.1:6379/3")]
    thread = threading.Thread(target=lambda: backends.append(_new_backend("redis://127.0.0.1:6379/3")))
    thread.start()
    thread.join()
    first, second = backends
    assert _pool(first) is _pool(second)
    assert first._cache.get_client(write=True) is second._cache.get_client()
    assert _pool(first).max_connections == 1000


def test_each_server_has_its_own_pool():
    assert _pool(_new_backend("redis://127.0.0.1:6379/3")) is not _pool(_new_backend("redis://127.0.0.1:6379/4"))
