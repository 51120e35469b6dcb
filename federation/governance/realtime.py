"""Real-time interface of governance for the `/ws/` consumer (owned by messaging).

Groups (Channels group names):
- `governance.federation.<federation_id>` — every participant of the federation may join: meeting
  status (convened / opened / closed), attendance changes with the live quorum, poll status changes.
- `governance.poll.<poll_id>` — live participation of one poll (and its tallies when it is an open,
  named poll, or once a secret poll is closed).

Every event is sent with `federation.events.send_event_on_commit` and has this shape:

    {
      "type": "governance.event",          # consumer handler: governance_event(self, event)
      "name": "poll.participation",        # see NAMES
      "federation": 3, "meeting": 12 | None, "poll": 41 | None,
      "data": {...}                        # see below
    }

`data` by name:
- meeting.convened / meeting.opened / meeting.closed / attendance.changed:
  {"status": "<meeting status>", "quorum": {"required", "members", "present_or_represented",
  "threshold", "met"}}
- poll.opened / poll.participation / poll.closed / poll.published:
  {"status": "<poll status>", "participation": P, "tallies": T (absent while a secret poll is open)}
  with P = {"cpts", "partners", "eligible_cpts", "eligible_partners"} (bureau polls: {"bureau",
  "eligible_bureau"}), or only {"total", "eligible"} while a secret poll is open; and
  T = {"cpts": {"yes": n, "no": n, "abstain": n}, "partners": {...}} (elections: candidate id or
  "blank" → n).

The consumer should forward `event` to the browser as JSON unchanged, and check `may_join` when a
socket asks for a group (and again on every incoming frame, per DESIGN.md).
"""

import re

from federation.access import is_federation_participant
from federation.governance.models import Poll
from federation.models import Federation, User
from federation.selectors import federation_ids_of_users, user_federation_ids

NAMES = (
    "meeting.convened",
    "meeting.opened",
    "meeting.closed",
    "attendance.changed",
    "poll.opened",
    "poll.participation",
    "poll.closed",
    "poll.published",
)

_GROUP = re.compile(r"^governance\.(federation|poll)\.(\d+)$")


def federation_group(federation_id: int) -> str:
    return f"governance.federation.{federation_id}"


def poll_group(poll_id: int) -> str:
    return f"governance.poll.{poll_id}"


def event(name: str, *, federation_id: int, meeting_id=None, poll_id=None, data=None) -> dict:
    """A governance event in the shape above (services send it with `send_event_on_commit`)."""
    return {
        "type": "governance.event",  # consumer handler: governance_event
        "name": name,
        "federation": federation_id,
        "meeting": meeting_id,
        "poll": poll_id,
        "data": data or {},
    }


def groups_for(user: User) -> list[str]:
    """The federation groups a signed-in user's socket may join at connect."""
    return [federation_group(pk) for pk in user_federation_ids(user)]


def groups_for_users(user_ids: list[int]) -> dict[int, list[str]]:
    """`groups_for` of several signed-in users (a batch of handshakes), in one statement."""
    return {
        user_id: [federation_group(pk) for pk in ids]
        for user_id, ids in federation_ids_of_users(user_ids).items()
    }


def may_join(user: User, group: str) -> bool:
    """Whether `user` may receive the events of `group` (a participant of the federation it belongs
    to, or staff). Unknown groups: False."""
    match = _GROUP.match(group)
    if match is None or not user.is_authenticated:
        return False
    kind, pk = match.group(1), int(match.group(2))
    if kind == "federation":
        federation = Federation.objects.filter(pk=pk).first()
    else:
        poll = Poll.objects.filter(pk=pk).select_related("federation").first()
        federation = poll.federation if poll else None
    if federation is None:
        return False
    return user.is_staff or is_federation_participant(user, federation)
