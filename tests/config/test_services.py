"""The production path, for real: Redis as channel layer and cache, the database's own constraints."""

import os
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer

from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction

from organizations.factories import RosterEntryFactory
from tests.conftest import require_service

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    try:
        reachable = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        reachable = False
    require_service(reachable, f"Redis at {REDIS_URL}")
    return REDIS_URL


def test_redis_channel_layer_delivers_between_two_layer_instances(redis_url):
    # Two instances stand for two server processes sharing one Redis.
    sender = RedisChannelLayer(hosts=[redis_url])
    receiver = RedisChannelLayer(hosts=[redis_url])
    group = f"test-{uuid.uuid4().hex}"

    async def exchange():
        channel = await receiver.new_channel()
        await receiver.group_add(group, channel)
        await sender.group_send(group, {"type": "post.created", "id": 7})
        message = await receiver.receive(channel)
        await receiver.group_discard(group, channel)
        await sender.close_pools()
        await receiver.close_pools()
        return message

    assert async_to_sync(exchange)() == {"type": "post.created", "id": 7}


def test_redis_cache_stores_and_expires(redis_url):
    cache = RedisCache(redis_url, {})
    key = f"test-{uuid.uuid4().hex}"
    cache.set(key, {"满意率": 0.92}, timeout=30)
    assert cache.get(key) == {"满意率": 0.92}
    cache.delete(key)
    assert cache.get(key) is None


def test_roster_member_number_is_unique_per_branch_in_the_database(branch_a):
    RosterEntryFactory(branch=branch_a, member_no="001")
    with pytest.raises(IntegrityError), transaction.atomic():
        RosterEntryFactory(branch=branch_a, member_no="001")
