"""French pages of governance (thin: access helpers, selectors, services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.governance import selectors, services
from federation.governance.access import (
    access_governance,
    access_meeting,
    access_poll,
    can_manage_governance,
    is_delegate,
    require_delegate,
)
from federation.governance.forms import StatutesChangeForm
from federation.governance.minutes import decision_lines, minutes_pdf, outcome_label
from federation.governance.models import Body, BureauMandate, BureauRole, Candidate, Poll, Proxy
from federation.models import CptsRole, FederationMember, Membership, User
from federation.selectors import user_federations


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def index(request):
    """The user's federations, with their upcoming meetings, open polls and recent results."""
    rows = []
    for federation in user_federations(request.user):
        rows.append(
            {
                "federation": federation,
                "upcoming": selectors.upcoming_meetings(federation)[:5],
                "open_polls": selectors.open_polls(federation)[:10],
                "recent": selectors.polls(federation).filter(status=Poll.Status.PUBLISHED)[:5],
            }
        )
    return render(request, "governance/index.html", {"rows": rows})


@login_required
def federation_governance(request, federation_slug):
    federation = access_governance(request.user, federation_slug)
    can_manage = can_manage_governance(request.user, federation)
    designable = _designable_members(request.user, federation)
    if request.method == "POST":
        form = request.POST.get("form")
        if form == "delegate":
            return _designate(request, federation, designable)
        if not can_manage:
            raise PermissionDenied
        if form == "consultation":
            return _create_consultation(request, federation)
        if form == "fee":
            return _fee_status(request, federation)
        if form == "bureau":
            return _install_bureau(request, federation)
        if form == "statutes":
            return _propose_statutes_change(request, federation)
        starts_at = parse_datetime(request.POST.get("starts_at", ""))
        try:
            if starts_at is None:
                raise ValidationError(_("Indiquez la date et l'heure de la séance."))
            if timezone.is_naive(starts_at):
                starts_at = timezone.make_aware(starts_at)
            meeting = services.meeting_create(
                actor=request.user,
                federation=federation,
                body=request.POST.get("body", ""),
                title=request.POST.get("title", "").strip(),
                starts_at=starts_at,
                location=request.POST.get("location", "").strip(),
                agenda=[line.strip() for line in request.POST.get("agenda", "").splitlines() if line.strip()],
            )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("governance-federation", federation_slug=federation.slug)
        messages.success(request, _("Séance créée. Convoquez-la depuis la salle de séance."))
        return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=meeting.pk)
    return render(
        request,
        "governance/federation.html",
        {
            "federation": federation,
            "can_manage": can_manage,
            "statutes": selectors.statutes_of(federation),
            "bureau": selectors.bureau(federation),
            "delegates": selectors.active_delegates(federation),
            "cpts_delegates": selectors.active_delegates(federation).filter(member__college="cpts"),
            "meetings": selectors.meetings(federation),
            "polls": selectors.polls(federation).filter(meeting__isnull=True),
            "register": selectors.polls(federation).filter(status=Poll.Status.PUBLISHED),
            "fees": selectors.fees(federation) if can_manage else [],
            "bodies": Body.choices,
            "designable": designable,
            "statutes_form": StatutesChangeForm(
                instance=selectors.statutes_of(federation), federation=federation
            )
            if can_manage
            else None,
            "bureau_roles": BureauRole.choices,
            "today": timezone.localdate(),
        },
    )


def _designable_members(user, federation):
    """(member, candidate users) pairs of the member CPTS whose delegates `user` may designate."""
    members = selectors.college_members(federation, "cpts")
    if not can_manage_governance(user, federation):
        members = members.filter(
            cpts__memberships__user=user,
            cpts__memberships__role__in=[CptsRole.COORDINATOR, CptsRole.ADMIN, CptsRole.BUREAU],
        )
    return [
        (member, [m.user for m in Membership.objects.filter(cpts=member.cpts).select_related("user")])
        for member in members
    ]


def _designate(request, federation, designable):
    member_id, _sep, user_id = (request.POST.get("choice") or "").partition(":")
    allowed = {str(member.pk): (member, {str(u.pk): u for u in users}) for member, users in designable}
    if member_id not in allowed or user_id not in allowed[member_id][1]:
        raise PermissionDenied
    member, users = allowed[member_id]
    try:
        services.delegate_designate(
            actor=request.user,
            federation=federation,
            cpts=member.cpts,
            user=users[user_id],
            kind=request.POST.get("kind") or "titular",
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Délégué·e désigné·e."))
    return redirect("governance-federation", federation_slug=federation.slug)


def _propose_statutes_change(request, federation):
    """A change of the statutes settings becomes a poll of the AGE (in session or written)."""
    form = StatutesChangeForm(request.POST, instance=selectors.statutes_of(federation), federation=federation)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''} : {error}"
                )
        return redirect("governance-federation", federation_slug=federation.slug)
    data = form.cleaned_data
    try:
        poll = services.statutes_change_propose(
            actor=request.user,
            federation=federation,
            changes=form.changes(),
            meeting=data["meeting"],
            opens_at=None if data["meeting"] else data["opens_at"],
            closes_at=None if data["meeting"] else data["closes_at"],
        )
        if poll.meeting_id is None:
            services.poll_open(actor=request.user, poll=poll)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("governance-federation", federation_slug=federation.slug)
    messages.success(request, _("La modification est soumise au vote de l'AGE."))
    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)


def _fee_status(request, federation):
    fee = selectors.fees(federation).filter(pk=request.POST.get("fee") or 0).first()
    if fee is None:
        raise Http404
    try:
        services.fee_mark(actor=request.user, fee=fee, status=request.POST.get("status", ""))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("governance-federation", federation_slug=federation.slug)


def _install_bureau(request, federation):
    delegates = {str(d.user_id): d.user for d in selectors.active_delegates(federation)}
    seats = []
    for role, _label in BureauRole.choices:
        for user_id in request.POST.getlist(role):
            if user_id:
                if user_id not in delegates:
                    raise Http404
                seats.append((delegates[user_id], role))
    starts_on = parse_date(request.POST.get("starts_on") or "") or timezone.localdate()
    try:
        services.bureau_set(actor=request.user, federation=federation, seats=seats, starts_on=starts_on)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Nouveau bureau installé."))
    return redirect("governance-federation", federation_slug=federation.slug)


def _aware(value: str):
    moment = parse_datetime(value or "")
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _poll_from_form(request, federation, **extra):
    kind = request.POST.get("kind") or Poll.Kind.MOTION
    candidates = list(User.objects.filter(pk__in=request.POST.getlist("candidates")))
    seat = request.POST.get("seat") or ""
    if kind == Poll.Kind.ELECTION and seat:
        extra["effect"] = {"type": "bureau_seat", "role": seat}
    return services.poll_create(
        actor=request.user,
        federation=federation,
        title=request.POST.get("title", "").strip(),
        description=request.POST.get("description", "").strip(),
        secret=request.POST.get("secret") == "on",
        kind=kind,
        candidates=candidates if kind == Poll.Kind.ELECTION else None,
        decision_kind=request.POST.get("decision_kind") or "ordinary",
        **extra,
    )


def _create_consultation(request, federation):
    """A written consultation (asynchronous e-vote between two dates)."""
    try:
        poll = _poll_from_form(
            request,
            federation,
            body=request.POST.get("body") or Body.AGO,
            opens_at=_aware(request.POST.get("opens_at")),
            closes_at=_aware(request.POST.get("closes_at")),
        )
        services.poll_open(actor=request.user, poll=poll)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("governance-federation", federation_slug=federation.slug)
    messages.success(request, _("Consultation écrite ouverte."))
    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)


@login_required
def meeting_room(request, federation_slug, meeting_id):
    """The assembly room: agenda, attendance, live quorum, polls (live counts by polling the API)."""
    federation = access_governance(request.user, federation_slug)
    meeting = access_meeting(request.user, federation, meeting_id)
    can_manage = can_manage_governance(request.user, federation)
    polls = list(meeting.polls.order_by("created_at", "id"))
    sheet = selectors.attendance_sheet(meeting)
    # Which rows this user may sign in: all for managers, else the members they are delegate of.
    own_members = set(selectors.represented_member_ids(request.user, federation))
    own_mandates = set(
        BureauMandate.objects.filter(federation=federation, user=request.user).values_list("pk", flat=True)
    )
    for row in sheet:
        row["can_sign"] = can_manage or row["member_id"] in own_members or row["mandate_id"] in own_mandates
    return render(
        request,
        "governance/meeting.html",
        {
            "federation": federation,
            "meeting": meeting,
            "can_manage": can_manage,
            "is_delegate": is_delegate(request.user, federation),
            "agenda": meeting.agenda_items.order_by("position"),
            "sheet": sheet,
            "quorum": selectors.meeting_quorum(meeting),
            "polls": [(p, decision_lines(p) if p.result else []) for p in polls],
            "delegates": selectors.active_delegates(federation),
            "cpts_delegates": selectors.active_delegates(federation).filter(member__college="cpts"),
            "cpts_members": [row for row in sheet if row["college"] == "cpts"],
            "bureau_roles": BureauRole.choices,
        },
    )


@login_required
@require_POST
def meeting_action(request, federation_slug, meeting_id):
    """Convene / open / close (managers); sign in / give a proxy (delegates for their own member)."""
    federation = access_governance(request.user, federation_slug)
    action = request.POST.get("action", "")
    manager_actions = {"convene", "open", "close", "poll"}
    meeting = access_meeting(request.user, federation, meeting_id, for_write=action in manager_actions)
    try:
        if action == "convene":
            services.meeting_convene(actor=request.user, meeting=meeting)
            messages.success(request, _("Convocation envoyée."))
        elif action == "open":
            services.meeting_open(actor=request.user, meeting=meeting)
        elif action == "close":
            services.meeting_close(actor=request.user, meeting=meeting)
        elif action == "attendance":
            member = FederationMember.objects.filter(
                federation=federation, pk=request.POST.get("member") or 0
            ).first()
            mandate = BureauMandate.objects.filter(
                federation=federation, pk=request.POST.get("mandate") or 0
            ).first()
            if member is None and mandate is None:
                raise Http404
            services.attendance_sign(
                actor=request.user,
                meeting=meeting,
                member=member,
                mandate=mandate,
                status=request.POST.get("status"),
            )
        elif action == "proxy":
            giver = FederationMember.objects.filter(
                federation=federation, pk=request.POST.get("giver") or 0
            ).first()
            holder = User.objects.filter(pk=request.POST.get("holder") or 0).first()
            if giver is None or holder is None:
                raise ValidationError(_("Choisissez la CPTS et le/la délégué·e qui reçoit le pouvoir."))
            services.proxy_give(actor=request.user, meeting=meeting, giver=giver, holder=holder)
            messages.success(request, _("Pouvoir enregistré."))
        elif action == "withdraw_proxy":
            proxy = Proxy.objects.filter(meeting=meeting, pk=request.POST.get("proxy") or 0).first()
            if proxy is None:
                raise Http404
            services.proxy_withdraw(actor=request.user, proxy=proxy)
            messages.success(request, _("Pouvoir retiré."))
        elif action == "poll":
            poll = _poll_from_form(request, federation, meeting=meeting)
            messages.success(request, _("Question « %(title)s » inscrite.") % {"title": poll.title})
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=meeting.pk)


@login_required
def minutes(request, federation_slug, meeting_id):
    federation = access_governance(request.user, federation_slug)
    meeting = access_meeting(request.user, federation, meeting_id)
    response = HttpResponse(minutes_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="proces-verbal-{meeting.pk}.pdf"'
    return response


def _choice_label(poll: Poll, choice: str, candidate: Candidate | None, blank: bool) -> str:
    if poll.kind == Poll.Kind.MOTION:
        return {"yes": _("Pour"), "no": _("Contre"), "abstain": _("Abstention")}.get(choice, "")
    return _("Vote blanc") if blank else (candidate.label if candidate else "")


@login_required
def poll_page(request, federation_slug, poll_id):
    """Voting page (one tap per choice, then a confirmation) and results (both colleges)."""
    federation = access_governance(request.user, federation_slug)
    poll = access_poll(request.user, federation, poll_id)
    rights = selectors.voting_rights(request.user, poll)
    voted = selectors.voted_keys(poll, rights)
    confirm = None
    if request.method == "POST":
        require_delegate(request.user, federation)
        right_key = request.POST.get("right") or None
        choice = request.POST.get("choice", "")
        blank = choice == "blank"
        candidate = None
        if poll.kind == Poll.Kind.ELECTION and not blank:
            candidate = Candidate.objects.filter(poll=poll, pk=choice or 0).first()
        opinion = request.POST.get("opinion", "").strip()
        if request.POST.get("confirm") != "1":
            right = next((r for r in rights if r.key == right_key), None)
            if right is None:
                raise PermissionDenied
            confirm = {
                "right": right,
                "choice": choice,
                "label": _choice_label(poll, choice, candidate, blank),
                "opinion": opinion,
            }
        else:
            try:
                services.ballot_cast(
                    actor=request.user,
                    poll=poll,
                    right_key=right_key,
                    choice="" if poll.kind == Poll.Kind.ELECTION else choice,
                    candidate_id=candidate.pk if candidate else None,
                    blank=blank,
                    opinion=opinion,
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Votre vote est enregistré."))
            return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)
    closed = poll.status in (Poll.Status.CLOSED, Poll.Status.PUBLISHED)
    result = poll.result if closed else {}
    return render(
        request,
        "governance/poll.html",
        {
            "federation": federation,
            "poll": poll,
            "can_manage": can_manage_governance(request.user, federation),
            "rights": [(r, r.key in voted) for r in rights],
            "confirm": confirm,
            "candidates": selectors.poll_candidates(poll),
            "closed": closed,
            "result": result,
            "lines": decision_lines(poll, with_tallies=False) if closed else [],
            "outcome": outcome_label(result.get("outcome", "")) if result else "",
            "advisory_outcome": outcome_label(result.get("advisory_outcome", "")) if result else "",
            "live": services.poll_live_data(poll),
            "named_votes": selectors.named_votes(poll) if closed else [],
            "opinions": selectors.partner_opinions(poll),
            "choices": [("yes", _("Pour")), ("no", _("Contre")), ("abstain", _("Abstention"))],
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
            services.poll_open(actor=request.user, poll=poll)
        elif action == "close":
            services.poll_close(
                actor=request.user, poll=poll, casting_vote=request.POST.get("casting_vote") or None
            )
        elif action == "publish":
            services.poll_publish(actor=request.user, poll=poll)
        elif action == "second-round":
            poll = services.election_second_round(actor=request.user, poll=poll)
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    if request.POST.get("next") == "meeting" and poll.meeting_id:
        return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=poll.meeting_id)
    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)
