"""The result of a poll: loads its ballots and attendance, applies the statutes' rules (`rules.py`)."""

from federation.governance import rules
from federation.governance.bureau.selectors import president
from federation.governance.meetings.selectors import attendance_counts, deciding_members_count
from federation.governance.polls.models import Ballot, Candidate, Participation, Poll
from federation.governance.polls.selectors import participation_counts
from federation.governance.statutes.models import Body
from federation.governance.statutes.selectors import statutes_of
from federation.models import College


def casting_vote(poll: Poll, explicit: str | None) -> str | None:
    """The president's casting vote: given at closing, or (open polls) the president's own vote."""
    if explicit:
        return explicit
    if poll.secret:
        return None
    chair = president(poll.federation)
    if chair is None:
        return None
    row = Participation.objects.filter(poll=poll, cast_by=chair.user, by_proxy=False).first()
    if row is None:
        return None
    return (
        str(row.open_candidate_id)
        if poll.kind == Poll.Kind.ELECTION and row.open_candidate_id
        else row.open_choice
    )


def compute_result(poll: Poll, casting: str | None = None, ballots: list[tuple] | None = None) -> dict:
    """The result of a poll from its ballots and the statutes (not stored). `ballots` are
    (college, choice, candidate_id, blank) tuples; by default the poll's `Ballot` rows."""
    federation = poll.federation
    statutes = statutes_of(federation).as_rules()
    members = deciding_members_count(federation, poll.body)
    participation = participation_counts(poll)
    if poll.meeting_id:
        counts = attendance_counts(poll.meeting)
        present, represented = counts["present"], counts["represented"]
        second_meeting = poll.meeting.is_second_meeting
    else:  # written consultation: those who answered make the quorum
        present = participation.get("cpts", participation.get("bureau", 0))
        represented = 0
        second_meeting = False
    if ballots is None:
        ballots = list(
            Ballot.objects.filter(poll=poll).values_list("college", "choice", "candidate_id", "blank")
        )
    deciding = [b for b in ballots if b[0] == College.CPTS]
    advisory = [b for b in ballots if b[0] == College.PARTNERS] if poll.body != Body.BUREAU else []
    casting = casting_vote(poll, casting)
    if poll.kind == Poll.Kind.MOTION:
        result = rules.motion_result(
            statutes,
            body=rules.Body(poll.body),
            kind=rules.DecisionKind(poll.decision_kind),
            tally=rules.Tally.of(b[1] for b in deciding),
            members=members,
            present=present,
            represented=represented,
            advisory_tally=rules.Tally.of(b[1] for b in advisory),
            advisory_members=participation.get("eligible_partners", 0),
            second_meeting=second_meeting,
            casting_vote=rules.Choice(casting) if casting in ("yes", "no", "abstain") else None,
        ).as_dict()
    else:
        candidates = list(Candidate.objects.filter(poll=poll))
        result = rules.election_result(
            statutes,
            body=rules.Body(poll.body),
            candidates=[str(c.pk) for c in candidates],
            votes=[None if b[3] else str(b[2]) for b in deciding],
            members=members,
            present=present,
            represented=represented,
            round=poll.election_round,
            advisory_votes=[None if b[3] else str(b[2]) for b in advisory],
            second_meeting=second_meeting,
            casting_vote=casting,
        ).as_dict()
        result["labels"] = {str(c.pk): c.label for c in candidates}
        result["elected_label"] = result["labels"].get(result["elected"] or "", "")
    result["participation"] = participation
    result["decision_kind"] = poll.decision_kind
    result["body"] = poll.body
    return result
