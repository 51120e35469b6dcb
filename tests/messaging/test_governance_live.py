"""The /ws/ socket carries governance's live events: federation groups joined at connect, a poll group
on request (checked), events forwarded unchanged, and nothing for a user outside the federation."""

import pytest
from channels.layers import get_channel_layer

from federation.governance.realtime import federation_group
from tests.messaging.test_websocket import connect, next_of

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_governance_events_reach_participants_only(world):
    inside = await connect(world.member_b)
    outside = await connect(world.member_c)  # member of a CPTS of another federation
    event = {
        "type": "governance.event",
        "name": "attendance.changed",
        "federation": world.fed.pk,
        "meeting": 1,
        "poll": None,
        "data": {"status": "in_session", "quorum": {"met": True}},
    }
    await get_channel_layer().group_send(federation_group(world.fed.pk), event)
    received = await next_of(inside, "governance.event")
    assert received["name"] == "attendance.changed" and received["data"]["quorum"]["met"] is True
    assert await outside.receive_nothing(timeout=0.3)
    await inside.disconnect()
    await outside.disconnect()


async def test_subscribing_to_another_federations_events_is_refused(world):
    socket = await connect(world.member_a)
    await socket.send_json_to({"type": "governance.subscribe", "group": federation_group(world.other_fed.pk)})
    error = await next_of(socket, "error")
    assert error["code"] == "forbidden"
    await socket.send_json_to({"type": "governance.subscribe", "group": "governance.poll.999999"})
    assert (await next_of(socket, "error"))["code"] == "forbidden"
    await socket.send_json_to({"type": "governance.subscribe", "group": "nimporte.quoi"})
    assert (await next_of(socket, "error"))["code"] == "forbidden"
    await socket.disconnect()
