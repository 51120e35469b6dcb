"""Writes of meetings: preparing, convening (with one claimed delivery per recipient), opening and
closing a meeting; the attendance sheet and proxies."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.events import send_event_on_commit
from federation.governance import rules
from federation.governance.access import can_manage_governance
from federation.governance.audit import audit_append
from federation.governance.bureau.models import BureauMandate
from federation.governance.common import check_manager
from federation.governance.meetings import selectors
from federation.governance.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ConvocationDelivery,
    Meeting,
    MeetingDocument,
    Proxy,
)
from federation.governance.membership.selectors import active_delegates, is_delegate_of
from federation.governance.realtime import event, federation_group
from federation.governance.statutes.models import Body
from federation.governance.statutes.selectors import statutes_of
from federation.models import College, Federation, FederationMember, User


def publish_meeting(meeting: Meeting, name: str) -> None:
    """Send a meeting event (status and live quorum) to the federation's group, on commit."""
    data = {"status": meeting.status, "quorum": selectors.meeting_quorum(meeting).as_dict()}
    send_event_on_commit(
        [federation_group(meeting.federation_id)],
        event(name, federation_id=meeting.federation_id, meeting_id=meeting.pk, data=data),
    )


@transaction.atomic
def meeting_create(
    *,
    actor: User | None,
    federation: Federation,
    body: str,
    title: str,
    starts_at: datetime,
    location: str = "",
    agenda: list[str] | None = None,
    first_meeting: Meeting | None = None,
) -> Meeting:
    """Prepare a meeting of a body with its agenda. A second meeting (after a failed quorum) must be
    held within the statutory delay after the first."""
    check_manager(actor, federation)
    if body not in Body.values:
        raise ServiceError(_("Instance inconnue."), code="invalid_body", field="body")
    if first_meeting is not None:
        if first_meeting.federation_id != federation.pk or first_meeting.body != body:
            raise ServiceError(
                _("La première séance doit être de la même instance."), code="invalid_first_meeting"
            )
        if selectors.meeting_quorum(first_meeting).met:
            raise ServiceError(
                _("Le quorum de la première séance était atteint : pas de seconde convocation."),
                code="quorum_met",
            )
        days = (
            timezone.localtime(starts_at).date() - timezone.localtime(first_meeting.starts_at).date()
        ).days
        statutes = statutes_of(federation).as_rules()
        if not rules.second_meeting_in_time(statutes, days_after_first=days):
            raise ServiceError(
                _("La seconde séance doit se tenir dans les %(n)d jours suivant la première.")
                % {"n": statutes.second_meeting_within_days},
                code="second_meeting_too_late",
            )
    meeting = Meeting(
        federation=federation,
        body=body,
        title=title,
        starts_at=starts_at,
        location=location,
        first_meeting=first_meeting,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    for position, item in enumerate(agenda or [], start=1):
        row = AgendaItem(meeting=meeting, position=position, title=item)
        row.full_clean()
        row.save()
    audit_append(
        federation=federation,
        event="meeting.created",
        actor=actor,
        payload={"meeting": meeting.pk, "body": body, "title": title, "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def meeting_convene(
    *,
    actor: User | None,
    meeting: Meeting,
    now: datetime | None = None,
    send_emails: bool = True,
    allow_incomplete_pack: bool = True,
) -> Meeting:
    """Send the convocation (e-mail with the agenda), at least the statutory number of days ahead.
    One delivery row per recipient is written with the meeting's new status; the sending task (on
    commit) claims them one by one. `send_emails=False` records a convocation sent by other means
    (demo data, paper mail). The page and the API pass `allow_incomplete_pack=False` until the
    coordinator confirms convening an AGO whose pack (budget, accounts, reports) is incomplete."""
    check_manager(actor, meeting.federation)
    missing = selectors.pack_missing(meeting)
    if missing and not allow_incomplete_pack:
        labels = ", ".join(str(MeetingDocument.Kind(kind).label) for kind in missing)
        raise ServiceError(
            _("Le dossier de l'AG est incomplet (manque : %(missing)s). Confirmez pour convoquer quand même.")
            % {"missing": labels},
            code="ag_pack_incomplete",
        )
    # Two convocations at once: the second waits here, then sees the meeting convened.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    meeting.refresh_from_db(fields=["status"])
    if meeting.status != Meeting.Status.DRAFT:
        raise ServiceError(_("Cette séance a déjà été convoquée."), code="already_convened")
    now = now or timezone.now()
    statutes = statutes_of(meeting.federation).as_rules()
    days_ahead = (meeting.starts_at - now).total_seconds() / 86400
    # A second meeting is convened within the first one's delay: the usual notice cannot apply.
    if not meeting.is_second_meeting and not rules.convocation_in_time(statutes, days_ahead=days_ahead):
        raise ServiceError(
            _("La convocation doit être envoyée au moins %(n)d jours avant la séance (statuts).")
            % {"n": statutes.convocation_days},
            code="convocation_too_late",
        )
    meeting.status = Meeting.Status.CONVENED
    meeting.convened_at = now
    meeting.save(update_fields=["status", "convened_at"])
    recipients = selectors.convocation_recipients(meeting)
    status = ConvocationDelivery.Status.PENDING if send_emails else ConvocationDelivery.Status.SENT
    ConvocationDelivery.objects.bulk_create(
        [
            ConvocationDelivery(
                meeting=meeting,
                user=user,
                email=user.email,
                language=getattr(user, "language", "") or settings.LANGUAGE_CODE,
                status=status,
                sent_at=None if send_emails else now,
            )
            for user in recipients
        ]
    )
    audit_append(
        federation=meeting.federation,
        event="meeting.convened",
        actor=actor,
        payload={
            "meeting": meeting.pk,
            "recipients": len(recipients),
            "starts_at": meeting.starts_at.isoformat(),
        },
    )
    if send_emails:
        from federation.governance.tasks import send_convocation

        transaction.on_commit(lambda: send_convocation.delay(meeting.pk))
    publish_meeting(meeting, "meeting.convened")
    return meeting


def convocation_claim_next(*, meeting_id: int) -> ConvocationDelivery | None:
    """Claim one pending delivery of the meeting (pending → sending) in its own committed transaction,
    so that no other run, and no redelivery of this task, sends it again. None when all are claimed."""
    with transaction.atomic():
        delivery = (
            ConvocationDelivery.objects.select_for_update(skip_locked=True)
            .filter(meeting_id=meeting_id, status=ConvocationDelivery.Status.PENDING)
            .order_by("pk")
            .first()
        )
        if delivery is None:
            return None
        delivery.status = ConvocationDelivery.Status.SENDING
        delivery.claimed_at = timezone.now()
        delivery.save(update_fields=["status", "claimed_at"])
    return delivery


def convocation_send(*, delivery: ConvocationDelivery) -> None:
    """Send one claimed convocation, in the recipient's language, then confirm it (sending → sent)."""
    if delivery.status != ConvocationDelivery.Status.SENDING:
        raise ServiceError(_("Cet envoi n'a pas été réservé."), code="not_claimed")
    meeting = Meeting.objects.select_related("federation").get(pk=delivery.meeting_id)
    url = settings.SITE_URL.rstrip("/") + reverse(
        "governance-meeting", kwargs={"federation_slug": meeting.federation.slug, "meeting_id": meeting.pk}
    )
    site = settings.SITE_URL.rstrip("/")
    documents = [
        {"document": d, "url": site + selectors.pack_document_url(meeting, d)}
        for d in selectors.pack_documents(meeting)
    ]
    with translation.override(delivery.language):
        subject = _("[%(federation)s] Convocation : %(title)s") % {
            "federation": meeting.federation.name,
            "title": meeting.title,
        }
        body = render_to_string(
            "governance/email/convocation.txt",
            {"meeting": meeting, "agenda": selectors.agenda(meeting), "url": url, "documents": documents},
        )
        EmailMessage(subject, body, to=[delivery.email]).send()
    ConvocationDelivery.objects.filter(pk=delivery.pk, status=ConvocationDelivery.Status.SENDING).update(
        status=ConvocationDelivery.Status.SENT, sent_at=timezone.now()
    )


@transaction.atomic
def meeting_open(*, actor: User | None, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Open the session: only a convened meeting, and not before its scheduled time."""
    check_manager(actor, meeting.federation)
    now = now or timezone.now()
    if meeting.status != Meeting.Status.CONVENED:
        raise ServiceError(_("Seule une séance convoquée peut être ouverte."), code="not_convened")
    if now < meeting.starts_at:
        # The convocation's date is what the members were told: opening earlier bypasses the notice.
        raise ServiceError(
            _("La séance est convoquée pour le %(date)s : elle ne peut pas être ouverte avant.")
            % {"date": date_format(timezone.localtime(meeting.starts_at), "j F Y à H:i")},
            code="too_early",
        )
    meeting.status = Meeting.Status.OPEN
    meeting.opened_at = now
    meeting.save(update_fields=["status", "opened_at"])
    audit_append(
        federation=meeting.federation,
        event="meeting.opened",
        actor=actor,
        payload={"meeting": meeting.pk, "quorum": selectors.meeting_quorum(meeting).as_dict()},
    )
    publish_meeting(meeting, "meeting.opened")
    return meeting


@transaction.atomic
def meeting_close(*, actor: User | None, meeting: Meeting) -> Meeting:
    check_manager(actor, meeting.federation)
    if meeting.status != Meeting.Status.OPEN:
        raise ServiceError(_("Seule une séance ouverte peut être close."), code="not_open")
    if meeting.polls.filter(status="open").exists():
        raise ServiceError(_("Des votes sont encore ouverts."), code="polls_open")
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    audit_append(
        federation=meeting.federation,
        event="meeting.closed",
        actor=actor,
        payload={"meeting": meeting.pk, "quorum": selectors.meeting_quorum(meeting).as_dict()},
    )
    publish_meeting(meeting, "meeting.closed")
    return meeting


def _check_meeting_running(meeting: Meeting) -> None:
    if meeting.status not in (Meeting.Status.CONVENED, Meeting.Status.OPEN):
        raise ServiceError(_("La séance n'est pas convoquée ou est close."), code="meeting_not_running")


@transaction.atomic
def attendance_sign(
    *,
    actor: User | None,
    meeting: Meeting,
    status: str,
    member: FederationMember | None = None,
    mandate: BureauMandate | None = None,
) -> Attendance:
    """Sign a member (or bureau seat) in as present, absent or excused. "Represented" comes from a proxy.
    A delegate may sign their own member in; the bureau and coordinators sign anyone."""
    federation = meeting.federation
    _check_meeting_running(meeting)
    if status not in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        raise ServiceError(
            _("Un membre est représenté en donnant un pouvoir."), code="invalid_status", field="status"
        )
    if (member is None) == (mandate is None):
        raise ServiceError(_("Indiquez un membre ou un siège du bureau."), code="member_or_mandate")
    if meeting.body == Body.BUREAU and mandate is None:
        raise ServiceError(_("Le bureau émarge par siège."), code="mandate_required", field="mandate")
    if meeting.body != Body.BUREAU and member is None:
        raise ServiceError(_("L'assemblée émarge par membre."), code="member_required", field="member")
    if member is not None and (member.federation_id != federation.pk or member.left_on is not None):
        raise ServiceError(
            _("Ce membre ne fait pas partie de la fédération."), code="not_a_member", field="member"
        )
    if mandate is not None and mandate.federation_id != federation.pk:
        raise ServiceError(
            _("Ce siège n'appartient pas à ce bureau."), code="invalid_mandate", field="mandate"
        )
    if actor is not None and not can_manage_governance(actor, federation):
        own = (mandate is not None and mandate.user_id == actor.pk) or (
            member is not None and is_delegate_of(actor, federation, member)
        )
        if not own:
            raise PermissionDenied
    if (
        member is not None
        and status == AttendanceStatus.PRESENT
        and Proxy.objects.filter(meeting=meeting, giver=member).exists()
    ):
        raise ServiceError(
            _("Ce membre a donné un pouvoir : retirez-le avant de l'émarger présent."), code="has_proxy"
        )
    row, _created = Attendance.objects.get_or_create(
        meeting=meeting, member=member, mandate=mandate, defaults={"status": status, "signed_by": actor}
    )
    row.status = status
    row.signed_by = actor
    row.full_clean()
    row.save()
    audit_append(
        federation=federation,
        event="attendance.signed",
        actor=actor,
        payload={
            "meeting": meeting.pk,
            "member": member.pk if member else None,
            "mandate": mandate.pk if mandate else None,
            "status": status,
        },
    )
    publish_meeting(meeting, "attendance.changed")
    return row


@transaction.atomic
def proxy_give(*, actor: User | None, meeting: Meeting, giver: FederationMember, holder: User) -> Proxy:
    """A member CPTS gives its vote for this meeting to the delegate of another member CPTS, within the
    statutory cap of proxies per holder."""
    federation = meeting.federation
    _check_meeting_running(meeting)
    if not meeting.is_general_assembly:
        raise ServiceError(
            _("Les pouvoirs ne valent que pour les assemblées générales."), code="not_an_assembly"
        )
    if giver.federation_id != federation.pk or giver.left_on is not None or giver.college != College.CPTS:
        raise ServiceError(
            _("Seule une CPTS membre peut donner un pouvoir."), code="invalid_giver", field="giver"
        )
    if actor is not None and not (
        can_manage_governance(actor, federation) or is_delegate_of(actor, federation, giver)
    ):
        raise PermissionDenied
    holder_delegation = (
        active_delegates(federation)
        .filter(user=holder, member__college=College.CPTS)
        .exclude(member=giver)
        .first()
    )
    if holder_delegation is None:
        raise ServiceError(
            _("Le pouvoir doit être donné au délégué·e d'une autre CPTS membre."),
            code="invalid_holder",
            field="holder",
        )
    if Attendance.objects.filter(meeting=meeting, member=giver, status=AttendanceStatus.PRESENT).exists():
        raise ServiceError(_("Cette CPTS est émargée présente."), code="giver_present")
    if Proxy.objects.filter(meeting=meeting, giver=giver).exists():
        raise ServiceError(_("Cette CPTS a déjà donné un pouvoir pour cette séance."), code="already_given")
    statutes = statutes_of(federation).as_rules()
    # Serialise proxies of one meeting so two at once cannot both pass the cap.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    held = Proxy.objects.filter(meeting=meeting, holder=holder).count()
    if not rules.proxy_allowed(statutes, held_by_holder=held):
        raise ServiceError(
            _("%(holder)s détient déjà %(n)d pouvoir(s), le maximum prévu par les statuts.")
            % {"holder": holder, "n": statutes.max_proxies_per_holder},
            code="proxy_cap",
        )
    proxy = Proxy(meeting=meeting, giver=giver, holder=holder, holder_member=holder_delegation.member)
    proxy.full_clean()
    proxy.save()
    row, _created = Attendance.objects.get_or_create(
        meeting=meeting, member=giver, defaults={"status": AttendanceStatus.REPRESENTED, "signed_by": actor}
    )
    row.status = AttendanceStatus.REPRESENTED
    row.signed_by = actor
    row.save()
    audit_append(
        federation=federation,
        event="proxy.given",
        actor=actor,
        payload={
            "meeting": meeting.pk,
            "giver": giver.pk,
            "holder": holder.pk,
            "holder_member": proxy.holder_member_id,
        },
    )
    publish_meeting(meeting, "attendance.changed")
    return proxy


@transaction.atomic
def proxy_withdraw(*, actor: User | None, proxy: Proxy) -> None:
    meeting = proxy.meeting
    if actor is not None and not (
        can_manage_governance(actor, meeting.federation)
        or is_delegate_of(actor, meeting.federation, proxy.giver)
    ):
        raise PermissionDenied
    if meeting.polls.filter(participations__member=proxy.giver).exists():
        raise ServiceError(_("Un vote a déjà été exprimé avec ce pouvoir."), code="proxy_used")
    Attendance.objects.filter(meeting=meeting, member=proxy.giver).update(status=AttendanceStatus.ABSENT)
    audit_append(
        federation=meeting.federation,
        event="proxy.withdrawn",
        actor=actor,
        payload={"meeting": meeting.pk, "giver": proxy.giver_id, "holder": proxy.holder_id},
    )
    proxy.delete()
    publish_meeting(meeting, "attendance.changed")


# --- the AGO's pack -----------------------------------------------------------------------------------
PACK_MAX_BYTES = 10 * 1024 * 1024
# Extension → accepted leading bytes: PDF, OOXML / OpenDocument (zip), legacy Office (OLE2).
PACK_TYPES = {
    "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}


def _check_pack_file(upload) -> None:
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PACK_TYPES:
        raise ServiceError(
            _(
                "Type de fichier refusé : déposez un PDF ou un document bureautique (doc, docx, xls, xlsx, odt, ods)."
            ),
            code="file_type_refused",
            field="file",
        )
    if upload.size == 0:
        raise ServiceError(_("Le fichier est vide."), code="file_empty", field="file")
    if upload.size > PACK_MAX_BYTES:
        raise ServiceError(
            _("Fichier trop volumineux : %(max)d Mo au plus.") % {"max": PACK_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
            field="file",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    # The extension alone is a claim: the content must start like that type (an .exe renamed .pdf is refused).
    if not any(head.startswith(magic) for magic in PACK_TYPES[extension]):
        raise ServiceError(
            _("Le contenu du fichier ne correspond pas à son extension."),
            code="file_type_refused",
            field="file",
        )


@transaction.atomic
def meeting_document_upload(*, actor: User | None, meeting: Meeting, kind: str, upload) -> MeetingDocument:
    """Attach a document to an AGO's pack; a new document of the same kind replaces the old one."""
    check_manager(actor, meeting.federation)
    if not selectors.needs_pack(meeting):
        raise ServiceError(
            _("Le dossier (budget, comptes, rapports) concerne l'Assemblée générale ordinaire."),
            code="not_an_ago",
        )
    if meeting.status == Meeting.Status.CLOSED:
        raise ServiceError(_("La séance est close."), code="meeting_closed")
    if kind not in MeetingDocument.Kind.values:
        raise ServiceError(_("Pièce inconnue."), code="invalid_kind", field="kind")
    _check_pack_file(upload)
    old = MeetingDocument.objects.filter(meeting=meeting, kind=kind).first()
    if old is not None:
        old_file = old.file
        old.delete()
        transaction.on_commit(lambda: old_file.delete(save=False))
    document = MeetingDocument(
        meeting=meeting,
        kind=kind,
        name=upload.name.rsplit("/", 1)[-1][:200],
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save(upload.name.rsplit("/", 1)[-1], upload, save=False)
    stored = document.file
    # A failed save must not leave the stored file behind.
    try:
        document.full_clean()
        document.save()
    except Exception:
        stored.delete(save=False)
        raise
    audit_append(
        federation=meeting.federation,
        event="meeting.document_added",
        actor=actor,
        payload={"meeting": meeting.pk, "kind": kind, "name": document.name, "size": document.size},
    )
    return document
