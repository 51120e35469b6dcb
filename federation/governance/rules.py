"""The voting rules of the model statutes, as pure functions (no ORM, no Django).

Everything a decision depends on is passed in: the statutes settings (`Statutes`), the body that
decides, the kind of decision, the tallies of each college and the attendance counts. Services load
the rows, call these functions and store what they return; tests compare them with an independent
reference implementation over random assemblies (hypothesis).

Vocabulary (seed 000, annexe 1; seed 004):
- *suffrages exprimés* (votes cast): yes + no, plus abstentions when the statutes count them as cast;
- *majorité simple*: more yes than no;
- *majorité absolue* ("50 % des voix + 1"): yes > half of the votes cast;
- *majorité qualifiée des 2/3*: yes ≥ two thirds of the votes cast;
- *majorité des membres*: yes > half of all the members of the college (present or not);
- *majorité relative* (second meeting without quorum, second round of an election): more yes than no,
  or the candidate with most votes.
Only the CPTS college decides. The partners college gets the same computation as an advisory result,
shown beside the binding one, with a divergence flag when they differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class Body(StrEnum):
    AGO = "ago"  # assemblée générale ordinaire
    AGE = "age"  # assemblée générale extraordinaire
    BUREAU = "bureau"


class DecisionKind(StrEnum):
    ORDINARY = "ordinary"  # accounts, budget, fees, any ordinary question
    MEMBERSHIP = "membership"  # a CPTS or a partner joins or leaves
    STATUTES = "statutes"  # change of the statutes (and of these settings)
    DISSOLUTION = "dissolution"
    BUREAU = "bureau"  # a decision of the bureau


class Majority(StrEnum):
    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"
    MEMBERS = "members"
    RELATIVE = "relative"


class TieRule(StrEnum):
    REJECTED = "rejected"
    CASTING_VOTE = "casting_vote"  # the president's vote is "prépondérante"


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Outcome(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"  # the body could not deliberate
    NO_VOTES = "no_votes"  # nobody voted in the college (advisory result only)


@dataclass(frozen=True)
class Statutes:
    """The blanks of the model statutes that drive a vote."""

    quorum: Mapping[Body, Fraction] = field(
        default_factory=lambda: {
            Body.AGO: Fraction(1, 2),
            Body.AGE: Fraction(1, 2),
            Body.BUREAU: Fraction(1, 2),
        }
    )
    majority: Mapping[DecisionKind, Majority] = field(
        default_factory=lambda: {
            DecisionKind.ORDINARY: Majority.ABSOLUTE,
            DecisionKind.MEMBERSHIP: Majority.ABSOLUTE,
            DecisionKind.STATUTES: Majority.TWO_THIRDS,
            DecisionKind.DISSOLUTION: Majority.TWO_THIRDS,
            DecisionKind.BUREAU: Majority.SIMPLE,
        }
    )
    abstentions_count_as_cast: bool = False
    tie_rule: TieRule = TieRule.CASTING_VOTE
    max_proxies_per_holder: int = 2
    convocation_days: int = 7
    second_meeting_within_days: int = 15
    second_meeting_requires_quorum: bool = False
    second_meeting_relative_majority: bool = True


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @classmethod
    def of(cls, choices: Iterable[Choice | str]) -> Tally:
        counts = Counter(Choice(c) for c in choices)
        return cls(yes=counts[Choice.YES], no=counts[Choice.NO], abstain=counts[Choice.ABSTAIN])

    @property
    def ballots(self) -> int:
        return self.yes + self.no + self.abstain

    def as_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "no": self.no, "abstain": self.abstain}


@dataclass(frozen=True)
class Quorum:
    required: bool  # False: a second AGO session may deliberate without it (model statutes, art. 13.2)
    members: int  # members entitled to vote in the deciding college or body
    present_or_represented: int
    threshold: int  # smallest number present or represented that reaches the quorum
    met: bool  # the quorum is reached (whether or not it is required)

    @property
    def valid(self) -> bool:
        """The body may deliberate: quorum reached, or a second AGO session where it is not required."""
        return self.met or not self.required

    @property
    def second_session_fallback(self) -> bool:
        """A second AGO session that deliberates although its quorum failed again (relative majority)."""
        return not self.required and not self.met

    def as_dict(self) -> dict:
        return {
            "required": self.required,
            "members": self.members,
            "present_or_represented": self.present_or_represented,
            "threshold": self.threshold,
            "met": self.met,
            "valid": self.valid,
        }


def quorum_threshold(members: int, fraction: Fraction) -> int:
    """Smallest head count reaching `fraction` of `members` (ceil, exact rational arithmetic)."""
    needed = fraction * members
    return int(-(-needed.numerator // needed.denominator))


def quorum(
    statutes: Statutes,
    *,
    body: Body,
    members: int,
    present: int,
    represented: int,
    second_meeting: bool = False,
) -> Quorum:
    """The quorum of a meeting: members present *or represented* (proxies count) against the
    statutory fraction of the body.

    Seed 000, model statutes, art. 13.2 (AGO): "A défaut d'obtention du quorum lors de cette seconde
    séance, les délibérations feront l'objet d'un vote à la majorité relative des membres de
    l'association présents ou représentés." So a second AGO session still counts its quorum: reached,
    the ordinary rules apply; failed again, it deliberates anyway (unless the statutes require the
    quorum at the second session too). Art. 13.3 (AGE) has no such clause, nor has the bureau: their
    second sessions need their quorum like the first."""
    required = not (second_meeting and body == Body.AGO and not statutes.second_meeting_requires_quorum)
    threshold = quorum_threshold(members, statutes.quorum[body])
    count = present + represented
    return Quorum(
        required=required,
        members=members,
        present_or_represented=count,
        threshold=threshold,
        met=count >= threshold and members > 0,
    )


def majority_for(statutes: Statutes, kind: DecisionKind, *, quorum: Quorum | None = None) -> Majority:
    """The statutes' majority for this kind of decision; the relative majority only in a second AGO
    session whose quorum failed again (art. 13.2), when the statutes keep that clause."""
    if quorum is not None and quorum.second_session_fallback and statutes.second_meeting_relative_majority:
        return Majority.RELATIVE
    return statutes.majority[kind]


def votes_cast(statutes: Statutes, tally: Tally) -> int:
    return tally.yes + tally.no + (tally.abstain if statutes.abstentions_count_as_cast else 0)


def majority_reached(statutes: Statutes, majority: Majority, tally: Tally, members: int) -> bool:
    """Whether `tally` adopts a motion under `majority` (without any tie-break)."""
    cast = votes_cast(statutes, tally)
    if majority in (Majority.SIMPLE, Majority.RELATIVE):
        return tally.yes > tally.no
    if majority == Majority.ABSOLUTE:
        return 2 * tally.yes > cast  # "50 % des voix + 1"
    if majority == Majority.TWO_THIRDS:
        return cast > 0 and 3 * tally.yes >= 2 * cast
    if majority == Majority.MEMBERS:
        return 2 * tally.yes > members
    raise ValueError(majority)


# A casting vote settles a "partage des voix" only where a one-vote difference decides; it never
# turns a tie into a two-thirds majority or a majority of all members.
CASTING_VOTE_MAJORITIES = (Majority.SIMPLE, Majority.ABSOLUTE, Majority.RELATIVE)


def is_tie(tally: Tally) -> bool:
    """ "Partage des voix": as many yes as no, at least one of each."""
    return tally.yes == tally.no and tally.yes > 0


@dataclass(frozen=True)
class MotionResult:
    outcome: Outcome
    majority: Majority
    quorum: Quorum
    tally: Tally
    tie: bool
    casting_vote_used: bool
    advisory_tally: Tally
    advisory_outcome: Outcome
    divergence: bool

    @property
    def adopted(self) -> bool:
        return self.outcome == Outcome.ADOPTED

    def as_dict(self) -> dict:
        return {
            "outcome": str(self.outcome),
            "majority": str(self.majority),
            "quorum": self.quorum.as_dict(),
            "tally": self.tally.as_dict(),
            "tie": self.tie,
            "casting_vote_used": self.casting_vote_used,
            "advisory_tally": self.advisory_tally.as_dict(),
            "advisory_outcome": str(self.advisory_outcome),
            "divergence": self.divergence,
        }


def _advisory(statutes: Statutes, majority: Majority, tally: Tally, members: int) -> Outcome:
    """The partners' result with the same rule (no quorum, no casting vote: they only advise)."""
    if tally.ballots == 0:
        return Outcome.NO_VOTES
    return Outcome.ADOPTED if majority_reached(statutes, majority, tally, members) else Outcome.REJECTED


def motion_result(
    statutes: Statutes,
    *,
    body: Body,
    kind: DecisionKind,
    tally: Tally,
    members: int,
    present: int,
    represented: int,
    advisory_tally: Tally = Tally(),
    advisory_members: int = 0,
    second_meeting: bool = False,
    casting_vote: Choice | None = None,
) -> MotionResult:
    """The binding outcome of a motion, from the deciding college (CPTS college, or the bureau) alone,
    with the partners' advisory outcome beside it.

    `casting_vote` is the president's choice, used only on a tie (simple, absolute or relative
    majority) when the statutes give the president a casting vote; otherwise a tie is rejected.
    """
    q = quorum(
        statutes,
        body=body,
        members=members,
        present=present,
        represented=represented,
        second_meeting=second_meeting,
    )
    majority = majority_for(statutes, kind, quorum=q)
    tie = is_tie(tally)
    casting_used = False
    if not q.valid:
        outcome = Outcome.NO_QUORUM
    elif (
        tie
        and majority in CASTING_VOTE_MAJORITIES
        and statutes.tie_rule == TieRule.CASTING_VOTE
        and casting_vote in (Choice.YES, Choice.NO)
    ):
        casting_used = True
        outcome = Outcome.ADOPTED if casting_vote == Choice.YES else Outcome.REJECTED
    else:
        outcome = (
            Outcome.ADOPTED if majority_reached(statutes, majority, tally, members) else Outcome.REJECTED
        )
    advisory = _advisory(statutes, majority, advisory_tally, advisory_members)
    divergence = (
        outcome in (Outcome.ADOPTED, Outcome.REJECTED)
        and advisory
        in (
            Outcome.ADOPTED,
            Outcome.REJECTED,
        )
        and advisory != outcome
    )
    return MotionResult(
        outcome=outcome,
        majority=majority,
        quorum=q,
        tally=tally,
        tie=tie,
        casting_vote_used=casting_used,
        advisory_tally=advisory_tally,
        advisory_outcome=advisory,
        divergence=divergence,
    )


# --- elections of people --------------------------------------------------------------------------
@dataclass(frozen=True)
class ElectionResult:
    outcome: Outcome  # ADOPTED = someone elected; REJECTED = nobody (a second round is needed, or a tie)
    round: int
    elected: str | None
    counts: dict[str, int]
    blank: int
    quorum: Quorum
    needs_second_round: bool
    tie: bool
    advisory_counts: dict[str, int]
    advisory_blank: int
    advisory_leader: str | None  # the partners' favourite, None when none or a tie
    divergence: bool

    def as_dict(self) -> dict:
        return {
            "outcome": str(self.outcome),
            "round": self.round,
            "elected": self.elected,
            "counts": dict(self.counts),
            "blank": self.blank,
            "quorum": self.quorum.as_dict(),
            "needs_second_round": self.needs_second_round,
            "tie": self.tie,
            "advisory_counts": dict(self.advisory_counts),
            "advisory_blank": self.advisory_blank,
            "advisory_leader": self.advisory_leader,
            "divergence": self.divergence,
        }


def _leaders(counts: Mapping[str, int]) -> list[str]:
    if not counts:
        return []
    top = max(counts.values())
    if top == 0:
        return []
    return sorted(key for key, value in counts.items() if value == top)


def election_result(
    statutes: Statutes,
    *,
    body: Body,
    candidates: Iterable[str],
    votes: Iterable[str | None],
    members: int,
    present: int,
    represented: int,
    round: int = 1,  # noqa: A002 — the French "tour de scrutin"
    advisory_votes: Iterable[str | None] = (),
    second_meeting: bool = False,
    casting_vote: str | None = None,
) -> ElectionResult:
    """An election of one person. Round 1: absolute majority of the votes cast (blank votes count
    as cast when abstentions do); round 2 (or a second meeting under relative majority): most votes.
    A tie for first place in round 2 is broken by the president's casting vote when the statutes
    give one, otherwise nobody is elected. `None` in `votes` is a blank vote."""
    names = list(candidates)
    counts = {name: 0 for name in names}
    blank = 0
    for vote in votes:
        if vote is None:
            blank += 1
        else:
            counts[vote] += 1
    advisory_counts = {name: 0 for name in names}
    advisory_blank = 0
    for vote in advisory_votes:
        if vote is None:
            advisory_blank += 1
        else:
            advisory_counts[vote] += 1
    q = quorum(
        statutes,
        body=body,
        members=members,
        present=present,
        represented=represented,
        second_meeting=second_meeting,
    )
    relative = round >= 2 or (q.second_session_fallback and statutes.second_meeting_relative_majority)
    cast = sum(counts.values()) + (blank if statutes.abstentions_count_as_cast else 0)
    leaders = _leaders(counts)
    elected = None
    tie = False
    if q.valid and leaders:
        if not relative:
            if 2 * counts[leaders[0]] > cast:
                elected = leaders[0]
        elif len(leaders) == 1:
            elected = leaders[0]
        else:
            tie = True
            if statutes.tie_rule == TieRule.CASTING_VOTE and casting_vote in leaders:
                elected = casting_vote
    if not q.valid:
        outcome = Outcome.NO_QUORUM
    else:
        outcome = Outcome.ADOPTED if elected is not None else Outcome.REJECTED
    advisory_leaders = _leaders(advisory_counts)
    advisory_leader = advisory_leaders[0] if len(advisory_leaders) == 1 else None
    return ElectionResult(
        outcome=outcome,
        round=round,
        elected=elected,
        counts=counts,
        blank=blank,
        quorum=q,
        needs_second_round=q.valid and elected is None and not relative,
        tie=tie,
        advisory_counts=advisory_counts,
        advisory_blank=advisory_blank,
        advisory_leader=advisory_leader,
        divergence=elected is not None and advisory_leader is not None and advisory_leader != elected,
    )


# --- proxies ----------------------------------------------------------------------------------------
def proxy_allowed(statutes: Statutes, *, held_by_holder: int) -> bool:
    """Whether a holder who already carries `held_by_holder` proxies may take one more."""
    return held_by_holder < statutes.max_proxies_per_holder


def second_meeting_in_time(statutes: Statutes, *, days_after_first: int) -> bool:
    """A second meeting after a failed quorum must be held within the statutory number of days."""
    return 0 < days_after_first <= statutes.second_meeting_within_days


def convocation_in_time(statutes: Statutes, *, days_ahead: float) -> bool:
    """The convocation goes out at least the statutory number of days before the meeting."""
    return days_ahead >= statutes.convocation_days
