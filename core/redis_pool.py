"""One Redis connection pool per process for Django's Redis cache, shared by every request.

Django keeps a cache backend per thread and per async context (`caches` is an asgiref Local), and its
RedisCacheClient makes a connection pool per backend: under ASGI every request has a context of its own,
so every request opened fresh TCP connections to Redis, each with redis-py's handshake (HELLO, CLIENT
SETINFO), and dropped them at its end. Profiled under P3 (issue 19), connecting took 14 % of a worker's
time. The Django ticket is open (django/django#18459); the cache's `pool_class` option is the supported
way in, so this pool class hands out the process's one pool for each server and set of options.

redis-py pools are thread-safe and notice a fork (they reset in the child), so sharing is safe for the
threads of one worker and for workers forked from one parent.
"""

from __future__ import annotations

import threading

import redis

_pools: dict[tuple, redis.ConnectionPool] = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **options) -> redis.ConnectionPool:
        key = (url, tuple(sorted((name, repr(value)) for name, value in options.items())))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **options)
        return pool
