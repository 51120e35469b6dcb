"""Reads of polls: lists, live participation, named votes, and the one place that decides whether a
user may vote (`ballot_right`, used by the ballot service, the voting page and the API alike)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.governance import rules
from federation.governance.access import is_delegate
from federation.governance.bureau.models import BureauMandate, BureauRole
from federation.governance.bureau.selectors import active_mandates, vacated_by_election
from federation.governance.meetings.models import Attendance, AttendanceStatus, Proxy
from federation.governance.membership.selectors import (
    active_members,
    college_members,
    member_label,
    represented_members,
)
from federation.governance.polls.models import (
    Ballot,
    Candidate,
    CountedBallot,
    Participation,
    PartnerOpinion,
    Poll,
)
from federation.governance.polls.sealing import normalise_receipt
from federation.governance.statutes.models import Body
from federation.models import College, Federation, FederationMember, User

CLOSED_STATUSES = (Poll.Status.CLOSED, Poll.Status.PUBLISHED)


def polls(federation: Federation) -> QuerySet[Poll]:
    return Poll.objects.filter(federation=federation).select_related("meeting").order_by("-created_at", "-id")


def open_polls(federation: Federation) -> QuerySet[Poll]:
    return polls(federation).filter(status=Poll.Status.OPEN)


def meeting_polls(meeting) -> QuerySet[Poll]:
    return Poll.objects.filter(meeting=meeting).prefetch_related("candidates").order_by("created_at", "id")


def poll_candidates(poll: Poll) -> QuerySet[Candidate]:
    return Candidate.objects.filter(poll=poll).select_related("member__cpts").order_by("label")


def participation_counts(poll: Poll) -> dict[str, int]:
    """Who has voted, counted per college (never per choice)."""
    counts = {
        row["college"]: row["n"]
        for row in Participation.objects.filter(poll=poll).values("college").annotate(n=Count("id"))
    }
    if poll.body == Body.BUREAU:
        return {
            "bureau": counts.get(College.CPTS, 0),
            "eligible_bureau": active_mandates(poll.federation).count(),
        }
    return {
        "cpts": counts.get(College.CPTS, 0),
        "partners": counts.get(College.PARTNERS, 0),
        "eligible_cpts": college_members(poll.federation, College.CPTS).count(),
        "eligible_partners": college_members(poll.federation, College.PARTNERS).count(),
    }


def ballot_counts(poll: Poll) -> dict[str, dict]:
    """Raw counts of the ballots per college (motions: per choice; elections: per candidate + blank).
    A secret poll has none until it is closed (its ballots are sealed), then its counted ballots."""
    out: dict[str, dict] = {College.CPTS: {}, College.PARTNERS: {}}
    rows = CountedBallot.objects.filter(poll=poll) if poll.secret else Ballot.objects.filter(poll=poll)
    for row in rows.values("college", "choice", "candidate_id", "blank").annotate(n=Count("id")):
        key = (
            row["choice"]
            if poll.kind == Poll.Kind.MOTION
            else ("blank" if row["blank"] else str(row["candidate_id"]))
        )
        college = out.setdefault(row["college"], {})
        college[key] = college.get(key, 0) + row["n"]
    return out


def poll_live_data(poll: Poll) -> dict:
    """What a live view may show. Open (named) polls: participation per college and tallies. Secret
    polls: only the number of votes cast until closed; turnout per college and tallies once closed."""
    closed = poll.status in CLOSED_STATUSES
    counts = participation_counts(poll)
    if poll.secret and not closed:
        # A secret poll in progress shows how many have voted, not per college nor per choice.
        voted = sum(v for k, v in counts.items() if not k.startswith("eligible"))
        eligible = sum(v for k, v in counts.items() if k.startswith("eligible"))
        return {"status": poll.status, "participation": {"total": voted, "eligible": eligible}}
    return {"status": poll.status, "participation": counts, "tallies": ballot_counts(poll)}


def named_votes(poll: Poll) -> list[dict]:
    """The named votes of an OPEN poll (empty for a secret poll)."""
    if poll.secret:
        return []
    rows = Participation.objects.filter(poll=poll).select_related(
        "member__cpts", "member__partner", "mandate__user", "cast_by", "open_candidate"
    )
    return [
        {
            "voter": member_label(p.member) if p.member_id else str(p.mandate.user),
            "college": p.college if p.member_id else "bureau",
            "cast_by": str(p.cast_by) if p.cast_by else "",
            "by_proxy": p.by_proxy,
            "choice": p.open_choice,
            "candidate": p.open_candidate.label
            if p.open_candidate
            else ("" if poll.kind == "motion" else "blanc"),
        }
        for p in rows.order_by("college", "id")
    ]


def partner_opinions(poll: Poll) -> QuerySet[PartnerOpinion]:
    """The partners' signed opinions. None while a secret poll is open: with a single partner voting, its
    opinion would be its vote."""
    if poll.secret and poll.status not in CLOSED_STATUSES:
        return PartnerOpinion.objects.none()
    return (
        PartnerOpinion.objects.filter(poll=poll).select_related("partner", "author").order_by("partner__name")
    )


def counted_ballots(poll: Poll) -> QuerySet[CountedBallot]:
    """The counted ballots of a closed secret poll (receipt and content); nothing before the close."""
    if not poll.secret or poll.status not in CLOSED_STATUSES:
        return CountedBallot.objects.none()
    return CountedBallot.objects.filter(poll=poll).select_related("candidate").order_by("receipt")


def receipt_check(poll: Poll, code: str) -> dict:
    """Whether a receipt is among the poll's counted ballots: {"receipt", "status", "counted"} with
    status "counted", "not_found" or "not_closed" (the list exists only once the poll is closed)."""
    receipt = normalise_receipt(code)
    if not poll.secret or poll.status not in CLOSED_STATUSES:
        return {"receipt": receipt, "status": "not_closed", "counted": False}
    counted = CountedBallot.objects.filter(poll=poll, receipt=receipt).exists()
    return {"receipt": receipt, "status": "counted" if counted else "not_found", "counted": counted}


# --- who may vote -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VotingRight:
    """One vote the user may cast in a poll: for a member (own CPTS or partner, or by proxy) or a
    bureau seat."""

    member: FederationMember | None
    mandate: BureauMandate | None
    college: str
    by_proxy: bool
    label: str

    @property
    def key(self) -> str:
        return f"member-{self.member.pk}" if self.member else f"mandate-{self.mandate.pk}"


def voting_rights(user: User, poll: Poll) -> list[VotingRight]:
    """The votes `user` may cast in `poll` (voted or not). In a meeting, only for members signed in
    present — plus, for a proxy holder, each member represented by them; a written consultation lets
    every delegate vote from their account."""
    if not user.is_authenticated:
        return []
    federation = poll.federation
    if poll.body == Body.BUREAU:
        return [
            VotingRight(None, m, College.CPTS, False, f"{m.get_role_display()} — {m.user}")
            for m in active_mandates(federation).filter(user=user)
        ]
    members = represented_members(user, federation)
    rights = []
    if poll.meeting_id:
        present = set(
            Attendance.objects.filter(
                meeting_id=poll.meeting_id, status=AttendanceStatus.PRESENT, member__isnull=False
            ).values_list("member_id", flat=True)
        )
        members = [m for m in members if m.pk in present]
    rights += [VotingRight(m, None, m.college, False, member_label(m)) for m in members]
    if poll.meeting_id:
        for proxy in Proxy.objects.filter(meeting_id=poll.meeting_id, holder=user).select_related(
            "giver__cpts"
        ):
            if proxy.giver.left_on is None:
                rights.append(VotingRight(proxy.giver, None, College.CPTS, True, member_label(proxy.giver)))
    return rights


def voted_keys(poll: Poll, rights: list[VotingRight]) -> set[str]:
    member_ids = [r.member.pk for r in rights if r.member]
    mandate_ids = [r.mandate.pk for r in rights if r.mandate]
    if not member_ids and not mandate_ids:
        return set()
    rows = Participation.objects.filter(poll=poll).filter(
        Q(member_id__in=member_ids) | Q(mandate_id__in=mandate_ids)
    )
    return {f"member-{p.member_id}" if p.member_id else f"mandate-{p.mandate_id}" for p in rows}


def rights_status(user: User, poll: Poll) -> list[tuple[VotingRight, bool]]:
    """The user's votes in the poll, each with whether it was already cast."""
    rights = voting_rights(user, poll)
    voted = voted_keys(poll, rights)
    return [(right, right.key in voted) for right in rights]


def _other_member_label(poll: Poll, right_key: str | None) -> str:
    """The name of the member `right_key` points to, when it is one of the federation's (else "")."""
    kind, _sep, pk = (right_key or "").partition("-")
    if kind != "member" or not pk.isdigit():
        return ""
    member = college_members(poll.federation, College.CPTS).filter(pk=int(pk)).first() or (
        college_members(poll.federation, College.PARTNERS).filter(pk=int(pk)).first()
    )
    return member_label(member)


def ballot_right(
    user: User, poll: Poll, right_key: str | None = None, *, now: datetime | None = None
) -> VotingRight:
    """The one place that decides whether `user` may cast a vote in `poll` now, and for whom.

    `right_key` ("member-<id>" / "mandate-<id>") names the member or bureau seat voted for; it may be
    left out when the user has a single vote. Raises `PermissionDenied` when the user has no vote in
    this poll, `ServiceError` otherwise (poll not open, outside the consultation's period, another
    member's vote, which member, already voted). The ballot service calls it again under the poll's
    lock; the unique constraints on participations stay the final guarantee."""
    now = now or timezone.now()
    if not is_delegate(user, poll.federation):
        raise PermissionDenied(_("Vous n'avez pas de voix dans ce scrutin."))
    if poll.status != Poll.Status.OPEN:
        raise ServiceError(_("Ce vote n'est pas ouvert."), code="poll_not_open")
    if poll.is_written_consultation and not (poll.opens_at <= now <= poll.closes_at):
        raise ServiceError(
            _("La consultation écrite n'est pas dans sa période de vote."), code="outside_period"
        )
    rights = voting_rights(user, poll)
    if right_key is None and len(rights) == 1:
        right = rights[0]
    else:
        right = next((r for r in rights if r.key == right_key), None)
    if right is None:
        other = _other_member_label(poll, right_key) if right_key else ""
        if other:
            raise ServiceError(
                _(
                    "Vous ne portez pas la voix de « %(member)s » dans ce scrutin : votez pour le membre que vous représentez."
                )
                % {"member": other},
                code="not_your_vote",
                field="right",
            )
        if rights:
            raise ServiceError(_("Précisez pour quel membre vous votez."), code="which_member", field="right")
        raise PermissionDenied(_("Vous n'avez pas de voix dans ce scrutin."))
    if right.key in voted_keys(poll, [right]):
        raise ServiceError(
            _("Un vote a déjà été enregistré pour %(who)s dans ce scrutin.") % {"who": right.label},
            code="already_voted",
        )
    return right


@dataclass(frozen=True)
class BallotContent:
    choice: str  # motions: yes / no / abstain; "" for elections
    candidate: Candidate | None
    blank: bool

    def label(self, poll: Poll) -> str:
        if poll.kind == Poll.Kind.MOTION:
            return {"yes": _("Pour"), "no": _("Contre"), "abstain": _("Abstention")}[self.choice]
        return _("Vote blanc") if self.blank else self.candidate.label


def ballot_content(
    poll: Poll,
    right: VotingRight,
    *,
    choice: str = "",
    candidate_id=None,
    blank: bool = False,
    opinion: str = "",
) -> BallotContent:
    """A valid ballot for `poll` from the raw input, or a ServiceError naming the field at fault."""
    if poll.kind == Poll.Kind.MOTION:
        if choice not in {c.value for c in rules.Choice}:
            raise ServiceError(
                _("Choisissez pour, contre ou abstention."), code="invalid_choice", field="choice"
            )
        content = BallotContent(choice, None, False)
    elif blank:
        content = BallotContent("", None, True)
    else:
        try:
            candidate_id = int(candidate_id)
        except (TypeError, ValueError):
            candidate_id = None
        candidate = Candidate.objects.filter(poll=poll, pk=candidate_id).first() if candidate_id else None
        if candidate is None:
            raise ServiceError(
                _("Choisissez un·e candidat·e ou votez blanc."), code="invalid_candidate", field="candidate"
            )
        content = BallotContent("", candidate, False)
    if opinion and right.college != College.PARTNERS:
        raise ServiceError(
            _("Seuls les partenaires joignent un avis écrit."), code="opinion_not_allowed", field="opinion"
        )
    return content


def election_warnings(poll: Poll, *, elected_only: bool = False) -> list[str]:
    """What electing each candidate to a bureau seat would also do: a vice-president elected president
    leaves the vice-presidency vacant (and so on for any other seat they hold). `elected_only`: for the
    winner of a closed poll only."""
    effect = poll.effect or {}
    if poll.kind != Poll.Kind.ELECTION or effect.get("type") != "bureau_seat":
        return []
    role = effect["role"]
    candidates = poll_candidates(poll).select_related("user")
    if elected_only:
        candidates = candidates.filter(pk=(poll.result or {}).get("elected") or 0)
    warnings = []
    for candidate in candidates:
        for seat in vacated_by_election(poll.federation, user=candidate.user, role=role):
            warnings.append(
                _(
                    "Si %(name)s est élu·e %(role)s, son poste de %(seat)s deviendra vacant : il faudra le pourvoir."
                )
                % {
                    "name": candidate.user,
                    "role": BureauRole(role).label.lower(),
                    "seat": seat.get_role_display().lower(),
                }
            )
    return warnings


def poll_turnout(poll: Poll) -> list[dict]:
    """Who is expected to vote and whether they have — never how: in a meeting, the members signed in
    present or represented by a proxy (the bureau: its seats present); in a written consultation, every
    member. Those who have not voted come first. Three queries."""
    voted = set(Participation.objects.filter(poll=poll).values_list("member_id", "mandate_id"))
    voted_members = {m for m, _s in voted if m}
    voted_mandates = {s for _m, s in voted if s}
    attending = None
    if poll.meeting_id:
        attending = set(
            Attendance.objects.filter(
                meeting_id=poll.meeting_id,
                status__in=[AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED],
            ).values_list("member_id", "mandate_id")
        )
    rows = []
    if poll.body == Body.BUREAU:
        for mandate in active_mandates(poll.federation):
            if attending is None or (None, mandate.pk) in attending:
                label = f"{mandate.user} ({mandate.get_role_display()})"
                rows.append({"label": label, "college": "bureau", "voted": mandate.pk in voted_mandates})
    else:
        for member in active_members(poll.federation):
            if attending is None or (member.pk, None) in attending:
                rows.append(
                    {
                        "label": member_label(member),
                        "college": member.college,
                        "voted": member.pk in voted_members,
                    }
                )
    return sorted(rows, key=lambda row: (row["voted"], row["college"] != College.CPTS, row["label"]))


def vote_invitation(user: User, poll: Poll) -> str:
    """What the room offers this user for an open poll: "vote" (a vote to cast), "voted" (all cast),
    "sign_in" (a delegate whose member is not signed in present: sign in first), or "" (no vote)."""
    if poll.status != Poll.Status.OPEN or not user.is_authenticated:
        return ""
    rights = rights_status(user, poll)
    if any(not voted for _right, voted in rights):
        return "vote"
    if rights:
        return "voted"
    if poll.meeting_id and poll.body != Body.BUREAU and represented_members(user, poll.federation):
        return "sign_in"
    return ""
