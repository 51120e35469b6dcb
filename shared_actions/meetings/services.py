"""Writes of meetings: create, invite (e-mailed with an iCalendar invitation), replies, attendance
list, minutes. Keyword-only, atomic, validated before save; errors are ServiceErrors."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Cpts, Federation, User
from federation.selectors import cpts_federation
from shared_actions import ical
from shared_actions.access import scope_of
from shared_actions.campaigns.access import can_manage_campaign
from shared_actions.campaigns.models import Campaign
from shared_actions.common import local_datetime
from shared_actions.documents.models import Document, DocumentCategory, Visibility
from shared_actions.documents.services import document_write, version_create
from shared_actions.meetings.access import can_manage_meeting
from shared_actions.meetings.models import Invitation, Meeting
from shared_actions.meetings.selectors import meeting_people_q


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    kind: str = Meeting.Kind.CPTS,
    cpts: Cpts | None = None,
    federation: Federation | None = None,
    campaign: Campaign | None = None,
    place: str = "",
    video_url: str = "",
    agenda: str = "",
    invitees: Iterable[User] = (),
) -> Meeting:
    """A CPTS meeting (its coordinators) or a federation meeting (its staff; campaign meetings also
    the campaign's managers). Invitations are e-mailed once the transaction commits."""
    scope = scope_of(actor)
    if cpts is not None:
        if not scope.manages_cpts(cpts.pk):
            raise PermissionDenied
        federation = cpts_federation(cpts)
    elif campaign is not None:
        federation = campaign.federation
        if not can_manage_campaign(scope, campaign):
            raise PermissionDenied
    elif federation is not None:
        if not scope.manages_federation(federation.pk):
            raise PermissionDenied
    else:
        raise ServiceError(_("Une réunion appartient à une CPTS ou à la fédération."), code="no_owner")
    if end <= start:
        raise ServiceError(_("La fin de la réunion doit être après son début."), code="end_before_start")
    if not place and not video_url:
        raise ServiceError(_("Indiquez un lieu ou un lien de visioconférence."), code="no_place")
    meeting = Meeting(
        title=title,
        start=start,
        end=end,
        kind=Meeting.Kind.CAMPAIGN
        if campaign is not None and kind == Meeting.Kind.CPTS and cpts is None
        else kind,
        cpts=cpts,
        federation=federation,
        campaign=campaign,
        place=place,
        video_url=video_url,
        agenda=agenda,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    invitees = list(invitees)
    if invitees:
        meeting_invite(actor=actor, meeting=meeting, users=invitees)
    return meeting


@transaction.atomic
def meeting_invite(*, actor: User, meeting: Meeting, users: Iterable[User]) -> list[Invitation]:
    if not can_manage_meeting(scope_of(actor), meeting):
        raise PermissionDenied
    users = list({u.pk: u for u in users}.values())
    allowed = set(User.objects.filter(meeting_people_q(meeting)).values_list("pk", flat=True))
    outside = [u for u in users if u.pk not in allowed]
    if outside:
        # Identifiers only: the names of people outside the space are not the organiser's to learn.
        raise ServiceError(
            _("Personnes hors de la CPTS ou de la fédération (identifiants %(ids)s) : invitation impossible.")
            % {"ids": ", ".join(str(u.pk) for u in outside)},
            code="invitee_outside",
        )
    existing = set(meeting.invitations.values_list("user_id", flat=True))
    created = Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, user=u) for u in users if u.pk not in existing]
    )
    ids = [u.pk for u in users if u.pk not in existing]
    if ids:
        from shared_actions import tasks  # tasks import the services: resolved at call time

        transaction.on_commit(lambda: tasks.send_meeting_invitations.delay(meeting.pk, ids))
    return created


def meeting_invitations_send(*, meeting_id: int, user_ids: list[int]) -> int:
    """E-mail the invitations (with an iCalendar REQUEST attached) not sent yet. Idempotent."""
    meeting = Meeting.objects.select_related("cpts", "federation", "created_by").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    sent = 0
    for invitation in meeting.invitations.filter(user_id__in=user_ids, sent_at__isnull=True).select_related(
        "user"
    ):
        claimed = Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            continue
        where = meeting.place or meeting.video_url
        body = _(
            "Bonjour,\n\nVous êtes invité·e à la réunion « %(title)s » (%(owner)s).\n"
            "Quand : %(start)s – %(end)s\nOù : %(where)s\n\nOrdre du jour :\n%(agenda)s\n\n"
            "Répondre : %(url)s\n"
        ) % {
            "title": meeting.title,
            "owner": meeting.cpts or meeting.federation,
            "start": local_datetime(meeting.start),
            "end": local_datetime(meeting.end),
            "where": where,
            "agenda": meeting.agenda or "—",
            "url": f"{settings.SITE_URL}/actions/reunions/{meeting.pk}/",
        }
        message = EmailMessage(
            subject=_("Invitation : %(title)s") % {"title": meeting.title},
            body=body,
            to=[invitation.user.email],
        )
        message.attach(
            "invitation.ics",
            ical.meeting_invitation(meeting, invitation.user),
            "text/calendar; method=REQUEST",
        )
        message.send()
        sent += 1
    return sent


@transaction.atomic
def invitation_reply(*, actor: User, meeting: Meeting, reply: str) -> Invitation:
    invitation = meeting.invitations.filter(user=actor).first()
    if invitation is None:
        raise ServiceError(_("Vous n'êtes pas invité·e à cette réunion."), code="not_invited")
    if reply not in Invitation.Reply.values or reply == Invitation.Reply.PENDING:
        raise ServiceError(_("Réponse invalide."), code="bad_reply")
    invitation.reply = reply
    invitation.replied_at = timezone.now()
    invitation.save(update_fields=["reply", "replied_at"])
    return invitation


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, present_user_ids: Iterable[int]) -> int:
    """The attendance list (liste d'émargement): invitees present or absent."""
    if not can_manage_meeting(scope_of(actor), meeting):
        raise PermissionDenied
    present = set(present_user_ids)
    unknown = present - set(meeting.invitations.values_list("user_id", flat=True))
    if unknown:
        raise ServiceError(_("Seules les personnes invitées peuvent émarger."), code="not_invited")
    meeting.invitations.filter(user_id__in=present).update(attended=True)
    meeting.invitations.exclude(user_id__in=present).update(attended=False)
    return len(present)


@transaction.atomic
def meeting_attach_minutes(
    *, actor: User, meeting: Meeting, file=None, document: Document | None = None, title: str = ""
) -> Document:
    """Attach the minutes: upload a file (a shared document of category compte rendu, visible like the
    meeting) or a new version of the existing minutes, or link an existing document."""
    if not can_manage_meeting(scope_of(actor), meeting):
        raise PermissionDenied
    if document is None:
        if file is None:
            raise ServiceError(_("Aucun fichier n'a été envoyé."), code="no_file")
        if meeting.minutes_id:
            version = version_create(
                actor=actor,
                document=Document.objects.select_for_update().get(pk=meeting.minutes_id),
                upload=file,
                comment="",
            )
            return version.document
        document = document_write(
            actor=actor,
            title=title or _("Compte rendu — %(title)s") % {"title": meeting.title},
            category=DocumentCategory.REPORT,
            file=file,
            cpts=meeting.cpts,
            federation=None if meeting.cpts_id else meeting.federation,
            visibility=Visibility.OWNER if meeting.cpts_id else Visibility.FEDERATION,
            shared_with=(),
            description=_("Réunion du %(date)s") % {"date": local_datetime(meeting.start)},
            comment="",
        )
    meeting.minutes = document
    meeting.save(update_fields=["minutes"])
    return document
