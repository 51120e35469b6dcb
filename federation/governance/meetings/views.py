"""Pages of meetings: preparing one (from the governance page), the assembly room, its actions, the
minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import ServiceError, show_service_error
from federation.governance import selectors
from federation.governance.access import access_governance, access_meeting, can_manage_governance, is_delegate
from federation.governance.bureau.models import BureauRole
from federation.governance.meetings import selectors as meeting_selectors
from federation.governance.meetings import services
from federation.governance.meetings.downloads import pack_document_response
from federation.governance.meetings.models import MeetingDocument
from federation.governance.minutes import decision_lines, minutes_pdf
from federation.governance.polls.views import poll_from_form


def aware(value: str):
    moment = parse_datetime(value or "")
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def create(request, federation):
    """The "Préparer une séance" form of the governance page."""
    try:
        starts_at = aware(request.POST.get("starts_at", ""))
        if starts_at is None:
            raise ServiceError(
                _("Indiquez la date et l'heure de la séance."), code="starts_at_required", field="starts_at"
            )
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
        show_service_error(request, exc)
        return redirect("governance-federation", federation_slug=federation.slug)
    messages.success(request, _("Séance créée. Convoquez-la depuis la salle de séance."))
    return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=meeting.pk)


@login_required
def meeting_room(request, federation_slug, meeting_id):
    """The assembly room: agenda, attendance, live quorum, polls (live counts by polling the API)."""
    federation = access_governance(request.user, federation_slug)
    meeting = access_meeting(request.user, federation, meeting_id)
    can_manage = can_manage_governance(request.user, federation)
    polls = list(selectors.meeting_polls(meeting))
    sheet = selectors.attendance_sheet(meeting)
    # Which rows this user may sign in: all for managers, else the members they are delegate of.
    own_members = set(selectors.represented_member_ids(request.user, federation))
    own_mandates = selectors.mandate_ids_of(request.user, federation)
    for row in sheet:
        row["can_sign"] = can_manage or row["member_id"] in own_members or row["mandate_id"] in own_mandates
    delegates = list(selectors.active_delegates(federation))
    quorum = selectors.meeting_quorum(meeting)
    rows = []
    for poll in polls:
        turnout = selectors.poll_turnout(poll) if can_manage and poll.status == "open" else []
        rows.append(
            {
                "poll": poll,
                "lines": decision_lines(poll) if poll.result else [],
                "invitation": selectors.vote_invitation(request.user, poll),
                "turnout": turnout,
                "missing": [row["label"] for row in turnout if not row["voted"]],
            }
        )
    return render(
        request,
        "governance/meeting.html",
        {
            "federation": federation,
            "meeting": meeting,
            "can_manage": can_manage,
            "is_delegate": is_delegate(request.user, federation),
            "agenda": selectors.agenda(meeting),
            "sheet": sheet,
            "quorum": quorum,
            "polls": rows,
            "can_open": timezone.now() >= meeting.starts_at,
            "delegates": delegates,
            "cpts_delegates": [d for d in delegates if d.member.college == "cpts"],
            "cpts_members": [row for row in sheet if row["college"] == "cpts"],
            "bureau_roles": BureauRole.choices,
            "convocations": selectors.convocation_status(meeting) if can_manage else None,
            "pack": meeting_selectors.pack_summary(meeting),
            "pack_kinds": MeetingDocument.Kind.choices,
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
            services.meeting_convene(
                actor=request.user,
                meeting=meeting,
                allow_incomplete_pack=request.POST.get("allow_incomplete_pack") == "1",
            )
            messages.success(request, _("Convocation envoyée."))
        elif action == "open":
            services.meeting_open(actor=request.user, meeting=meeting)
            messages.success(request, _("Séance ouverte."))
        elif action == "close":
            services.meeting_close(actor=request.user, meeting=meeting)
            messages.success(request, _("Séance close : le procès-verbal est disponible."))
        elif action == "attendance":
            member = selectors.member_of(federation, request.POST.get("member"))
            mandate = selectors.mandate_of(federation, request.POST.get("mandate"))
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
            giver = selectors.member_of(federation, request.POST.get("giver"))
            holder = selectors.delegate_user(federation, request.POST.get("holder"))
            if giver is None or holder is None:
                raise ServiceError(
                    _("Le pouvoir doit être donné au délégué·e d'une autre CPTS membre."),
                    code="invalid_holder",
                )
            services.proxy_give(actor=request.user, meeting=meeting, giver=giver, holder=holder)
            messages.success(request, _("Pouvoir enregistré."))
        elif action == "withdraw_proxy":
            proxy = selectors.proxy_of(meeting, request.POST.get("proxy"))
            if proxy is None:
                raise Http404
            services.proxy_withdraw(actor=request.user, proxy=proxy)
            messages.success(request, _("Pouvoir retiré."))
        elif action == "poll":
            poll = poll_from_form(request, federation, meeting=meeting)
            messages.success(request, _("Question « %(title)s » inscrite.") % {"title": poll.title})
        else:
            raise Http404
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=meeting.pk)


@login_required
def minutes(request, federation_slug, meeting_id):
    federation = access_governance(request.user, federation_slug)
    meeting = access_meeting(request.user, federation, meeting_id)
    response = HttpResponse(minutes_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="proces-verbal-{meeting.pk}.pdf"'
    return response


@login_required
@require_POST
def meeting_pack_upload(request, federation_slug, meeting_id):
    """Add a document to the AGO's pack (coordinators)."""
    federation = access_governance(request.user, federation_slug, for_write=True)
    meeting = access_meeting(request.user, federation, meeting_id, for_write=True)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ServiceError(_("Choisissez un fichier."), code="file_required", field="file")
        document = services.meeting_document_upload(
            actor=request.user, meeting=meeting, kind=request.POST.get("kind", ""), upload=upload
        )
        messages.success(
            request, _("« %(kind)s » ajouté au dossier de l'AG.") % {"kind": document.get_kind_display()}
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("governance-meeting", federation_slug=federation.slug, meeting_id=meeting.pk)


@login_required
def meeting_document(request, federation_slug, meeting_id, document_id):
    """Download a document of the pack: any member of the federation's governance (delegates)."""
    federation = access_governance(request.user, federation_slug)
    meeting = access_meeting(request.user, federation, meeting_id)
    document = meeting_selectors.pack_document_of(meeting, document_id)
    if document is None:
        raise Http404
    return pack_document_response(document)
