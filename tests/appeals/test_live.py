"""Handlers' lists hear of a new request in their grid over the Channels layer; others hear nothing."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from django.test import Client

from accounts.factories import UserFactory
from appeals import handling
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _socket(cookie: str) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, "/ws/appeals/", headers=headers)


@pytest.fixture
def cookies(worker_1, worker_2):
    return _cookie(worker_1), _cookie(worker_2)


async def test_the_grid_worker_hears_of_a_new_request_and_another_grid_does_not(neighbour, lamp, grids, cookies):
    mine, theirs = _socket(cookies[0]), _socket(cookies[1])
    assert (await mine.connect())[0] and (await theirs.connect())[0]
    appeal = await database_sync_to_async(handling.report)(
        neighbour, category=lamp, grid=grids[0], description="路灯不亮"
    )
    assert await mine.receive_json_from(timeout=3) == {"type": "appeal", "id": appeal.pk}
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


@pytest.fixture
def nobody_cookie(db):
    return _cookie(UserFactory())


async def test_someone_who_handles_nothing_is_refused(nobody_cookie):
    connected, code = await _socket(nobody_cookie).connect()
    assert not connected and code == 4403


@pytest.fixture
def community_admin_cookie(tree):
    from organizations import roles

    admin = UserFactory(display_name="社区书记")
    roles.grant(admin, tree["community"], roles.Role.ADMIN)
    return _cookie(admin)


async def test_a_complaint_about_the_grid_worker_pings_the_community_never_the_worker(
    neighbour, lamp, grids, cookies, community_admin_cookie
):
    worker, community = _socket(cookies[0]), _socket(community_admin_cookie)
    assert (await worker.connect())[0] and (await community.connect())[0]
    appeal = await database_sync_to_async(handling.report)(
        neighbour, category=lamp, grid=grids[0], description="网格员两周没来修灯", complaint="grid"
    )
    assert await community.receive_json_from(timeout=3) == {"type": "appeal", "id": appeal.pk}
    assert await worker.receive_nothing(timeout=0.5)
    await worker.disconnect()
    await community.disconnect()
