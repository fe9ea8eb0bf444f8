"""Live list of a handler's requests: parse, authorise, forward. Database work runs in sync helpers."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from appeals.live import grid_group, unit_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def _groups_for(user) -> list[str]:
    """The grids the user works as grid worker, and the organisations they hold a role on."""
    from appeals.models import GridDuty
    from organizations import roles
    from organizations.models import Organization

    if not user.is_active:
        return []
    if user.is_superuser:
        tops = Organization.objects.filter(depth=1).values_list("pk", flat=True)
        return [unit_group(pk) for pk in tops]
    duties = GridDuty.objects.filter(worker=user)
    grids = duties.values_list("grid_id", flat=True)
    units = set(roles.organizations_with_role(user, *roles.Role).values_list("pk", flat=True))
    units |= set(duties.exclude(branch=None).values_list("branch_id", flat=True))
    return [*(grid_group(pk) for pk in grids), *(unit_group(pk) for pk in sorted(units))]


class HandlerConsumer(AsyncJsonWebsocketConsumer):
    """Pushes {"type": "appeal", "id": …} when a request arrives at one of the user's grids or units."""

    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        groups = await database_sync_to_async(_groups_for)(user)
        if not groups:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()

    async def disconnect(self, code) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def appeal_event(self, message) -> None:
        if self.groups_joined:
            await self.send_json(message["event"])

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None
