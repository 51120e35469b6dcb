"""Writes of SNP rosters: rosters, sites, shifts, sign-ups, iCalendar feeds, reminders.

Keyword-only, atomic, validated before save; rules refused raise ServiceError with a stable code,
permissions PermissionDenied. Swap and replacement requests: `rosters/swaps.py`.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Commune, Cpts, Federation, Membership, User
from shared_actions.access import Scope, scope_of
from shared_actions.common import local_datetime
from shared_actions.rosters import integration
from shared_actions.rosters.access import can_manage_roster, roster_cpts_ids
from shared_actions.rosters.models import CalendarFeed, Roster, RosterSite, Shift, ShiftAssignment
from shared_actions.rules import require_member_cpts


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
            raise ServiceError(_("Choisissez les CPTS participantes."), code="no_participant")
        require_member_cpts(federation, participants, code="participant_outside")
        if not (
            scope.manages_federation(federation.pk) or {c.pk for c in participants} & scope.managed_cpts_ids
        ):
            raise PermissionDenied
    else:
        raise ServiceError(_("Un planning appartient à une CPTS ou à la fédération."), code="no_owner")
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


def check_roster_manager(actor: User, roster: Roster) -> Scope:
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
    check_roster_manager(actor, roster)
    if cpts is not None and cpts.pk not in roster_cpts_ids(roster):
        raise ServiceError(_("Cette CPTS ne participe pas au planning."), code="cpts_outside")
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
    check_roster_manager(actor, roster)
    if site.roster_id != roster.pk:
        raise ServiceError(_("Ce site n'appartient pas au planning."), code="site_outside")
    if end <= start:
        raise ServiceError(_("La fin du créneau doit être après son début."), code="end_before_start")
    if required_count < 1:
        raise ServiceError(_("L'effectif requis doit être d'au moins 1."), code="bad_count")
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
        raise ServiceError(_("Période invalide (un an au plus)."), code="bad_period")
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
    check_roster_manager(actor, shift.roster)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.assignments.exists():
        raise ServiceError(
            _("Des personnes sont inscrites sur ce créneau : retirez-les avant de le supprimer."),
            code="shift_not_empty",
        )
    shift.delete()


def lock_users(*users: User) -> None:
    """Lock the people concerned (in a fixed order, no deadlock): two sign-ups of one person in two
    rosters, at the same moment, are serialised and the second one sees the first."""
    ids = sorted({u.pk for u in users})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def check_no_overlap(*, user: User, shift: Shift, actor: User, ignore: Iterable[int] = ()) -> None:
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
            "start": local_datetime(other.start),
            "end": local_datetime(other.end),
            "roster": other.roster,
            "site": other.site,
        }
    else:
        message = _(
            "%(person)s est déjà inscrit·e sur un créneau qui chevauche celui-ci (%(start)s – %(end)s, "
            "dans un autre planning ou une autre CPTS)."
        ) % {"person": user, "start": local_datetime(other.start), "end": local_datetime(other.end)}
    raise ServiceError(message, code="shift_overlap")


def check_profession(*, user: User, shift: Shift, declared: str) -> str:
    if not shift.required_profession:
        return declared
    known = integration.professions_of(user)
    matches = (
        shift.required_profession in known if known is not None else declared == shift.required_profession
    )
    if not matches:
        raise ServiceError(
            _("Ce créneau demande la profession de code %(code)s (nomenclature TRE_G15).")
            % {"code": shift.required_profession},
            code="profession_required",
        )
    return shift.required_profession


def roster_cpts_for(user: User, roster: Roster, preferred: Cpts | None = None) -> Cpts:
    allowed = roster_cpts_ids(roster)
    memberships = Membership.objects.filter(user=user, cpts_id__in=allowed).select_related("cpts")
    if preferred is not None:
        memberships = memberships.filter(cpts=preferred)
    membership = memberships.order_by("cpts__name").first()
    if membership is None:
        raise ServiceError(
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
        check_roster_manager(actor, roster)
    counted_for = roster_cpts_for(user, roster, cpts)
    lock_users(user)
    shift = Shift.objects.select_for_update().select_related("roster", "site").get(pk=shift.pk)
    if shift.assignments.filter(user=user).exists():
        raise ServiceError(_("Cette personne est déjà inscrite sur ce créneau."), code="already_assigned")
    if shift.assignments.count() >= shift.required_count:
        raise ServiceError(_("Ce créneau est déjà complet."), code="shift_full")
    profession = check_profession(user=user, shift=shift, declared=profession)
    check_no_overlap(user=user, shift=shift, actor=actor)
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
        check_roster_manager(actor, assignment.shift.roster)
    assignment.delete()


@transaction.atomic
def calendar_feed_create(*, actor: User, roster: Roster | None = None) -> CalendarFeed:
    """A new secret feed URL for the actor's own shifts, or for a roster (its managers). The previous
    feed of the same subject is revoked (the URL is rotated)."""
    if roster is not None:
        check_roster_manager(actor, roster)
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
        check_roster_manager(actor, feed.roster)
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
            "start": local_datetime(shift.start),
            "end": local_datetime(shift.end),
            "url": f"{settings.SITE_URL}/actions/plannings/{shift.roster_id}/",
        }
        EmailMessage(
            subject=_("Rappel : garde SNP demain (%(site)s)") % {"site": shift.site},
            body=body,
            to=[assignment.user.email],
        ).send()
        sent += 1
    return sent
