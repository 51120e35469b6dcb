"""Writes of polls: creating, opening, casting a ballot, closing (the result), publishing (the effect),
a second round; a change of the statutes proposed as a poll of the AGE."""

import random
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.events import send_event_on_commit
from federation.governance import rules
from federation.governance.audit import audit_append
from federation.governance.common import check_manager
from federation.governance.meetings.models import AgendaItem, Meeting
from federation.governance.meetings.selectors import meeting_quorum
from federation.governance.membership.selectors import active_delegates
from federation.governance.polls import sealing, selectors
from federation.governance.polls.effects import apply_effect, apply_election, validate_effect
from federation.governance.polls.models import (
    Ballot,
    Candidate,
    CountedBallot,
    Participation,
    PartnerOpinion,
    Poll,
    SealedBallot,
)
from federation.governance.polls.results import compute_result
from federation.governance.realtime import event, federation_group, poll_group
from federation.governance.statutes.models import Body, DecisionKind
from federation.governance.statutes.services import describe_statutes_changes
from federation.models import College, Federation, User


def publish_poll(poll: Poll, name: str) -> None:
    """Send a poll event (what `poll_live_data` allows) to the poll's and the federation's groups."""
    data = selectors.poll_live_data(poll)
    send_event_on_commit(
        [poll_group(poll.pk), federation_group(poll.federation_id)],
        event(name, federation_id=poll.federation_id, meeting_id=poll.meeting_id, poll_id=poll.pk, data=data),
    )


@transaction.atomic
def poll_create(
    *,
    actor: User | None,
    federation: Federation,
    title: str,
    kind: str = Poll.Kind.MOTION,
    decision_kind: str = DecisionKind.ORDINARY,
    description: str = "",
    secret: bool = False,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    body: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    candidates: list[User] | None = None,
    effect: dict | None = None,
    previous_round: Poll | None = None,
) -> Poll:
    """A motion or an election, in a meeting or as a written consultation (with opening and deadline)."""
    check_manager(actor, federation)
    if meeting is not None:
        if meeting.federation_id != federation.pk:
            raise ServiceError(_("Séance inconnue."), code="unknown_meeting", field="meeting")
        if meeting.status == Meeting.Status.CLOSED:
            raise ServiceError(_("La séance est close."), code="meeting_closed")
        body = meeting.body
    else:
        body = body or Body.AGO
        if not (opens_at and closes_at):
            raise ServiceError(
                _("Une consultation écrite a une date d'ouverture et une date limite."), code="dates_required"
            )
        if closes_at <= opens_at:
            raise ServiceError(
                _("La date limite doit suivre l'ouverture."), code="invalid_dates", field="closes_at"
            )
    if agenda_item is not None and agenda_item.meeting_id != getattr(meeting, "pk", None):
        raise ServiceError(
            _("Ce point n'est pas à l'ordre du jour de la séance."),
            code="unknown_agenda_item",
            field="agenda_item",
        )
    if body == Body.BUREAU and decision_kind not in (DecisionKind.BUREAU, DecisionKind.MEMBERSHIP):
        decision_kind = DecisionKind.BUREAU
    effect = validate_effect(federation, body, decision_kind, effect or {})
    poll = Poll(
        federation=federation,
        meeting=meeting,
        agenda_item=agenda_item,
        body=body,
        kind=kind,
        decision_kind=decision_kind,
        title=title,
        description=description,
        secret=secret,
        opens_at=opens_at,
        closes_at=closes_at,
        effect=effect,
        created_by=actor,
        previous_round=previous_round,
        election_round=(previous_round.election_round + 1) if previous_round else 1,
    )
    poll.full_clean()
    poll.save()
    if kind == Poll.Kind.ELECTION:
        if not candidates:
            raise ServiceError(
                _("Une élection a au moins un·e candidat·e."), code="no_candidates", field="candidates"
            )
        delegations = {
            d.user_id: d
            for d in active_delegates(federation).filter(user__in=candidates, member__college=College.CPTS)
        }
        for user in candidates:
            if user.pk not in delegations:
                raise ServiceError(
                    _(
                        "%(user)s n'est pas délégué·e d'une CPTS membre : seul le collège des CPTS est éligible."
                    )
                    % {"user": user},
                    code="candidate_not_delegate",
                    field="candidates",
                )
            Candidate.objects.create(
                poll=poll,
                user=user,
                member=delegations[user.pk].member,
                label=f"{user} ({delegations[user.pk].member.cpts.name})",
            )
    audit_append(
        federation=federation,
        event="poll.created",
        actor=actor,
        payload={
            "poll": poll.pk,
            "meeting": getattr(meeting, "pk", None),
            "title": title,
            "kind": kind,
            "decision_kind": decision_kind,
            "secret": secret,
            "effect": effect,
            "candidates": [c.pk for c in candidates or []],
        },
    )
    return poll


@transaction.atomic
def poll_open(*, actor: User | None, poll: Poll, without_quorum: bool = False) -> Poll:
    """Open the vote. In a meeting, the quorum must be reached (present or represented); in a second
    AGO session whose quorum failed again, the statutes let it deliberate by relative majority (seed
    000, art. 13.2), and the chair says so explicitly (`without_quorum`), which is recorded."""
    check_manager(actor, poll.federation)
    poll = (
        Poll.objects.select_for_update(of=("self",)).select_related("meeting", "federation").get(pk=poll.pk)
    )
    if poll.status != Poll.Status.DRAFT:
        raise ServiceError(_("Ce vote a déjà été ouvert."), code="not_draft")
    if poll.meeting_id and poll.meeting.status != Meeting.Status.OPEN:
        raise ServiceError(
            _("La séance doit être ouverte pour mettre une question aux voix."), code="meeting_not_open"
        )
    if poll.meeting_id:
        quorum = meeting_quorum(poll.meeting)
        if not quorum.valid:
            raise ServiceError(
                _(
                    "Quorum non atteint (%(n)d présent(s) ou représenté(s), %(t)d requis) : l'assemblée ne "
                    "peut pas délibérer. Convoquez une seconde séance."
                )
                % {"n": quorum.present_or_represented, "t": quorum.threshold},
                code="quorum_not_met",
            )
        if quorum.second_session_fallback:
            if not without_quorum:
                raise ServiceError(
                    _(
                        "Quorum non atteint à cette seconde séance : selon les statuts (art. 13.2), elle "
                        "délibère à la majorité relative des membres présents ou représentés. Confirmez "
                        "l'ouverture sans quorum."
                    ),
                    code="quorum_override_required",
                )
            poll.quorum_override = {
                "reason": "second_session",
                "by": actor.pk if actor is not None else None,
                "at": timezone.now().isoformat(),
                "quorum": quorum.as_dict(),
            }
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    if poll.secret:
        poll.public_key = sealing.public_key_hex(poll.pk)
    poll.save(update_fields=["status", "opened_at", "public_key", "quorum_override"])
    payload = {"poll": poll.pk}
    if poll.secret:
        payload["public_key"] = poll.public_key
    if poll.quorum_override:
        payload["quorum_override"] = poll.quorum_override
    audit_append(federation=poll.federation, event="poll.opened", actor=actor, payload=payload)
    publish_poll(poll, "poll.opened")
    return poll


@dataclass(frozen=True)
class CastBallot:
    participation: Participation
    receipt: str = ""  # secret polls: the code the voter checks in the published list after the close


def ballot_cast(
    *,
    actor: User,
    poll: Poll,
    right_key: str | None = None,
    choice: str = "",
    candidate_id: int | None = None,
    blank: bool = False,
    opinion: str = "",
    now: datetime | None = None,
) -> CastBallot:
    """Cast one vote: for the member (or bureau seat) named by `right_key` ("member-<id>" /
    "mandate-<id>"; optional when the user has a single right). A proxy holder casts each represented
    vote separately. Who may vote is decided by `selectors.ballot_right` (the page and the API ask the
    same question); a second submission for the same member fails on the participation's unique
    constraint, even when both arrive at once.

    A named vote is one transaction. A secret vote is two: the participation (who voted), then the
    sealed ballot (what), so that no transaction id, no row order and no timestamp is shared by the
    two; if the ballot cannot be stored the participation is withdrawn."""
    fields = {"choice": choice, "candidate_id": candidate_id, "blank": blank, "opinion": opinion, "now": now}
    if not poll.secret:
        return _cast_named(actor=actor, poll_id=poll.pk, right_key=right_key, **fields)
    participation, content, college = _record_participation(
        actor=actor, poll_id=poll.pk, right_key=right_key, **fields
    )
    try:
        code = _store_sealed(poll_id=poll.pk, content=content, college=college)
    except BaseException:
        _withdraw_participation(participation)
        raise
    publish_poll(participation.poll, "poll.participation")
    return CastBallot(participation, code)


def _locked_poll(poll_id: int) -> Poll:
    # Lock the poll row: a ballot and the closing of the poll never interleave (closing takes the
    # same lock), so no ballot lands after the result was computed or the sealed ballots opened.
    return (
        Poll.objects.select_for_update(of=("self",)).select_related("federation", "meeting").get(pk=poll_id)
    )


def _participation(poll: Poll, right, content, actor: User, now: datetime | None) -> Participation:
    try:
        with transaction.atomic():
            return Participation.objects.create(
                poll=poll,
                college=right.college,
                member=right.member,
                mandate=right.mandate,
                cast_by=actor,
                by_proxy=right.by_proxy,
                open_choice="" if poll.secret else (content.choice or ("blank" if content.blank else "")),
                open_candidate=None if poll.secret else content.candidate,
                # A secret poll's participations all carry the opening time: their order is not kept.
                created_at=poll.opened_at if poll.secret else (now or timezone.now()),
            )
    except IntegrityError as exc:
        raise ServiceError(
            _("Un vote a déjà été enregistré pour %(who)s dans ce scrutin.") % {"who": right.label},
            code="already_voted",
        ) from exc


def _audit_cast(poll: Poll, right, content, actor: User) -> None:
    payload = {
        "poll": poll.pk,
        "college": right.college,
        "member": right.member.pk if right.member else None,
        "mandate": right.mandate.pk if right.mandate else None,
        "by_proxy": right.by_proxy,
    }
    if not poll.secret:  # a named vote is public; a secret one is logged as a participation only
        payload["choice"] = content.choice or ("blank" if content.blank else "")
        payload["candidate"] = content.candidate.pk if content.candidate else None
    audit_append(federation=poll.federation, event="ballot.cast", actor=actor, payload=payload)


@transaction.atomic
def _cast_named(*, actor, poll_id, right_key, choice, candidate_id, blank, opinion, now) -> CastBallot:
    poll = _locked_poll(poll_id)
    right = selectors.ballot_right(actor, poll, right_key, now=now)
    content = selectors.ballot_content(
        poll, right, choice=choice, candidate_id=candidate_id, blank=blank, opinion=opinion
    )
    participation = _participation(poll, right, content, actor, now)
    Ballot.objects.create(
        poll=poll,
        college=right.college,
        choice=content.choice,
        candidate=content.candidate,
        blank=content.blank,
    )
    if opinion and right.member is not None and right.member.partner_id:
        PartnerOpinion.objects.create(
            poll=poll, partner_id=right.member.partner_id, text=opinion, author=actor
        )
    _audit_cast(poll, right, content, actor)
    publish_poll(poll, "poll.participation")
    return CastBallot(participation)


@transaction.atomic
def _record_participation(*, actor, poll_id, right_key, choice, candidate_id, blank, opinion, now):
    """Secret poll, first transaction: who voted (and the partner's signed opinion, shown after close)."""
    poll = _locked_poll(poll_id)
    right = selectors.ballot_right(actor, poll, right_key, now=now)
    content = selectors.ballot_content(
        poll, right, choice=choice, candidate_id=candidate_id, blank=blank, opinion=opinion
    )
    participation = _participation(poll, right, content, actor, now)
    if opinion and right.member is not None and right.member.partner_id:
        PartnerOpinion.objects.create(
            poll=poll, partner_id=right.member.partner_id, text=opinion, author=actor
        )
    _audit_cast(poll, right, content, actor)
    return participation, content, right.college


@transaction.atomic
def _store_sealed(*, poll_id: int, content, college: str) -> str:
    """Secret poll, second transaction: the sealed ballot alone. Returns the voter's receipt."""
    poll = Poll.objects.select_for_update().get(pk=poll_id)
    if poll.status != Poll.Status.OPEN:
        raise ServiceError(_("Ce vote n'est pas ouvert."), code="poll_not_open")
    sealed = sealing.seal(
        poll.public_key,
        {
            "college": college,
            "choice": content.choice,
            "candidate": content.candidate.pk if content.candidate else None,
            "blank": content.blank,
        },
    )
    SealedBallot.objects.create(poll=poll, ciphertext=sealed)
    return sealing.receipt(poll.pk, sealed)


@transaction.atomic
def _withdraw_participation(participation: Participation) -> None:
    """The sealed ballot could not be stored: the voter has not voted (they may try again)."""
    poll = Poll.objects.select_for_update().get(pk=participation.poll_id)
    if poll.status == Poll.Status.OPEN:
        Participation.objects.filter(pk=participation.pk).delete()
        PartnerOpinion.objects.filter(poll=poll, author=participation.cast_by).delete()
        audit_append(
            federation=poll.federation,
            event="ballot.withdrawn",
            actor=None,
            payload={"poll": poll.pk, "member": participation.member_id, "mandate": participation.mandate_id},
        )


def _count_sealed_ballots(poll: Poll) -> list[tuple]:
    """Open every sealed ballot of a closing secret poll, keep only the counted (receipt, content)
    rows — written in random order, in this one transaction, without timestamps — and delete the
    sealed rows. Returns the (college, choice, candidate_id, blank) tuples to count."""
    counted = []
    candidates = set(Candidate.objects.filter(poll=poll).values_list("pk", flat=True))
    for sealed in SealedBallot.objects.filter(poll=poll):
        content = sealing.open_sealed(poll, sealed.ciphertext)
        candidate = content.get("candidate")
        if candidate is not None and candidate not in candidates:
            raise ServiceError(
                _("Un bulletin scellé désigne un·e candidat·e inconnu·e."), code="ballot_unreadable"
            )
        counted.append(
            CountedBallot(
                poll=poll,
                receipt=sealing.receipt(poll.pk, sealed.ciphertext),
                college=content["college"],
                choice=content.get("choice") or "",
                candidate_id=candidate,
                blank=bool(content.get("blank")),
            )
        )
    random.SystemRandom().shuffle(counted)
    SealedBallot.objects.filter(poll=poll).delete()
    CountedBallot.objects.bulk_create(counted)
    return [(c.college, c.choice, c.candidate_id, c.blank) for c in counted]


@transaction.atomic
def poll_close(*, actor: User | None, poll: Poll, casting_vote: str | None = None) -> Poll:
    """Close the vote and compute the result (not yet published)."""
    check_manager(actor, poll.federation)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN:
        raise ServiceError(_("Ce vote n'est pas ouvert."), code="poll_not_open")
    if casting_vote:
        allowed = (
            {"yes", "no"}
            if poll.kind == Poll.Kind.MOTION
            else {str(pk) for pk in Candidate.objects.filter(poll=poll).values_list("pk", flat=True)}
        )
        if str(casting_vote) not in allowed:
            raise ServiceError(
                _(
                    "La voix prépondérante est « pour » ou « contre » (résolution), ou l'un·e des candidat·es (élection)."
                ),
                code="invalid_casting_vote",
                field="casting_vote",
            )
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.casting_vote = casting_vote or ""
    ballots = _count_sealed_ballots(poll) if poll.secret else None
    poll.result = compute_result(poll, casting_vote, ballots)
    if poll.secret:
        voters = Participation.objects.filter(poll=poll).count()
        # A voter whose sealed ballot was never stored (a crash between the two writes) is said, not hidden.
        poll.result["ballots_counted"] = len(ballots)
        poll.result["ballots_missing"] = max(0, voters - len(ballots))
    poll.save(update_fields=["status", "closed_at", "casting_vote", "result"])
    audit_append(
        federation=poll.federation,
        event="poll.closed",
        actor=actor,
        payload={"poll": poll.pk, "result": poll.result},
    )
    publish_poll(poll, "poll.closed")
    return poll


@transaction.atomic
def poll_publish(*, actor: User | None, poll: Poll) -> Poll:
    """Publish the result; it is immutable from then on. An adopted decision takes effect now
    (membership changes call the foundation's services; statutes changes update the settings)."""
    check_manager(actor, poll.federation)
    poll = Poll.objects.select_for_update(of=("self",)).select_related("federation").get(pk=poll.pk)
    if poll.status == Poll.Status.PUBLISHED:
        raise ServiceError(_("Ce résultat est déjà publié et ne peut plus changer."), code="published")
    if poll.status != Poll.Status.CLOSED:
        raise ServiceError(_("Clôturez le vote avant d'en publier le résultat."), code="not_closed")
    poll.status = Poll.Status.PUBLISHED
    poll.published_at = timezone.now()
    poll.save(update_fields=["status", "published_at"])
    if poll.result.get("outcome") == rules.Outcome.ADOPTED and poll.kind == Poll.Kind.MOTION:
        apply_effect(poll, actor)
    if poll.kind == Poll.Kind.ELECTION:
        apply_election(poll, actor)
    audit_append(
        federation=poll.federation,
        event="poll.published",
        actor=actor,
        payload={
            "poll": poll.pk,
            "outcome": poll.result.get("outcome"),
            "divergence": poll.result.get("divergence"),
        },
    )
    publish_poll(poll, "poll.published")
    return poll


@transaction.atomic
def election_second_round(*, actor: User | None, poll: Poll) -> Poll:
    """Round 2 of an election nobody won in round 1: the same candidates, relative majority."""
    check_manager(actor, poll.federation)
    if poll.kind != Poll.Kind.ELECTION or poll.status != Poll.Status.PUBLISHED:
        raise ServiceError(_("Le premier tour doit être publié."), code="not_published")
    if not poll.result.get("needs_second_round"):
        raise ServiceError(_("Ce scrutin ne demande pas de second tour."), code="no_second_round")
    return poll_create(
        actor=actor,
        federation=poll.federation,
        title=_("%(title)s — second tour") % {"title": poll.title},
        kind=Poll.Kind.ELECTION,
        decision_kind=poll.decision_kind,
        description=poll.description,
        secret=poll.secret,
        meeting=poll.meeting,
        agenda_item=poll.agenda_item,
        body=poll.body,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        candidates=[c.user for c in poll.candidates.select_related("user")],
        effect=poll.effect,
        previous_round=poll,
    )


@transaction.atomic
def statutes_change_propose(
    *,
    actor: User | None,
    federation: Federation,
    changes: dict,
    title: str = "",
    meeting: Meeting | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    secret: bool = False,
) -> Poll:
    """A change of the statutes settings is itself a decision: a poll in AGE (or a written
    consultation of the AGE), applied when its adopted result is published."""
    return poll_create(
        actor=actor,
        federation=federation,
        title=title or _("Modification des paramètres statutaires"),
        kind=Poll.Kind.MOTION,
        decision_kind=DecisionKind.STATUTES,
        description=describe_statutes_changes(federation, changes),
        meeting=meeting,
        body=Body.AGE,
        opens_at=opens_at,
        closes_at=closes_at,
        secret=secret,
        effect={"type": "statutes_change", "changes": changes},
    )
