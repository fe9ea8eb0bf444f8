"""Django's Redis cache with one connection pool and one client per process, shared by every request.

Django keeps a cache backend per thread and per async context (`caches` is an asgiref Local), and its
RedisCacheClient makes a connection pool per backend: under ASGI every request has a context of its own,
so every request opened fresh TCP connections to Redis, each with redis-py's handshake (HELLO, CLIENT
SETINFO), and dropped them at its end. Profiled under P3 (issue 19), connecting took 14 % of a worker's
time. The Django ticket is open (django/django#18459). Django also builds a `redis.Redis` client for each
cache call, copying its table of some 170 reply parsers each time (six times on a signed-in page).

redis-py's pools and clients are thread-safe (a command takes a connection from the pool and gives it
back), and pools notice a fork and start afresh in the child: sharing them within a worker is safe.
"""

from __future__ import annotations

import threading

import redis

from django.core.cache.backends import redis as django_redis

_pools: dict[tuple, redis.ConnectionPool] = {}
_clients: dict[int, redis.Redis] = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    """`from_url` hands out the process's one pool for each server and set of options."""

    @classmethod
    def from_url(cls, url: str, **options) -> redis.ConnectionPool:
        key = (url, tuple(sorted((name, repr(value)) for name, value in options.items())))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **options)
        return pool


class _SharedClient(django_redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False) -> redis.Redis:
        pool = self._get_connection_pool(write)
        client = _clients.get(id(pool))
        if client is None:
            with _lock:
                client = _clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache (same options) on the process's shared pools and clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClient
        self._options.setdefault("pool_class", SharedConnectionPool)
