"""The Redis cache's connections are shared by every request of a worker (core/redis_pool.py)."""

import threading

from django.core.cache.backends.redis import RedisCache

OPTIONS = {"pool_class": "core.redis_pool.SharedConnectionPool", "max_connections": 1000}


def _pool_of_a_new_backend(url: str):
    """What a request gets: under ASGI each request's context builds its own cache backend."""
    return RedisCache(url, {"OPTIONS": OPTIONS})._cache._get_connection_pool(write=True)


def test_backends_of_different_requests_share_one_connection_pool():
    pools = [_pool_of_a_new_backend("redis://127.0.0.1:6379/3")]
    thread = threading.Thread(target=lambda: pools.append(_pool_of_a_new_backend("redis://127.0.0.1:6379/3")))
    thread.start()
    thread.join()
    assert pools[0] is pools[1]
    assert pools[0].max_connections == 1000


def test_each_server_has_its_own_pool():
    assert _pool_of_a_new_backend("redis://127.0.0.1:6379/3") is not _pool_of_a_new_backend("redis://127.0.0.1:6379/4")
