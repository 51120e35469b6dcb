"""Property tests of the rules engine against a separate, literal reading of the model statutes."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.governance import rules
from federation.governance.rules import (
    Body,
    Choice,
    DecisionKind,
    Majority,
    Outcome,
    Statutes,
    Tally,
    TieRule,
)

FRACTIONS = [
    Fraction(0),
    Fraction(1, 4),
    Fraction(1, 3),
    Fraction(1, 2),
    Fraction(2, 3),
    Fraction(3, 4),
    Fraction(1),
]


@st.composite
def statutes_variants(draw):
    return Statutes(
        quorum={body: draw(st.sampled_from(FRACTIONS)) for body in Body},
        majority={
            kind: draw(st.sampled_from([m for m in Majority if m != Majority.RELATIVE]))
            for kind in DecisionKind
        },
        abstentions_count_as_cast=draw(st.booleans()),
        tie_rule=draw(st.sampled_from(list(TieRule))),
        max_proxies_per_holder=draw(st.integers(0, 3)),
        second_meeting_requires_quorum=draw(st.booleans()),
        second_meeting_relative_majority=draw(st.booleans()),
    )


@st.composite
def assemblies(draw):
    """Member CPTS present / represented / absent; those attending vote or not; partners vote."""
    statuses = draw(st.lists(st.sampled_from(["present", "represented", "absent"]), min_size=1, max_size=12))
    votes = [
        draw(st.sampled_from([Choice.YES, Choice.NO, Choice.ABSTAIN, None])) if s != "absent" else None
        for s in statuses
    ]
    partners = draw(st.lists(st.sampled_from([Choice.YES, Choice.NO, Choice.ABSTAIN, None]), max_size=8))
    return statuses, votes, partners


# --- the reference: written from the statutes' wording, without sharing code with rules.py ----------
def ref_outcome(statutes, body, kind, statuses, votes, second_meeting, casting_vote):
    members = len(statuses)
    attending = sum(1 for s in statuses if s in ("present", "represented"))
    quorum_reached = members > 0 and attending >= members * statutes.quorum[body]
    # Seed 000, art. 13.2 (AGO only): "A défaut d'obtention du quorum lors de cette seconde séance, les
    # délibérations feront l'objet d'un vote à la majorité relative des membres [...] présents ou
    # représentés." With the quorum at the second session, the ordinary rules. The AGE (art. 13.3) and
    # the bureau have no such clause.
    second_ago = second_meeting and body == Body.AGO
    if not quorum_reached and not (second_ago and not statutes.second_meeting_requires_quorum):
        return "no_quorum"
    yes = votes.count(Choice.YES)
    no = votes.count(Choice.NO)
    abstain = votes.count(Choice.ABSTAIN)
    rule = statutes.majority[kind]
    if second_ago and not quorum_reached and statutes.second_meeting_relative_majority:
        rule = "relative"
    suffrages = yes + no + (abstain if statutes.abstentions_count_as_cast else 0)
    partage = yes == no and yes >= 1
    if (
        partage
        and rule in ("simple", "absolute", "relative")
        and statutes.tie_rule == "casting_vote"
        and casting_vote in ("yes", "no")
    ):
        return "adopted" if casting_vote == "yes" else "rejected"
    if rule in ("simple", "relative"):
        ok = yes > no
    elif rule == "absolute":
        ok = yes >= suffrages // 2 + 1  # "50 % des voix + 1 voix"
    elif rule == "two_thirds":
        ok = suffrages > 0 and Fraction(yes, suffrages) >= Fraction(2, 3)
    else:  # majority of the members of the college
        ok = yes >= members // 2 + 1
    return "adopted" if ok else "rejected"


def compute(statutes, body, kind, statuses, votes, partners, second_meeting=False, casting_vote=None):
    return rules.motion_result(
        statutes,
        body=body,
        kind=kind,
        tally=Tally.of(v for v in votes if v is not None),
        members=len(statuses),
        present=statuses.count("present"),
        represented=statuses.count("represented"),
        advisory_tally=Tally.of(v for v in partners if v is not None),
        advisory_members=len(partners),
        second_meeting=second_meeting,
        casting_vote=casting_vote,
    )


@settings(max_examples=400, deadline=None)
@given(
    statutes=statutes_variants(),
    assembly=assemblies(),
    body=st.sampled_from(list(Body)),
    kind=st.sampled_from(list(DecisionKind)),
    second_meeting=st.booleans(),
    casting_vote=st.sampled_from([None, Choice.YES, Choice.NO, Choice.ABSTAIN]),
)
def test_outcome_matches_the_reference(statutes, assembly, body, kind, second_meeting, casting_vote):
    statuses, votes, partners = assembly
    result = compute(statutes, body, kind, statuses, votes, partners, second_meeting, casting_vote)
    assert str(result.outcome) == ref_outcome(
        statutes, body, kind, statuses, votes, second_meeting, casting_vote
    )


@settings(max_examples=300, deadline=None)
@given(
    statutes=statutes_variants(),
    assembly=assemblies(),
    other_partners=st.lists(st.sampled_from([Choice.YES, Choice.NO, Choice.ABSTAIN, None]), max_size=8),
    body=st.sampled_from(list(Body)),
    kind=st.sampled_from(list(DecisionKind)),
)
def test_partners_never_change_the_outcome(statutes, assembly, other_partners, body, kind):
    statuses, votes, partners = assembly
    one = compute(statutes, body, kind, statuses, votes, partners)
    two = compute(statutes, body, kind, statuses, votes, other_partners)
    assert (one.outcome, one.quorum, one.tally, one.tie) == (two.outcome, two.quorum, two.tally, two.tie)
    # The divergence flag says exactly whether the partners' advisory result differs.
    for result in (one, two):
        decided = result.outcome in (Outcome.ADOPTED, Outcome.REJECTED)
        advised = result.advisory_outcome in (Outcome.ADOPTED, Outcome.REJECTED)
        assert result.divergence == (decided and advised and result.advisory_outcome != result.outcome)


@settings(max_examples=200, deadline=None)
@given(members=st.integers(1, 40), fraction=st.sampled_from(FRACTIONS), body=st.sampled_from(list(Body)))
def test_quorum_exactly_at_the_threshold(members, fraction, body):
    statutes = Statutes(quorum={b: fraction for b in Body})
    threshold = rules.quorum_threshold(members, fraction)
    assert threshold == -(-members * fraction.numerator // fraction.denominator)
    # exactly at the threshold: met, whether the attendance is physical or by proxy
    for present in range(threshold + 1):
        q = rules.quorum(
            statutes, body=body, members=members, present=present, represented=threshold - present
        )
        assert q.met
    if threshold > 0:
        below = rules.quorum(statutes, body=body, members=members, present=threshold - 1, represented=0)
        assert not below.met
        by_proxy = rules.quorum(statutes, body=body, members=members, present=threshold - 1, represented=1)
        assert by_proxy.met


def test_quorum_half_of_five_needs_three():
    statutes = Statutes()
    assert rules.quorum(statutes, body=Body.AGO, members=5, present=2, represented=0).met is False
    assert rules.quorum(statutes, body=Body.AGO, members=5, present=2, represented=1).met is True
    assert rules.quorum(statutes, body=Body.AGO, members=4, present=1, represented=1).met is True


def test_second_meeting_without_quorum_decides_by_relative_majority():
    statutes = Statutes(abstentions_count_as_cast=True)
    tally = Tally(yes=2, no=1, abstain=3)
    first = rules.motion_result(
        statutes, body=Body.AGO, kind=DecisionKind.ORDINARY, tally=tally, members=20, present=6, represented=0
    )
    assert first.outcome == Outcome.NO_QUORUM
    second = rules.motion_result(
        statutes,
        body=Body.AGO,
        kind=DecisionKind.ORDINARY,
        tally=tally,
        members=20,
        present=6,
        represented=0,
        second_meeting=True,
    )
    assert second.outcome == Outcome.ADOPTED and second.majority == Majority.RELATIVE


def test_second_ago_session_with_quorum_follows_the_ordinary_rules():
    """Seed 000, art. 13.2: only "à défaut d'obtention du quorum lors de cette seconde séance" does the
    AGO decide by relative majority; with its quorum, absolute majority of the votes cast."""
    statutes = Statutes(abstentions_count_as_cast=True)
    second = rules.motion_result(
        statutes,
        body=Body.AGO,
        kind=DecisionKind.ORDINARY,
        tally=Tally(yes=5, no=3, abstain=3),
        members=20,
        present=11,
        represented=0,
        second_meeting=True,
    )
    assert second.quorum.met and second.majority == Majority.ABSOLUTE
    assert second.outcome == Outcome.REJECTED  # 5 of 11 votes cast is no absolute majority


def test_second_age_session_still_needs_quorum_and_qualified_majority():
    """Seed 000, art. 13.3: the AGE "peut valablement délibérer, à la condition de réunir un quorum
    représentant au minimum la moitié des membres [...] présents ou représentés", by "majorité qualifiée"
    — no second-session clause. A dissolution at a second AGE with 3 of 10 present, 2 for and 1 against,
    is not adopted."""
    dissolution = rules.motion_result(
        Statutes(),
        body=Body.AGE,
        kind=DecisionKind.DISSOLUTION,
        tally=Tally(yes=2, no=1),
        members=10,
        present=3,
        represented=0,
        second_meeting=True,
    )
    assert dissolution.outcome == Outcome.NO_QUORUM
    with_quorum = rules.motion_result(
        Statutes(),
        body=Body.AGE,
        kind=DecisionKind.DISSOLUTION,
        tally=Tally(yes=3, no=2),
        members=10,
        present=5,
        represented=0,
        second_meeting=True,
    )
    assert with_quorum.majority == Majority.TWO_THIRDS and with_quorum.outcome == Outcome.REJECTED


def test_absolute_majority_is_fifty_percent_plus_one():
    statutes = Statutes(abstentions_count_as_cast=True)

    def outcome(yes, no, abstain):
        return rules.motion_result(
            statutes,
            body=Body.AGO,
            kind=DecisionKind.ORDINARY,
            tally=Tally(yes, no, abstain),
            members=10,
            present=10,
            represented=0,
        ).outcome

    assert outcome(3, 1, 2) == Outcome.REJECTED  # 3 of 6 cast is not more than half
    assert outcome(4, 1, 1) == Outcome.ADOPTED
    assert Statutes().abstentions_count_as_cast is False


def test_tie_and_casting_vote():
    tally = Tally(yes=2, no=2)
    common = dict(body=Body.AGO, kind=DecisionKind.ORDINARY, tally=tally, members=4, present=4, represented=0)
    casting = Statutes(tie_rule=TieRule.CASTING_VOTE)
    assert rules.motion_result(casting, casting_vote=Choice.YES, **common).outcome == Outcome.ADOPTED
    assert rules.motion_result(casting, casting_vote=Choice.NO, **common).outcome == Outcome.REJECTED
    rejected = Statutes(tie_rule=TieRule.REJECTED)
    assert rules.motion_result(rejected, casting_vote=Choice.YES, **common).outcome == Outcome.REJECTED
    # never turns a tie into a two-thirds majority
    common["kind"] = DecisionKind.STATUTES
    assert rules.motion_result(casting, casting_vote=Choice.YES, **common).outcome == Outcome.REJECTED


def test_divergence_flag():
    result = rules.motion_result(
        Statutes(),
        body=Body.AGO,
        kind=DecisionKind.ORDINARY,
        tally=Tally(yes=4, no=1),
        members=5,
        present=4,
        represented=1,
        advisory_tally=Tally(yes=0, no=3),
        advisory_members=3,
    )
    assert result.outcome == Outcome.ADOPTED
    assert result.advisory_outcome == Outcome.REJECTED
    assert result.divergence is True


# --- elections ---------------------------------------------------------------------------------------
def ref_election(statutes, candidates, votes, members, attending, round_, casting):
    if not (members > 0 and attending >= members * statutes.quorum[Body.AGO]):
        return None, "no_quorum"
    counts = {c: votes.count(c) for c in candidates}
    blanks = votes.count(None)
    best = max(counts.values(), default=0)
    firsts = [c for c in candidates if counts[c] == best and best > 0]
    if round_ == 1:
        suffrages = sum(counts.values()) + (blanks if statutes.abstentions_count_as_cast else 0)
        winners = [c for c in candidates if counts[c] >= suffrages // 2 + 1]
        return (winners[0], "adopted") if winners else (None, "rejected")
    if len(firsts) == 1:
        return firsts[0], "adopted"
    if firsts and statutes.tie_rule == "casting_vote" and casting in firsts:
        return casting, "adopted"
    return None, "rejected"


@settings(max_examples=300, deadline=None)
@given(
    statutes=statutes_variants(),
    n_candidates=st.integers(1, 4),
    data=st.data(),
    round_=st.sampled_from([1, 2]),
)
def test_election_matches_the_reference(statutes, n_candidates, data, round_):
    candidates = [f"c{i}" for i in range(n_candidates)]
    members = data.draw(st.integers(1, 12))
    attending = data.draw(st.integers(0, members))
    votes = data.draw(st.lists(st.sampled_from([*candidates, None]), max_size=attending))
    partner_votes = data.draw(st.lists(st.sampled_from([*candidates, None]), max_size=6))
    casting = data.draw(st.sampled_from([None, *candidates]))
    result = rules.election_result(
        statutes,
        body=Body.AGO,
        candidates=candidates,
        votes=votes,
        members=members,
        present=attending,
        represented=0,
        round=round_,
        advisory_votes=partner_votes,
        casting_vote=casting,
    )
    elected, outcome = ref_election(statutes, candidates, votes, members, attending, round_, casting)
    assert (result.elected, str(result.outcome)) == (elected, outcome)
    without_partners = rules.election_result(
        statutes,
        body=Body.AGO,
        candidates=candidates,
        votes=votes,
        members=members,
        present=attending,
        represented=0,
        round=round_,
        casting_vote=casting,
    )
    assert without_partners.elected == result.elected


def test_proxy_cap_and_delays():
    statutes = Statutes(max_proxies_per_holder=2)
    assert rules.proxy_allowed(statutes, held_by_holder=1)
    assert not rules.proxy_allowed(statutes, held_by_holder=2)
    assert rules.second_meeting_in_time(statutes, days_after_first=15)
    assert not rules.second_meeting_in_time(statutes, days_after_first=16)
    assert rules.convocation_in_time(statutes, days_ahead=7)
    assert not rules.convocation_in_time(statutes, days_ahead=6.9)
