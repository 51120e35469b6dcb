"""Writes of swap and replacement requests on SNP rosters: ask, accept, approve, refuse, cancel.

The people are moved with both persons locked and every rule of a sign-up checked again
(`rosters/services.py`); e-mails go once the transaction commits, claimed so none is sent twice.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import User
from shared_actions.common import local_datetime
from shared_actions.rosters.models import ShiftAssignment, SwapRequest
from shared_actions.rosters.selectors import OPEN_STATUSES
from shared_actions.rosters.services import (
    check_no_overlap,
    check_profession,
    check_roster_manager,
    lock_users,
    roster_cpts_for,
)


@transaction.atomic
def swap_request_create(
    *,
    actor: User,
    assignment: ShiftAssignment,
    kind: str,
    target: User | None = None,
    counterpart: ShiftAssignment | None = None,
    message: str = "",
) -> SwapRequest:
    """Ask for a replacement (someone takes my shift) or a swap (we exchange two shifts)."""
    if assignment.user_id != actor.pk:
        raise PermissionDenied
    roster = assignment.shift.roster
    if kind == SwapRequest.Kind.SWAP:
        if counterpart is None or counterpart.shift.roster_id != roster.pk:
            raise ServiceError(
                _("Un échange se fait avec un créneau du même planning."), code="bad_counterpart"
            )
        if counterpart.user_id == actor.pk:
            raise ServiceError(_("Vous ne pouvez pas échanger avec vous-même."), code="bad_counterpart")
        target = counterpart.user
    elif kind == SwapRequest.Kind.REPLACEMENT:
        counterpart = None
        if target is not None:
            if target.pk == actor.pk:
                raise ServiceError(_("Choisissez une autre personne."), code="bad_target")
            roster_cpts_for(target, roster)
    else:
        raise ServiceError(_("Type de demande inconnu."), code="bad_kind")
    if assignment.swap_requests.filter(status__in=OPEN_STATUSES).exists():
        raise ServiceError(_("Une demande est déjà en cours pour ce créneau."), code="request_open")
    swap = SwapRequest(
        kind=kind,
        assignment=assignment,
        requester=actor,
        target=target,
        counterpart=counterpart,
        message=message,
    )
    swap.full_clean()
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


def _notify_swap_on_commit(swap: SwapRequest) -> None:
    from shared_actions import tasks  # tasks import the services: resolved at call time

    swap_id = swap.pk
    transaction.on_commit(lambda: tasks.notify_swap_request.delay(swap_id))


def swap_request_notify(*, swap_id: int) -> int:
    """E-mail the person concerned by the request's current status: the person asked (new request),
    the requester (accepted, done, refused). Idempotent through `notified_status`."""
    swap = (
        SwapRequest.objects.select_related(
            "assignment__shift__site", "assignment__shift__roster", "requester", "target"
        )
        .filter(pk=swap_id)
        .first()
    )
    if swap is None or swap.status == SwapRequest.Status.CANCELLED:
        return 0
    recipient = swap.target if swap.status == SwapRequest.Status.PENDING else swap.requester
    if recipient is None:  # an open call: it shows on the roster page
        return 0
    claimed = (
        SwapRequest.objects.filter(pk=swap.pk, status=swap.status)
        .exclude(notified_status=swap.status)
        .update(notified_status=swap.status)
    )
    if not claimed:
        return 0
    shift = swap.assignment.shift
    if swap.status == SwapRequest.Status.PENDING:
        subject = (
            _("%(person)s vous propose un échange de garde")
            if swap.kind == SwapRequest.Kind.SWAP
            else _("%(person)s vous demande un remplacement")
        ) % {"person": swap.requester}
    else:
        subject = {
            SwapRequest.Status.ACCEPTED: _("Votre demande est acceptée, en attente de validation"),
            SwapRequest.Status.DONE: _("Votre demande d'échange ou de remplacement est effectuée"),
            SwapRequest.Status.REFUSED: _("Votre demande d'échange ou de remplacement est refusée"),
        }[swap.status]
    body = _(
        "Bonjour,\n\nGarde du %(start)s (%(site)s, planning « %(roster)s »).\n%(message)s\n\n"
        "Répondre ou suivre la demande : %(url)s\n"
    ) % {
        "start": local_datetime(shift.start),
        "site": shift.site,
        "roster": shift.roster,
        "message": swap.message,
        "url": f"{settings.SITE_URL}/actions/plannings/{shift.roster_id}/",
    }
    EmailMessage(subject=subject, body=body, to=[recipient.email]).send()
    return 1


def _apply_swap(swap: SwapRequest) -> None:
    """Move the people, checking overlaps again with both persons locked."""
    assignment = ShiftAssignment.objects.select_related("shift__roster").get(pk=swap.assignment_id)
    roster = assignment.shift.roster
    if swap.kind == SwapRequest.Kind.REPLACEMENT:
        replacer = swap.accepted_by
        lock_users(replacer, assignment.user)
        if assignment.shift.assignments.filter(user=replacer).exists():
            raise ServiceError(_("Cette personne est déjà sur ce créneau."), code="already_assigned")
        check_profession(user=replacer, shift=assignment.shift, declared=assignment.profession)
        check_no_overlap(user=replacer, shift=assignment.shift, actor=replacer)
        assignment.user = replacer
        assignment.cpts = roster_cpts_for(replacer, roster)
        assignment.reminder_sent_at = None
        assignment.full_clean()
        assignment.save()
        return
    other = ShiftAssignment.objects.select_related("shift").get(pk=swap.counterpart_id)
    first, second = assignment.user, other.user
    lock_users(first, second)
    if (
        other.shift.assignments.filter(user=first).exists()
        or assignment.shift.assignments.filter(user=second).exists()
    ):
        raise ServiceError(
            _("L'une des deux personnes est déjà sur l'autre créneau."), code="already_assigned"
        )
    check_profession(user=first, shift=other.shift, declared=assignment.profession)
    check_profession(user=second, shift=assignment.shift, declared=other.profession)
    check_no_overlap(user=first, shift=other.shift, actor=first, ignore=[assignment.pk])
    check_no_overlap(user=second, shift=assignment.shift, actor=second, ignore=[other.pk])
    first_cpts, second_cpts = assignment.cpts, other.cpts
    assignment.user, assignment.cpts, assignment.reminder_sent_at = second, second_cpts, None
    other.user, other.cpts, other.reminder_sent_at = first, first_cpts, None
    for row in (assignment, other):
        row.full_clean()
        row.save()


@transaction.atomic
def swap_request_accept(*, actor: User, swap: SwapRequest) -> SwapRequest:
    """The person asked (or anyone of the roster for an open replacement call) accepts. It is done at
    once unless the roster requires a coordinator's approval."""
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__roster").get(pk=swap.pk)
    if swap.status != SwapRequest.Status.PENDING:
        raise ServiceError(_("Cette demande n'est plus en attente."), code="not_pending")
    if actor.pk == swap.requester_id:
        raise PermissionDenied
    roster = swap.assignment.shift.roster
    if swap.target_id is not None and swap.target_id != actor.pk:
        raise PermissionDenied
    roster_cpts_for(actor, roster)
    swap.accepted_by = actor
    if roster.swap_requires_approval:
        swap.status = SwapRequest.Status.ACCEPTED
    else:
        _apply_swap(swap)
        swap.status = SwapRequest.Status.DONE
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


@transaction.atomic
def swap_request_approve(*, actor: User, swap: SwapRequest) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__roster").get(pk=swap.pk)
    check_roster_manager(actor, swap.assignment.shift.roster)
    if swap.status != SwapRequest.Status.ACCEPTED:
        raise ServiceError(_("Cette demande n'attend pas de validation."), code="not_accepted")
    _apply_swap(swap)
    swap.status = SwapRequest.Status.DONE
    swap.decided_by = actor
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


@transaction.atomic
def swap_request_refuse(*, actor: User, swap: SwapRequest) -> SwapRequest:
    """The person asked refuses a pending request, or a roster manager refuses it."""
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__roster").get(pk=swap.pk)
    if swap.status not in OPEN_STATUSES:
        raise ServiceError(_("Cette demande est déjà close."), code="closed")
    is_target = swap.target_id == actor.pk and swap.status == SwapRequest.Status.PENDING
    if not is_target:
        check_roster_manager(actor, swap.assignment.shift.roster)
    swap.status = SwapRequest.Status.REFUSED
    swap.decided_by = actor
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


@transaction.atomic
def swap_request_cancel(*, actor: User, swap: SwapRequest) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.requester_id != actor.pk:
        raise PermissionDenied
    if swap.status not in OPEN_STATUSES:
        raise ServiceError(_("Cette demande est déjà close."), code="closed")
    swap.status = SwapRequest.Status.CANCELLED
    swap.save()
    return swap
