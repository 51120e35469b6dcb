"""Pages of polls: the voting page (one tap per choice, then a confirmation) and its results, the
managers' actions, written consultations created from the governance page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import ServiceError, show_service_error
from federation.governance.access import access_governance, access_poll, can_manage_governance
from federation.governance.meetings.selectors import meeting_quorum
from federation.governance.membership.selectors import delegate_users
from federation.governance.minutes import decision_lines, outcome_label, result_label
from federation.governance.polls import selectors, services
from federation.governance.polls.models import Poll
from federation.governance.statutes.models import Body


def _aware(value: str):
    moment = parse_datetime(value or "")
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def poll_from_form(request, federation, **extra):
    """A poll from the "mettre aux voix" / consultation forms (the service validates everything)."""
    kind = request.POST.get("kind") or Poll.Kind.MOTION
    candidates = None
    if kind == Poll.Kind.ELECTION:
        candidates, unknown = delegate_users(federation, request.POST.getlist("candidates"))
        if unknown:
            raise ServiceError(
                _("Candidat·e inconnu·e ou non éligible : seul le collège des CPTS est éligible."),
                code="unknown_candidate",
                field="candidates",
            )
        seat = request.POST.get("seat") or ""
        if seat:
            extra["effect"] = {"type": "bureau_seat", "role": seat}
    return services.poll_create(
        actor=request.user,
        federation=federation,
        title=request.POST.get("title", "").strip(),
        description=request.POST.get("description", "").strip(),
        secret=request.POST.get("secret") == "on",
        kind=kind,
        candidates=candidates,
        decision_kind=request.POST.get("decision_kind") or "ordinary",
        **extra,
    )


def create_consultation(request, federation):
    """A written consultation (asynchronous e-vote between two dates), opened at once."""
    try:
        with transaction.atomic():
            poll = poll_from_form(
                request,
                federation,
                body=request.POST.get("body") or Body.AGO,
                opens_at=_aware(request.POST.get("opens_at")),
                closes_at=_aware(request.POST.get("closes_at")),
            )
            services.poll_open(actor=request.user, poll=poll)
    except ValidationError as exc:
        show_service_error(request, exc)
        return redirect("governance-federation", federation_slug=federation.slug)
    messages.success(request, _("Consultation écrite ouverte."))
    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)


@login_required
def poll_page(request, federation_slug, poll_id):
    """Voting page (one tap per choice, then a confirmation) and results (both colleges). Whether the
    user may vote, and for whom, is `selectors.ballot_right`'s answer — the service's own check."""
    federation = access_governance(request.user, federation_slug)
    poll = access_poll(request.user, federation, poll_id)
    confirm = receipt = None
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        blank = choice == "blank" and poll.kind == Poll.Kind.ELECTION
        fields = {
            "choice": "" if poll.kind == Poll.Kind.ELECTION else choice,
            "candidate_id": None if blank or poll.kind == Poll.Kind.MOTION else choice,
            "blank": blank,
            "opinion": request.POST.get("opinion", "").strip(),
        }
        right_key = request.POST.get("right") or None
        try:
            if request.POST.get("confirm") != "1":
                right = selectors.ballot_right(request.user, poll, right_key)
                content = selectors.ballot_content(poll, right, **fields)
                confirm = {
                    "right": right,
                    "choice": choice,
                    "label": content.label(poll),
                    "opinion": fields["opinion"],
                }
            else:
                cast = services.ballot_cast(actor=request.user, poll=poll, right_key=right_key, **fields)
                if not cast.receipt:
                    messages.success(request, _("Votre vote est enregistré."))
                    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)
                # A secret vote's receipt is shown in this answer only: never stored beside the voter
                # (not even in a message kept in the session).
                receipt = cast.receipt
                poll.refresh_from_db()
        except ValidationError as exc:
            show_service_error(request, exc)
            return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)
    closed = poll.status in selectors.CLOSED_STATUSES
    result = poll.result if closed else {}
    can_manage = can_manage_governance(request.user, federation)
    turnout = selectors.poll_turnout(poll) if can_manage and poll.status == Poll.Status.OPEN else []
    return render(
        request,
        "governance/poll.html",
        {
            "federation": federation,
            "poll": poll,
            "can_manage": can_manage,
            "rights": selectors.rights_status(request.user, poll),
            "confirm": confirm,
            "receipt": receipt,
            "receipt_check": selectors.receipt_check(poll, request.GET["recu"])
            if request.GET.get("recu")
            else None,
            "counted": list(selectors.counted_ballots(poll)),
            "candidates": selectors.poll_candidates(poll),
            "closed": closed,
            "result": result,
            "lines": decision_lines(poll, with_tallies=False) if closed else [],
            "outcome": result_label(poll) if result else "",
            "warnings": selectors.election_warnings(poll) if poll.status != Poll.Status.PUBLISHED else [],
            "advisory_outcome": outcome_label(result.get("advisory_outcome", "")) if result else "",
            "live": selectors.poll_live_data(poll),
            "named_votes": selectors.named_votes(poll) if closed else [],
            "opinions": selectors.partner_opinions(poll),
            "choices": [("yes", _("Pour")), ("no", _("Contre")), ("abstain", _("Abstention"))],
            "invitation": selectors.vote_invitation(request.user, poll),
            "quorum": meeting_quorum(poll.meeting) if poll.meeting_id else None,
            "turnout": turnout,
            "missing": [row["label"] for row in turnout if not row["voted"]],
        },
    )


@login_required
@require_POST
def poll_action(request, federation_slug, poll_id):
    federation = access_governance(request.user, federation_slug)
    poll = access_poll(request.user, federation, poll_id, for_write=True)
    action = request.POST.get("action")
    try:
        if action == "open":
            services.poll_open(
                actor=request.user, poll=poll, without_quorum=request.POST.get("without_quorum") == "1"
            )
            messages.success(request, _("Vote ouvert."))
        elif action == "close":
            services.poll_close(
                actor=request.user, poll=poll, casting_vote=request.POST.get("casting_vote") or None
            )
            messages.success(
                request, _("Vote clos : le résultat est calculé, publiez-le pour qu'il prenne effet.")
            )
        elif action == "publish":
            warnings = selectors.election_warnings(poll, elected_only=True)
            services.poll_publish(actor=request.user, poll=poll)
            messages.success(request, _("Résultat publié : il ne peut plus être modifié."))
            for warning in warnings:
                messages.warning(request, warning)
        elif action == "second-round":
            poll = services.election_second_round(actor=request.user, poll=poll)
        else:
            raise Http404
    except ValidationError as exc:
        show_service_error(request, exc)
    if request.POST.get("next") == "meeting" and poll.meeting_id:
        return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=poll.meeting_id)
    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)
