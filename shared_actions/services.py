"""Writes of the pooled resources: keyword-only, atomic, validated before save.

Permissions are checked here too (views and API only resolve objects through `access.py`).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from federation.models import Commune, Cpts, Federation, Membership, User
from federation.selectors import cpts_federation, member_cpts
from shared_actions import integration, uploads
from shared_actions.access import (
    Scope,
    can_manage_campaign,
    can_manage_meeting,
    can_manage_roster,
    can_report_for,
    can_write_document,
    roster_cpts_ids,
    scope_of,
)
from shared_actions.models import (
    ActionTask,
    CalendarFeed,
    Campaign,
    CampaignAction,
    Document,
    DocumentCategory,
    DocumentDownload,
    DocumentVersion,
    Indicator,
    IndicatorValue,
    Invitation,
    Meeting,
    Roster,
    RosterSite,
    Shift,
    ShiftAssignment,
    SwapRequest,
    Visibility,
)
from shared_actions.selectors import meeting_people_q, sharing_people_q


def _local(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "l j F Y H:i")


# --- documents ------------------------------------------------------------------------------------
def _store_file(upload, detected: uploads.DetectedFile) -> str:
    upload.seek(0)
    return default_storage.save(uploads.storage_name(detected), upload)


def _create_version(*, actor: User | None, document: Document, upload, comment: str) -> DocumentVersion:
    """Validate the file, store it, then write the row; if the row fails, the stored file goes too."""
    detected = uploads.validate_upload(upload)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    name = _store_file(upload, detected)
    try:
        version = DocumentVersion(
            document=document,
            number=last + 1,
            file=name,
            original_name=uploads.safe_download_name(getattr(upload, "name", ""), detected.extension),
            content_type=detected.content_type,
            size=detected.size,
            sha256=detected.sha256,
            comment=comment,
            uploaded_by=actor,
        )
        version.full_clean()
        version.save()
    except Exception:
        default_storage.delete(name)
        raise
    document.updated_at = timezone.now()
    document.save(update_fields=["updated_at"])
    return version


def _check_sharing(
    *,
    federation: Federation | None,
    cpts: Cpts | None,
    visibility: str,
    shared_with: list[Cpts],
    people: list[User],
) -> None:
    if visibility not in (Visibility.OWNER, Visibility.PEOPLE) and federation is None:
        raise ValidationError(
            _(
                "Cette CPTS n'appartient à aucune fédération : le document ne peut être partagé qu'en interne."
            ),
            code="no_federation",
        )
    if visibility == Visibility.SELECTED:
        if not shared_with:
            raise ValidationError(_("Choisissez au moins une CPTS destinataire."), code="no_recipient")
        members = set(member_cpts(federation).values_list("pk", flat=True))
        outside = [c.name for c in shared_with if c.pk not in members]
        if outside:
            raise ValidationError(
                _("CPTS hors de la fédération : %(names)s.") % {"names": ", ".join(outside)},
                code="recipient_outside",
            )
    if visibility == Visibility.PEOPLE:
        if not people:
            raise ValidationError(_("Choisissez au moins une personne destinataire."), code="no_recipient")
        allowed = set(
            User.objects.filter(sharing_people_q(cpts=cpts, federation=federation)).values_list(
                "pk", flat=True
            )
        )
        outside = [u.pk for u in people if u.pk not in allowed]
        if outside:
            raise ValidationError(
                _("Personnes hors de la CPTS ou de la fédération (identifiants %(ids)s).")
                % {"ids": ", ".join(map(str, outside))},
                code="recipient_outside",
            )


def _set_recipients(document: Document, shared_with: list[Cpts], people: list[User]) -> None:
    document.shared_with.set(shared_with if document.visibility == Visibility.SELECTED else [])
    document.shared_with_users.set(people if document.visibility == Visibility.PEOPLE else [])


@transaction.atomic
def document_create(
    *,
    actor: User,
    title: str,
    category: str,
    file,
    cpts: Cpts | None = None,
    federation: Federation | None = None,
    description: str = "",
    visibility: str = Visibility.OWNER,
    shared_with: Iterable[Cpts] = (),
    shared_with_users: Iterable[User] = (),
    comment: str = "",
) -> Document:
    """Create a document owned by `cpts` (any member may share) or by `federation` (its staff),
    with its first version. The file is validated before anything is written. With the "people"
    visibility (e.g. a messaging attachment), only `shared_with_users` and the actor see it."""
    scope = scope_of(actor)
    if cpts is not None:
        if not (scope.is_staff or cpts.pk in scope.cpts_ids):
            raise PermissionDenied
    elif federation is not None:
        if not scope.manages_federation(federation.pk):
            raise PermissionDenied
    return _document_create(
        actor=actor,
        title=title,
        category=category,
        file=file,
        cpts=cpts,
        federation=federation,
        description=description,
        visibility=visibility,
        shared_with=shared_with,
        shared_with_users=shared_with_users,
        comment=comment,
    )


def _document_create(
    *,
    actor: User,
    title: str,
    category: str,
    file,
    cpts: Cpts | None,
    federation: Federation | None,
    description: str,
    visibility: str,
    shared_with: Iterable[Cpts],
    comment: str,
    shared_with_users: Iterable[User] = (),
) -> Document:
    """`document_create` once the permission is settled (also used for meeting minutes)."""
    shared_with = list(shared_with)
    people = list(shared_with_users)
    if cpts is not None:
        federation = cpts_federation(cpts)
    elif federation is None:
        raise ValidationError(_("Un document appartient à une CPTS ou à la fédération."), code="no_owner")
    uploads.validate_upload(file)  # refuse early: nothing is written for a bad file
    _check_sharing(
        federation=federation, cpts=cpts, visibility=visibility, shared_with=shared_with, people=people
    )
    document = Document(
        cpts=cpts,
        federation=federation,
        title=title,
        description=description,
        category=category,
        visibility=visibility,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    _set_recipients(document, shared_with, people)
    _create_version(actor=actor, document=document, upload=file, comment=comment)
    return document


@transaction.atomic
def document_add_version(*, actor: User, document: Document, file, comment: str = "") -> DocumentVersion:
    """Upload a new version; the previous ones stay downloadable."""
    if not can_write_document(scope_of(actor), document):
        raise PermissionDenied
    uploads.validate_upload(file)
    # Lock the document so two uploads at once get distinct numbers.
    document = Document.objects.select_for_update().get(pk=document.pk)
    return _create_version(actor=actor, document=document, upload=file, comment=comment)


@transaction.atomic
def document_update(
    *,
    actor: User,
    document: Document,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    visibility: str | None = None,
    shared_with: Iterable[Cpts] | None = None,
    shared_with_users: Iterable[User] | None = None,
) -> Document:
    """Change the description or the sharing (e.g. messaging keeps an attachment's people in step
    with the conversation's members)."""
    if not can_write_document(scope_of(actor), document):
        raise PermissionDenied
    for field, value in (("title", title), ("description", description), ("category", category)):
        if value is not None:
            setattr(document, field, value)
    if visibility is not None:
        document.visibility = visibility
    recipients = list(shared_with) if shared_with is not None else list(document.shared_with.all())
    people = (
        list(shared_with_users) if shared_with_users is not None else list(document.shared_with_users.all())
    )
    _check_sharing(
        federation=document.federation,
        cpts=document.cpts,
        visibility=document.visibility,
        shared_with=recipients,
        people=people,
    )
    document.updated_at = timezone.now()
    document.full_clean()
    document.save()
    _set_recipients(document, recipients, people)
    return document


def orphan_files_sweep(*, older_than: dt.timedelta = dt.timedelta(hours=6)) -> int:
    """Delete stored files no version refers to (left by a transaction rolled back after the file was
    written). Only generated names under `shared_documents/` are considered; recent files are kept in
    case their transaction is still running."""
    known = set(DocumentVersion.objects.values_list("file", flat=True))
    limit = timezone.now() - older_than
    removed = 0

    def walk(folder: str):
        try:
            folders, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            return
        for name in files:
            yield f"{folder}/{name}"
        for sub in folders:
            yield from walk(f"{folder}/{sub}")

    for path in walk("shared_documents"):
        if path in known:
            continue
        try:
            modified = default_storage.get_modified_time(path)
        except (NotImplementedError, OSError):
            continue
        if modified < limit:
            default_storage.delete(path)
            removed += 1
    return removed


@transaction.atomic
def document_record_download(*, user: User, version: DocumentVersion) -> DocumentDownload:
    """Append to the access log (the caller has resolved `version` through `access_document_version`)."""
    return DocumentDownload.objects.create(version=version, user=user)


# --- SNP rosters ----------------------------------------------------------------------------------
@transaction.atomic
def roster_create(
    *,
    actor: User,
    name: str,
    cpts: Cpts | None = None,
    federation: Federation | None = None,
    participants: Iterable[Cpts] = (),
    description: str = "",
    swap_requires_approval: bool = True,
) -> Roster:
    """A CPTS roster (its coordinators) or a roster pooled at federation level across several CPTS
    (federation staff, or a coordinator of one of the participating CPTS)."""
    scope = scope_of(actor)
    participants = list(participants)
    if cpts is not None:
        if not scope.manages_cpts(cpts.pk):
            raise PermissionDenied
        participants = []
    elif federation is not None:
        if not participants:
            raise ValidationError(_("Choisissez les CPTS participantes."), code="no_participant")
        members = set(member_cpts(federation).values_list("pk", flat=True))
        outside = [c.name for c in participants if c.pk not in members]
        if outside:
            raise ValidationError(
                _("CPTS hors de la fédération : %(names)s.") % {"names": ", ".join(outside)},
                code="participant_outside",
            )
        if not (
            scope.manages_federation(federation.pk) or {c.pk for c in participants} & scope.managed_cpts_ids
        ):
            raise PermissionDenied
    else:
        raise ValidationError(_("Un planning appartient à une CPTS ou à la fédération."), code="no_owner")
    roster = Roster(
        name=name,
        description=description,
        cpts=cpts,
        federation=federation,
        swap_requires_approval=swap_requires_approval,
        created_by=actor,
    )
    roster.full_clean()
    roster.save()
    if participants:
        roster.participants.set(participants)
    return roster


def _check_roster_manager(actor: User, roster: Roster) -> Scope:
    scope = scope_of(actor)
    if not can_manage_roster(scope, roster):
        raise PermissionDenied
    return scope


@transaction.atomic
def site_create(
    *,
    actor: User,
    roster: Roster,
    name: str,
    address: str = "",
    commune: Commune | None = None,
    cpts: Cpts | None = None,
) -> RosterSite:
    _check_roster_manager(actor, roster)
    if cpts is not None and cpts.pk not in roster_cpts_ids(roster):
        raise ValidationError(_("Cette CPTS ne participe pas au planning."), code="cpts_outside")
    site = RosterSite(roster=roster, name=name, address=address, commune=commune, cpts=cpts)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def shift_create(
    *,
    actor: User,
    roster: Roster,
    site: RosterSite,
    start: dt.datetime,
    end: dt.datetime,
    required_count: int = 1,
    required_profession: str = "",
    required_competence: str = "",
    notes: str = "",
) -> Shift:
    _check_roster_manager(actor, roster)
    if site.roster_id != roster.pk:
        raise ValidationError(_("Ce site n'appartient pas au planning."), code="site_outside")
    if end <= start:
        raise ValidationError(_("La fin du créneau doit être après son début."), code="end_before_start")
    if required_count < 1:
        raise ValidationError(_("L'effectif requis doit être d'au moins 1."), code="bad_count")
    shift = Shift(
        roster=roster,
        site=site,
        start=start,
        end=end,
        required_count=required_count,
        required_profession=required_profession,
        required_competence=required_competence,
        notes=notes,
    )
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def shifts_create_recurring(
    *,
    actor: User,
    roster: Roster,
    site: RosterSite,
    first_day: dt.date,
    last_day: dt.date,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    required_count: int = 1,
    required_profession: str = "",
) -> list[Shift]:
    """One shift on each chosen weekday (0 = Monday) between two dates; an end time before the start
    time ends the next day (night duty)."""
    if last_day < first_day or (last_day - first_day).days > 366:
        raise ValidationError(_("Période invalide (un an au plus)."), code="bad_period")
    days = set(weekdays)
    tz = timezone.get_current_timezone()
    shifts = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days:
            start = dt.datetime.combine(day, start_time, tzinfo=tz)
            end_day = day if end_time > start_time else day + dt.timedelta(days=1)
            end = dt.datetime.combine(end_day, end_time, tzinfo=tz)
            shifts.append(
                shift_create(
                    actor=actor,
                    roster=roster,
                    site=site,
                    start=start,
                    end=end,
                    required_count=required_count,
                    required_profession=required_profession,
                )
            )
        day += dt.timedelta(days=1)
    return shifts


@transaction.atomic
def shift_delete(*, actor: User, shift: Shift) -> None:
    """Remove a shift nobody is on (roster managers); with people on it, they must withdraw first."""
    _check_roster_manager(actor, shift.roster)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.assignments.exists():
        raise ValidationError(
            _("Des personnes sont inscrites sur ce créneau : retirez-les avant de le supprimer."),
            code="shift_not_empty",
        )
    shift.delete()


def _lock_users(*users: User) -> None:
    """Lock the people concerned (in a fixed order, no deadlock): two sign-ups of one person in two
    rosters, at the same moment, are serialised and the second one sees the first."""
    ids = sorted({u.pk for u in users})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _check_no_overlap(*, user: User, shift: Shift, actor: User, ignore: Iterable[int] = ()) -> None:
    clash = (
        ShiftAssignment.objects.filter(user=user, shift__start__lt=shift.end, shift__end__gt=shift.start)
        .exclude(shift=shift)
        .exclude(pk__in=list(ignore))
        .select_related("shift__roster", "shift__site")
        .first()
    )
    if clash is None:
        return
    other = clash.shift
    if actor.pk == user.pk:
        message = _(
            "Vous êtes déjà inscrit·e sur un créneau qui chevauche celui-ci : %(start)s – %(end)s "
            "(planning « %(roster)s », %(site)s). Une même personne ne peut pas être sur deux créneaux "
            "en même temps."
        ) % {
            "start": _local(other.start),
            "end": _local(other.end),
            "roster": other.roster,
            "site": other.site,
        }
    else:
        message = _(
            "%(person)s est déjà inscrit·e sur un créneau qui chevauche celui-ci (%(start)s – %(end)s, "
            "dans un autre planning ou une autre CPTS)."
        ) % {"person": user, "start": _local(other.start), "end": _local(other.end)}
    raise ValidationError(message, code="shift_overlap")


def _check_profession(*, user: User, shift: Shift, declared: str) -> str:
    if not shift.required_profession:
        return declared
    known = integration.professions_of(user)
    matches = (
        shift.required_profession in known if known is not None else declared == shift.required_profession
    )
    if not matches:
        raise ValidationError(
            _("Ce créneau demande la profession de code %(code)s (nomenclature TRE_G15).")
            % {"code": shift.required_profession},
            code="profession_required",
        )
    return shift.required_profession


def _roster_cpts_for(user: User, roster: Roster, preferred: Cpts | None = None) -> Cpts:
    allowed = roster_cpts_ids(roster)
    memberships = Membership.objects.filter(user=user, cpts_id__in=allowed).select_related("cpts")
    if preferred is not None:
        memberships = memberships.filter(cpts=preferred)
    membership = memberships.order_by("cpts__name").first()
    if membership is None:
        raise ValidationError(
            _("Cette personne n'est membre d'aucune CPTS de ce planning."), code="not_a_member"
        )
    return membership.cpts


@transaction.atomic
def shift_sign_up(
    *,
    actor: User,
    shift: Shift,
    user: User | None = None,
    cpts: Cpts | None = None,
    profession: str = "",
) -> ShiftAssignment:
    """Put `user` (default: the actor, who volunteers) on `shift`. Assigning someone else needs a
    roster manager. Refused when the shift is full, the profession does not match, or the person is
    already on an overlapping shift in any roster of any CPTS."""
    user = user or actor
    roster = shift.roster
    if user.pk != actor.pk:
        _check_roster_manager(actor, roster)
    counted_for = _roster_cpts_for(user, roster, cpts)
    _lock_users(user)
    shift = Shift.objects.select_for_update().select_related("roster", "site").get(pk=shift.pk)
    if shift.assignments.filter(user=user).exists():
        raise ValidationError(_("Cette personne est déjà inscrite sur ce créneau."), code="already_assigned")
    if shift.assignments.count() >= shift.required_count:
        raise ValidationError(_("Ce créneau est déjà complet."), code="shift_full")
    profession = _check_profession(user=user, shift=shift, declared=profession)
    _check_no_overlap(user=user, shift=shift, actor=actor)
    assignment = ShiftAssignment(
        shift=shift, user=user, cpts=counted_for, profession=profession, assigned_by=actor
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def shift_withdraw(*, actor: User, assignment: ShiftAssignment) -> None:
    """The person withdraws (or a roster manager removes them); requests about it go with it."""
    if assignment.user_id != actor.pk:
        _check_roster_manager(actor, assignment.shift.roster)
    assignment.delete()


OPEN_STATUSES = (SwapRequest.Status.PENDING, SwapRequest.Status.ACCEPTED)


@transaction.atomic
def swap_request_create(
    *,
    actor: User,
    assignment: ShiftAssignment,
    kind: str,
    target: User | None = None,
    counterpart: ShiftAssignment | None = None,
    message: str = "",
) -> SwapRequest:
    """Ask for a replacement (someone takes my shift) or a swap (we exchange two shifts)."""
    if assignment.user_id != actor.pk:
        raise PermissionDenied
    roster = assignment.shift.roster
    if kind == SwapRequest.Kind.SWAP:
        if counterpart is None or counterpart.shift.roster_id != roster.pk:
            raise ValidationError(
                _("Un échange se fait avec un créneau du même planning."), code="bad_counterpart"
            )
        if counterpart.user_id == actor.pk:
            raise ValidationError(_("Vous ne pouvez pas échanger avec vous-même."), code="bad_counterpart")
        target = counterpart.user
    elif kind == SwapRequest.Kind.REPLACEMENT:
        counterpart = None
        if target is not None:
            if target.pk == actor.pk:
                raise ValidationError(_("Choisissez une autre personne."), code="bad_target")
            _roster_cpts_for(target, roster)
    else:
        raise ValidationError(_("Type de demande inconnu."), code="bad_kind")
    if assignment.swap_requests.filter(status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("Une demande est déjà en cours pour ce créneau."), code="request_open")
    swap = SwapRequest(
        kind=kind,
        assignment=assignment,
        requester=actor,
        target=target,
        counterpart=counterpart,
        message=message,
    )
    swap.full_clean()
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


def _notify_swap_on_commit(swap: SwapRequest) -> None:
    from shared_actions import tasks

    swap_id = swap.pk
    transaction.on_commit(lambda: tasks.notify_swap_request.delay(swap_id))


def swap_request_notify(*, swap_id: int) -> int:
    """E-mail the person concerned by the request's current status: the person asked (new request),
    the requester (accepted, done, refused). Idempotent through `notified_status`."""
    swap = (
        SwapRequest.objects.select_related(
            "assignment__shift__site", "assignment__shift__roster", "requester", "target"
        )
        .filter(pk=swap_id)
        .first()
    )
    if swap is None or swap.status == SwapRequest.Status.CANCELLED:
        return 0
    recipient = swap.target if swap.status == SwapRequest.Status.PENDING else swap.requester
    if recipient is None:  # an open call: it shows on the roster page
        return 0
    claimed = (
        SwapRequest.objects.filter(pk=swap.pk, status=swap.status)
        .exclude(notified_status=swap.status)
        .update(notified_status=swap.status)
    )
    if not claimed:
        return 0
    shift = swap.assignment.shift
    if swap.status == SwapRequest.Status.PENDING:
        subject = (
            _("%(person)s vous propose un échange de garde")
            if swap.kind == SwapRequest.Kind.SWAP
            else _("%(person)s vous demande un remplacement")
        ) % {"person": swap.requester}
    else:
        subject = {
            SwapRequest.Status.ACCEPTED: _("Votre demande est acceptée, en attente de validation"),
            SwapRequest.Status.DONE: _("Votre demande d'échange ou de remplacement est effectuée"),
            SwapRequest.Status.REFUSED: _("Votre demande d'échange ou de remplacement est refusée"),
        }[swap.status]
    body = _(
        "Bonjour,\n\nGarde du %(start)s (%(site)s, planning « %(roster)s »).\n%(message)s\n\n"
        "Répondre ou suivre la demande : %(url)s\n"
    ) % {
        "start": _local(shift.start),
        "site": shift.site,
        "roster": shift.roster,
        "message": swap.message,
        "url": f"{settings.SITE_URL}/actions/plannings/{shift.roster_id}/",
    }
    EmailMessage(subject=subject, body=body, to=[recipient.email]).send()
    return 1


def _apply_swap(swap: SwapRequest) -> None:
    """Move the people, checking overlaps again with both persons locked."""
    assignment = ShiftAssignment.objects.select_related("shift__roster").get(pk=swap.assignment_id)
    roster = assignment.shift.roster
    if swap.kind == SwapRequest.Kind.REPLACEMENT:
        replacer = swap.accepted_by
        _lock_users(replacer, assignment.user)
        if assignment.shift.assignments.filter(user=replacer).exists():
            raise ValidationError(_("Cette personne est déjà sur ce créneau."), code="already_assigned")
        _check_profession(user=replacer, shift=assignment.shift, declared=assignment.profession)
        _check_no_overlap(user=replacer, shift=assignment.shift, actor=replacer)
        assignment.user = replacer
        assignment.cpts = _roster_cpts_for(replacer, roster)
        assignment.reminder_sent_at = None
        assignment.full_clean()
        assignment.save()
        return
    other = ShiftAssignment.objects.select_related("shift").get(pk=swap.counterpart_id)
    first, second = assignment.user, other.user
    _lock_users(first, second)
    if (
        other.shift.assignments.filter(user=first).exists()
        or assignment.shift.assignments.filter(user=second).exists()
    ):
        raise ValidationError(
            _("L'une des deux personnes est déjà sur l'autre créneau."), code="already_assigned"
        )
    _check_profession(user=first, shift=other.shift, declared=assignment.profession)
    _check_profession(user=second, shift=assignment.shift, declared=other.profession)
    _check_no_overlap(user=first, shift=other.shift, actor=first, ignore=[assignment.pk])
    _check_no_overlap(user=second, shift=assignment.shift, actor=second, ignore=[other.pk])
    first_cpts, second_cpts = assignment.cpts, other.cpts
    assignment.user, assignment.cpts, assignment.reminder_sent_at = second, second_cpts, None
    other.user, other.cpts, other.reminder_sent_at = first, first_cpts, None
    for row in (assignment, other):
        row.full_clean()
        row.save()


@transaction.atomic
def swap_request_accept(*, actor: User, swap: SwapRequest) -> SwapRequest:
    """The person asked (or anyone of the roster for an open replacement call) accepts. It is done at
    once unless the roster requires a coordinator's approval."""
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__roster").get(pk=swap.pk)
    if swap.status != SwapRequest.Status.PENDING:
        raise ValidationError(_("Cette demande n'est plus en attente."), code="not_pending")
    if actor.pk == swap.requester_id:
        raise PermissionDenied
    roster = swap.assignment.shift.roster
    if swap.target_id is not None and swap.target_id != actor.pk:
        raise PermissionDenied
    _roster_cpts_for(actor, roster)
    swap.accepted_by = actor
    if roster.swap_requires_approval:
        swap.status = SwapRequest.Status.ACCEPTED
    else:
        _apply_swap(swap)
        swap.status = SwapRequest.Status.DONE
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


@transaction.atomic
def swap_request_approve(*, actor: User, swap: SwapRequest) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__roster").get(pk=swap.pk)
    _check_roster_manager(actor, swap.assignment.shift.roster)
    if swap.status != SwapRequest.Status.ACCEPTED:
        raise ValidationError(_("Cette demande n'attend pas de validation."), code="not_accepted")
    _apply_swap(swap)
    swap.status = SwapRequest.Status.DONE
    swap.decided_by = actor
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


@transaction.atomic
def swap_request_refuse(*, actor: User, swap: SwapRequest) -> SwapRequest:
    """The person asked refuses a pending request, or a roster manager refuses it."""
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__roster").get(pk=swap.pk)
    if swap.status not in OPEN_STATUSES:
        raise ValidationError(_("Cette demande est déjà close."), code="closed")
    is_target = swap.target_id == actor.pk and swap.status == SwapRequest.Status.PENDING
    if not is_target:
        _check_roster_manager(actor, swap.assignment.shift.roster)
    swap.status = SwapRequest.Status.REFUSED
    swap.decided_by = actor
    swap.save()
    _notify_swap_on_commit(swap)
    return swap


@transaction.atomic
def swap_request_cancel(*, actor: User, swap: SwapRequest) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.requester_id != actor.pk:
        raise PermissionDenied
    if swap.status not in OPEN_STATUSES:
        raise ValidationError(_("Cette demande est déjà close."), code="closed")
    swap.status = SwapRequest.Status.CANCELLED
    swap.save()
    return swap


@transaction.atomic
def calendar_feed_create(*, actor: User, roster: Roster | None = None) -> CalendarFeed:
    """A new secret feed URL for the actor's own shifts, or for a roster (its managers). The previous
    feed of the same subject is revoked (the URL is rotated)."""
    if roster is not None:
        _check_roster_manager(actor, roster)
        CalendarFeed.objects.filter(roster=roster, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return CalendarFeed.objects.create(roster=roster, created_by=actor)
    CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return CalendarFeed.objects.create(user=actor, created_by=actor)


@transaction.atomic
def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    if feed.user_id is not None:
        if feed.user_id != actor.pk and not actor.is_staff:
            raise PermissionDenied
    else:
        _check_roster_manager(actor, feed.roster)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed


def shift_reminders_send(*, day: dt.date | None = None) -> int:
    """E-mail everyone on a shift starting on `day` (default: tomorrow). Idempotent: each assignment
    is claimed (reminder_sent_at) before its e-mail goes, so a rerun sends nothing twice."""
    day = day or timezone.localdate() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    pending = ShiftAssignment.objects.filter(
        shift__start__gte=start, shift__start__lt=end, reminder_sent_at__isnull=True
    ).select_related("shift__roster", "shift__site", "user")
    sent = 0
    for assignment in pending:
        claimed = ShiftAssignment.objects.filter(pk=assignment.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if not claimed:
            continue
        shift = assignment.shift
        body = _(
            "Bonjour,\n\nRappel : vous êtes inscrit·e demain sur le planning SNP « %(roster)s ».\n"
            "Site : %(site)s %(address)s\nDe %(start)s à %(end)s.\n\n"
            "Un empêchement ? Demandez un remplacement depuis Maillage : %(url)s\n"
        ) % {
            "roster": shift.roster,
            "site": shift.site,
            "address": f"({shift.site.address})" if shift.site.address else "",
            "start": _local(shift.start),
            "end": _local(shift.end),
            "url": f"{settings.SITE_URL}/actions/plannings/{shift.roster_id}/",
        }
        EmailMessage(
            subject=_("Rappel : garde SNP demain (%(site)s)") % {"site": shift.site},
            body=body,
            to=[assignment.user.email],
        ).send()
        sent += 1
    return sent


# --- prevention campaigns -------------------------------------------------------------------------
@transaction.atomic
def campaign_create(
    *,
    actor: User,
    federation: Federation,
    title: str,
    theme: str,
    start_date: dt.date,
    end_date: dt.date,
    lead_cpts: Cpts,
    participants: Iterable[Cpts] = (),
    target_population: str = "",
    objectives: str = "",
) -> Campaign:
    """A département campaign: federation staff or the coordinators of the lead CPTS create it."""
    scope = scope_of(actor)
    if not (scope.manages_federation(federation.pk) or scope.manages_cpts(lead_cpts.pk)):
        raise PermissionDenied
    participants = {c.pk: c for c in participants}
    participants[lead_cpts.pk] = lead_cpts
    members = set(member_cpts(federation).values_list("pk", flat=True))
    outside = [c.name for c in participants.values() if c.pk not in members]
    if outside:
        raise ValidationError(
            _("CPTS hors de la fédération : %(names)s.") % {"names": ", ".join(outside)},
            code="participant_outside",
        )
    if end_date < start_date:
        raise ValidationError(_("La fin de la campagne doit suivre son début."), code="bad_period")
    campaign = Campaign(
        federation=federation,
        title=title,
        theme=theme,
        start_date=start_date,
        end_date=end_date,
        lead_cpts=lead_cpts,
        target_population=target_population,
        objectives=objectives,
        created_by=actor,
    )
    campaign.full_clean()
    campaign.save()
    campaign.participants.set(participants.values())
    return campaign


def _participant_ids(campaign: Campaign) -> set[int]:
    return set(campaign.participants.values_list("pk", flat=True))


@transaction.atomic
def campaign_action_create(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    date: dt.date,
    cpts: Cpts,
    commune: Commune | None = None,
    place: str = "",
    person_in_charge: User | None = None,
    resources: str = "",
    tasks: Iterable[str] = (),
) -> CampaignAction:
    """An action of the campaign, run by one participating CPTS (its coordinators, or the campaign's)."""
    scope = scope_of(actor)
    if cpts.pk not in _participant_ids(campaign):
        raise ValidationError(_("Cette CPTS ne participe pas à la campagne."), code="cpts_outside")
    if not can_report_for(scope, campaign, cpts.pk):
        raise PermissionDenied
    action = CampaignAction(
        campaign=campaign,
        title=title,
        date=date,
        cpts=cpts,
        commune=commune,
        place=place,
        person_in_charge=person_in_charge,
        resources=resources,
    )
    action.full_clean()
    action.save()
    ActionTask.objects.bulk_create(
        [ActionTask(action=action, label=label) for label in tasks if label.strip()]
    )
    return action


def _check_participant_member(actor: User, campaign: Campaign) -> None:
    scope = scope_of(actor)
    if can_manage_campaign(scope, campaign) or _participant_ids(campaign) & scope.cpts_ids:
        return
    raise PermissionDenied


@transaction.atomic
def action_task_add(*, actor: User, action: CampaignAction, label: str) -> ActionTask:
    """Any member of a participating CPTS adds to the shared checklist."""
    _check_participant_member(actor, action.campaign)
    task = ActionTask(action=action, label=label)
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def action_task_set_done(*, actor: User, task: ActionTask, done: bool) -> ActionTask:
    _check_participant_member(actor, task.action.campaign)
    task.done = done
    task.done_by = actor if done else None
    task.done_at = timezone.now() if done else None
    task.save()
    return task


@transaction.atomic
def indicator_create(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    target: Decimal,
    unit: str = "",
    target_per_cpts: Decimal | None = None,
) -> Indicator:
    if not can_manage_campaign(scope_of(actor), campaign):
        raise PermissionDenied
    if Decimal(target) <= 0:
        raise ValidationError(_("La cible doit être positive."), code="bad_target")
    indicator = Indicator(
        campaign=campaign, name=name, unit=unit, target=target, target_per_cpts=target_per_cpts
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_value_report(
    *, actor: User, indicator: Indicator, cpts: Cpts, date: dt.date, value: Decimal
) -> IndicatorValue:
    """Report the cumulative value of `indicator` for `cpts` at `date` (replaces a value of that day)."""
    campaign = indicator.campaign
    if cpts.pk not in _participant_ids(campaign):
        raise ValidationError(_("Cette CPTS ne participe pas à la campagne."), code="cpts_outside")
    if not can_report_for(scope_of(actor), campaign, cpts.pk):
        raise PermissionDenied
    if Decimal(value) < 0:
        raise ValidationError(_("La valeur ne peut pas être négative."), code="negative_value")
    row = IndicatorValue.objects.filter(indicator=indicator, cpts=cpts, date=date).first() or IndicatorValue(
        indicator=indicator, cpts=cpts, date=date
    )
    row.value = value
    row.reported_by = actor
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def campaign_add_material(*, actor: User, campaign: Campaign, document: Document) -> None:
    """Attach a shared document (resolved by the caller through `access_document`)."""
    scope = scope_of(actor)
    if not (can_manage_campaign(scope, campaign) or _participant_ids(campaign) & scope.managed_cpts_ids):
        raise PermissionDenied
    if document.federation_id != campaign.federation_id:
        raise ValidationError(_("Ce document n'est pas partagé dans la fédération."), code="document_outside")
    campaign.materials.add(document)


# --- meetings -------------------------------------------------------------------------------------
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
        raise ValidationError(_("Une réunion appartient à une CPTS ou à la fédération."), code="no_owner")
    if end <= start:
        raise ValidationError(_("La fin de la réunion doit être après son début."), code="end_before_start")
    if not place and not video_url:
        raise ValidationError(_("Indiquez un lieu ou un lien de visioconférence."), code="no_place")
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
        raise ValidationError(
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
        from shared_actions import tasks

        transaction.on_commit(lambda: tasks.send_meeting_invitations.delay(meeting.pk, ids))
    return created


def meeting_invitations_send(*, meeting_id: int, user_ids: list[int]) -> int:
    """E-mail the invitations (with an iCalendar REQUEST attached) not sent yet. Idempotent."""
    from shared_actions import ical

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
            "start": _local(meeting.start),
            "end": _local(meeting.end),
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
        raise ValidationError(_("Vous n'êtes pas invité·e à cette réunion."), code="not_invited")
    if reply not in Invitation.Reply.values or reply == Invitation.Reply.PENDING:
        raise ValidationError(_("Réponse invalide."), code="bad_reply")
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
        raise ValidationError(_("Seules les personnes invitées peuvent émarger."), code="not_invited")
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
            raise ValidationError(_("Aucun fichier n'a été envoyé."), code="no_file")
        if meeting.minutes_id:
            version = _create_version(
                actor=actor,
                document=Document.objects.select_for_update().get(pk=meeting.minutes_id),
                upload=file,
                comment="",
            )
            return version.document
        document = _document_create(
            actor=actor,
            title=title or _("Compte rendu — %(title)s") % {"title": meeting.title},
            category=DocumentCategory.REPORT,
            file=file,
            cpts=meeting.cpts,
            federation=None if meeting.cpts_id else meeting.federation,
            visibility=Visibility.OWNER if meeting.cpts_id else Visibility.FEDERATION,
            shared_with=(),
            description=_("Réunion du %(date)s") % {"date": _local(meeting.start)},
            comment="",
        )
    meeting.minutes = document
    meeting.save(update_fields=["minutes"])
    return document
