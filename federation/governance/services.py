"""Writes of governance, gathered: each lives in its sub-domain's `services.py` (statutes, membership,
bureau, meetings, polls). Keyword-only, atomic, validated, audited in the federation's hash-chained log
in the same transaction, published on commit; refusals are `federation.errors.ServiceError`s with a
stable code. Import from here or from the sub-domain, whichever reads better."""

from federation.governance.bureau.services import (
    bureau_seat_elected,
    bureau_set,
    partner_admission_answer,
    partner_admission_propose,
)
from federation.governance.meetings.services import (
    attendance_sign,
    convocation_claim_next,
    convocation_send,
    meeting_close,
    meeting_convene,
    meeting_create,
    meeting_document_upload,
    meeting_open,
    proxy_give,
    proxy_withdraw,
)
from federation.governance.membership.services import (
    active_member,
    delegate_designate,
    delegate_revoke,
    fee_mark,
    fee_set,
)
from federation.governance.polls.results import compute_result
from federation.governance.polls.selectors import poll_live_data
from federation.governance.polls.services import (
    ballot_cast,
    election_second_round,
    poll_close,
    poll_create,
    poll_open,
    poll_publish,
    statutes_change_propose,
)
from federation.governance.statutes.services import describe_statutes_changes, statutes_initialize

__all__ = [
    "active_member",
    "attendance_sign",
    "ballot_cast",
    "bureau_seat_elected",
    "bureau_set",
    "compute_result",
    "convocation_claim_next",
    "convocation_send",
    "delegate_designate",
    "delegate_revoke",
    "describe_statutes_changes",
    "election_second_round",
    "fee_mark",
    "fee_set",
    "meeting_close",
    "meeting_convene",
    "meeting_create",
    "meeting_document_upload",
    "partner_admission_answer",
    "partner_admission_propose",
    "meeting_open",
    "poll_close",
    "poll_create",
    "poll_live_data",
    "poll_open",
    "poll_publish",
    "proxy_give",
    "proxy_withdraw",
    "statutes_change_propose",
    "statutes_initialize",
]
