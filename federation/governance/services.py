"""Writes of governance: keyword-only, atomic, validated, audited, and published on commit.

Every governance event is appended to the federation's hash-chained audit log in the same
transaction as the change it records. Membership changes decided here call the foundation's
services (`federation_add_cpts`, `partner_create`, `federation_member_leave`).
"""

import random
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import services as federation_services
from federation.events import send_event_on_commit
from federation.governance import rules, selectors
from federation.governance.access import active_mandates, can_manage_governance
from federation.governance.audit import audit_append
from federation.governance.models import (
    REQUIRED_BUREAU_ROLES,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    Body,
    BureauMandate,
    BureauRole,
    Candidate,
    DecisionKind,
    Delegate,
    Fee,
    Meeting,
    Participation,
    PartnerOpinion,
    Poll,
    Proxy,
    StatutesSettings,
)
from federation.governance.realtime import federation_group, poll_group
from federation.models import (
    College,
    Cpts,
    CptsRole,
    Federation,
    FederationMember,
    MaturityStage,
    Membership,
    Partner,
    User,
)


# --- real-time events ---------------------------------------------------------------------------------
def _event(name: str, *, federation: Federation, meeting_id=None, poll_id=None, data=None) -> dict:
    return {
        "type": "governance.event",  # consumer handler: governance_event (see realtime.py)
        "name": name,
        "federation": federation.pk,
        "meeting": meeting_id,
        "poll": poll_id,
        "data": data or {},
    }


def poll_live_data(poll: Poll) -> dict:
    """What a live view may show. Open (named) polls: participation per college and tallies. Secret
    polls: only the number of votes cast until closed; turnout per college and tallies once closed."""
    closed = poll.status in (Poll.Status.CLOSED, Poll.Status.PUBLISHED)
    counts = selectors.participation_counts(poll)
    if poll.secret and not closed:
        # A secret poll in progress shows how many have voted, not per college nor per choice.
        voted = sum(v for k, v in counts.items() if not k.startswith("eligible"))
        eligible = sum(v for k, v in counts.items() if k.startswith("eligible"))
        return {"status": poll.status, "participation": {"total": voted, "eligible": eligible}}
    data = {"status": poll.status, "participation": counts}
    data["tallies"] = selectors.ballot_counts(poll)
    return data


def _publish_poll(poll: Poll, name: str) -> None:
    event = _event(
        name,
        federation=poll.federation,
        meeting_id=poll.meeting_id,
        poll_id=poll.pk,
        data=poll_live_data(poll),
    )
    send_event_on_commit([poll_group(poll.pk), federation_group(poll.federation_id)], event)


def _publish_meeting(meeting: Meeting, name: str) -> None:
    q = selectors.meeting_quorum(meeting)
    event = _event(
        name,
        federation=meeting.federation,
        meeting_id=meeting.pk,
        data={"status": meeting.status, "quorum": q.as_dict()},
    )
    send_event_on_commit([federation_group(meeting.federation_id)], event)


def _check_manager(actor: User | None, federation: Federation) -> None:
    """`actor=None` is the system (demo, tasks)."""
    if actor is not None and not can_manage_governance(actor, federation):
        raise PermissionDenied


# --- statutes -----------------------------------------------------------------------------------------
@transaction.atomic
def statutes_initialize(*, actor: User | None, federation: Federation, **values) -> StatutesSettings:
    """The statutes adopted at constitution (once). Later changes go through `statutes_change_propose`."""
    _check_manager(actor, federation)
    if StatutesSettings.objects.filter(federation=federation).exists():
        raise ValidationError(
            _("Les paramètres statutaires existent déjà : toute modification doit être votée en AGE."),
            code="statutes_exist",
        )
    unknown = set(values) - set(StatutesSettings.EDITABLE)
    if unknown:
        raise ValidationError(_("Paramètre(s) inconnu(s) : %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    settings_row = StatutesSettings(federation=federation, **values)
    settings_row.full_clean()
    settings_row.save()
    audit_append(
        federation=federation,
        event="statutes.initialized",
        actor=actor,
        payload={field: getattr(settings_row, field) for field in StatutesSettings.EDITABLE},
    )
    return settings_row


def _validated_changes(federation: Federation, changes: dict) -> dict:
    allowed = set(StatutesSettings.EDITABLE) | {"min_join_stage"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("Paramètre(s) inconnu(s) : %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
            code="unknown_setting",
        )
    if not changes:
        raise ValidationError(_("Aucune modification proposée."), code="no_change")
    if "min_join_stage" in changes and changes["min_join_stage"] not in MaturityStage.values:
        raise ValidationError(_("Stade de maturité inconnu."), code="invalid")
    candidate = selectors.statutes_of(federation)
    for key, value in changes.items():
        if key != "min_join_stage":
            setattr(candidate, key, value)
    candidate.full_clean(exclude=["federation", "adopted_by"])
    return {k: getattr(candidate, k) if k != "min_join_stage" else v for k, v in changes.items()}


def _apply_statutes_change(poll: Poll, changes: dict) -> None:
    federation = poll.federation
    settings_row = StatutesSettings.objects.filter(federation=federation).first() or StatutesSettings(
        federation=federation
    )
    for key, value in changes.items():
        if key == "min_join_stage":
            federation.min_join_stage = value
            federation.full_clean()
            federation.save(update_fields=["min_join_stage"])
        else:
            setattr(settings_row, key, value)
    settings_row.adopted_by = poll
    settings_row.full_clean()
    settings_row.save()


# --- delegates and fees -------------------------------------------------------------------------------
def _active_member(federation: Federation, *, cpts: Cpts | None = None, member_id=None) -> FederationMember:
    members = FederationMember.objects.filter(federation=federation, left_on__isnull=True)
    member = members.filter(cpts=cpts).first() if cpts is not None else members.filter(pk=member_id).first()
    if member is None:
        raise ValidationError(
            _("Ce membre ne fait pas (ou plus) partie de la fédération."), code="not_a_member"
        )
    return member


@transaction.atomic
def delegate_designate(
    *, actor: User | None, federation: Federation, cpts: Cpts, user: User, kind: str = Delegate.Kind.TITULAR
) -> Delegate:
    """A member CPTS designates a delegate or its substitute among its own members or bureau."""
    if actor is not None and not (
        can_manage_governance(actor, federation)
        or Membership.objects.filter(
            user=actor, cpts=cpts, role__in=[CptsRole.COORDINATOR, CptsRole.ADMIN, CptsRole.BUREAU]
        ).exists()
    ):
        raise PermissionDenied
    member = _active_member(federation, cpts=cpts)
    if not Membership.objects.filter(user=user, cpts=cpts).exists():
        raise ValidationError(
            _(
                "%(user)s n'est pas membre de la CPTS « %(cpts)s » : un·e délégué·e est choisi·e parmi ses membres."
            )
            % {"user": user, "cpts": cpts.name},
            code="not_cpts_member",
        )
    existing = Delegate.objects.filter(member=member, user=user, until__isnull=True).first()
    if existing is not None and existing.kind == kind:
        return existing
    today = timezone.localdate()
    if existing is not None:
        existing.until = today
        existing.save(update_fields=["until"])
    if kind == Delegate.Kind.SUBSTITUTE:
        Delegate.objects.filter(member=member, kind=kind, until__isnull=True).update(until=today)
    delegate = Delegate(federation=federation, member=member, user=user, kind=kind, since=today)
    delegate.full_clean()
    delegate.save()
    audit_append(
        federation=federation,
        event="delegate.designated",
        actor=actor,
        payload={"member": member.pk, "cpts": cpts.name, "user": user.pk, "kind": kind},
    )
    return delegate


@transaction.atomic
def delegate_revoke(*, actor: User | None, delegate: Delegate) -> Delegate:
    _check_manager(actor, delegate.federation)
    delegate.until = timezone.localdate()
    delegate.save(update_fields=["until"])
    audit_append(
        federation=delegate.federation,
        event="delegate.revoked",
        actor=actor,
        payload={"member": delegate.member_id, "user": delegate.user_id},
    )
    return delegate


@transaction.atomic
def fee_set(
    *, actor: User | None, federation: Federation, member: FederationMember, year: int, amount
) -> Fee:
    """The fee of a member for a year (amounts are set by the AG; recorded here by its managers)."""
    _check_manager(actor, federation)
    if member.federation_id != federation.pk:
        raise ValidationError(_("Ce membre n'appartient pas à cette fédération."))
    fee = Fee.objects.filter(member=member, year=year).first() or Fee(
        federation=federation, member=member, year=year
    )
    fee.amount = amount
    fee.full_clean()
    fee.save()
    audit_append(
        federation=federation,
        event="fee.set",
        actor=actor,
        payload={"member": member.pk, "year": year, "amount": amount},
    )
    return fee


@transaction.atomic
def fee_mark(*, actor: User | None, fee: Fee, status: str, paid_on: date | None = None) -> Fee:
    _check_manager(actor, fee.federation)
    fee.status = status
    fee.paid_on = (paid_on or timezone.localdate()) if status == Fee.Status.PAID else None
    fee.full_clean()
    fee.save()
    audit_append(
        federation=fee.federation,
        event="fee.status",
        actor=actor,
        payload={"fee": fee.pk, "member": fee.member_id, "year": fee.year, "status": status},
    )
    return fee


# --- bureau -------------------------------------------------------------------------------------------
@transaction.atomic
def bureau_set(
    *,
    actor: User | None,
    federation: Federation,
    seats: list[tuple[User, str]],
    starts_on: date,
    elected_by: dict | None = None,
) -> list[BureauMandate]:
    """Install a whole bureau (the previous one ends the day before). Candidates must be delegates of
    the CPTS college; president, vice-president(s), treasurer and secretary are required; with exactly
    two member CPTS, both have the same number of seats (seed 004)."""
    _check_manager(actor, federation)
    statutes = selectors.statutes_of(federation)
    errors = []
    roles = [role for _user, role in seats]
    for role in REQUIRED_BUREAU_ROLES:
        count = roles.count(role)
        if count == 0:
            errors.append(_("Le bureau doit compter un·e %(role)s.") % {"role": BureauRole(role).label})
        elif count > 1 and role != BureauRole.VICE_PRESIDENT:
            errors.append(_("Un seul poste de %(role)s.") % {"role": BureauRole(role).label})
    if roles.count(BureauRole.VICE_PRESIDENT) > statutes.vice_presidents_max:
        errors.append(
            _("Les statuts prévoient au plus %(n)d vice-président·e(s).")
            % {"n": statutes.vice_presidents_max}
        )
    if not statutes.deputies_allowed and any(
        r in (BureauRole.DEPUTY_SECRETARY, BureauRole.DEPUTY_TREASURER) for r in roles
    ):
        errors.append(_("Les statuts ne prévoient pas de postes d'adjoints."))
    users = [user for user, _role in seats]
    if len({u.pk for u in users}) != len(users):
        errors.append(_("Une même personne ne peut occuper deux postes du bureau."))
    delegations = {
        d.user_id: d
        for d in selectors.active_delegates(federation).filter(user__in=users, member__college=College.CPTS)
    }
    for user in users:
        if user.pk not in delegations:
            errors.append(
                _(
                    "%(user)s n'est pas délégué·e d'une CPTS membre : le bureau est choisi dans le collège des CPTS."
                )
                % {"user": user}
            )
    member_cpts = list(selectors.college_members(federation, College.CPTS))
    if not errors and len(member_cpts) == 2:
        per_cpts = {m.pk: 0 for m in member_cpts}
        for user in users:
            per_cpts[delegations[user.pk].member_id] += 1
        counts = list(per_cpts.values())
        if counts[0] != counts[1]:
            names = [m.cpts.name for m in member_cpts]
            errors.append(
                _(
                    "La fédération ne compte que deux CPTS : le bureau doit respecter la parité entre elles "
                    "(%(a)s : %(na)d poste(s), %(b)s : %(nb)d poste(s))."
                )
                % {"a": names[0], "na": counts[0], "b": names[1], "nb": counts[1]}
            )
    if errors:
        raise ValidationError(errors, code="invalid_bureau")
    for mandate in active_mandates(federation, starts_on):
        mandate.ended_early_on = starts_on
        mandate.save(update_fields=["ended_early_on"])
    try:
        ends_on = starts_on.replace(year=starts_on.year + statutes.bureau_term_years) - timedelta(days=1)
    except ValueError:  # 29 February
        ends_on = starts_on.replace(month=2, day=28, year=starts_on.year + statutes.bureau_term_years)
    created = []
    for user, role in seats:
        mandate = BureauMandate(
            federation=federation,
            user=user,
            member=delegations[user.pk].member,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            elected_by_id=(elected_by or {}).get(role),
        )
        mandate.full_clean()
        mandate.save()
        created.append(mandate)
    audit_append(
        federation=federation,
        event="bureau.installed",
        actor=actor,
        payload={
            "starts_on": starts_on.isoformat(),
            "seats": [{"user": m.user_id, "role": m.role, "member": m.member_id} for m in created],
        },
    )
    return created


# --- meetings -----------------------------------------------------------------------------------------
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
    _check_manager(actor, federation)
    if first_meeting is not None:
        if first_meeting.federation_id != federation.pk or first_meeting.body != body:
            raise ValidationError(_("La première séance doit être de la même instance."), code="invalid")
        if selectors.meeting_quorum(first_meeting).met:
            raise ValidationError(
                _("Le quorum de la première séance était atteint : pas de seconde convocation."),
                code="quorum_met",
            )
        days = (
            timezone.localtime(starts_at).date() - timezone.localtime(first_meeting.starts_at).date()
        ).days
        statutes = selectors.statutes_of(federation).as_rules()
        if not rules.second_meeting_in_time(statutes, days_after_first=days):
            raise ValidationError(
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


def convocation_recipients(meeting: Meeting) -> list[str]:
    """Delegates of every member (CPTS titulars and substitutes, partner delegates), or the bureau."""
    if meeting.body == Body.BUREAU:
        return sorted({m.user.email for m in active_mandates(meeting.federation)})
    emails = {d.user.email for d in selectors.active_delegates(meeting.federation)}
    emails |= set(
        User.objects.filter(
            federation_roles__federation=meeting.federation, federation_roles__role="partner_delegate"
        ).values_list("email", flat=True)
    )
    return sorted(emails)


@transaction.atomic
def meeting_convene(
    *, actor: User | None, meeting: Meeting, now: datetime | None = None, send_emails: bool = True
) -> Meeting:
    """Send the convocation (e-mail with the agenda), at least the statutory number of days ahead.
    `send_emails=False` records a convocation sent by other means (demo data, paper mail)."""
    _check_manager(actor, meeting.federation)
    if meeting.status != Meeting.Status.DRAFT:
        raise ValidationError(_("Cette séance a déjà été convoquée."), code="already_convened")
    now = now or timezone.now()
    statutes = selectors.statutes_of(meeting.federation).as_rules()
    days_ahead = (meeting.starts_at - now).total_seconds() / 86400
    # A second meeting is convened within the first one's delay: the usual notice cannot apply.
    if not meeting.is_second_meeting and not rules.convocation_in_time(statutes, days_ahead=days_ahead):
        raise ValidationError(
            _("La convocation doit être envoyée au moins %(n)d jours avant la séance (statuts).")
            % {"n": statutes.convocation_days},
            code="convocation_too_late",
        )
    meeting.status = Meeting.Status.CONVENED
    meeting.convened_at = now
    meeting.save(update_fields=["status", "convened_at"])
    recipients = convocation_recipients(meeting)
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
    from federation.governance.tasks import send_convocation

    if send_emails:
        transaction.on_commit(lambda: send_convocation.delay(meeting.pk))
    _publish_meeting(meeting, "meeting.convened")
    return meeting


@transaction.atomic
def meeting_open(*, actor: User | None, meeting: Meeting) -> Meeting:
    _check_manager(actor, meeting.federation)
    if meeting.status != Meeting.Status.CONVENED:
        raise ValidationError(_("Seule une séance convoquée peut être ouverte."), code="not_convened")
    meeting.status = Meeting.Status.OPEN
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["status", "opened_at"])
    audit_append(
        federation=meeting.federation,
        event="meeting.opened",
        actor=actor,
        payload={"meeting": meeting.pk, "quorum": selectors.meeting_quorum(meeting).as_dict()},
    )
    _publish_meeting(meeting, "meeting.opened")
    return meeting


@transaction.atomic
def meeting_close(*, actor: User | None, meeting: Meeting) -> Meeting:
    _check_manager(actor, meeting.federation)
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError(_("Seule une séance ouverte peut être close."), code="not_open")
    if meeting.polls.filter(status=Poll.Status.OPEN).exists():
        raise ValidationError(_("Des votes sont encore ouverts."), code="polls_open")
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    audit_append(
        federation=meeting.federation,
        event="meeting.closed",
        actor=actor,
        payload={"meeting": meeting.pk, "quorum": selectors.meeting_quorum(meeting).as_dict()},
    )
    _publish_meeting(meeting, "meeting.closed")
    return meeting


def _check_meeting_running(meeting: Meeting) -> None:
    if meeting.status not in (Meeting.Status.CONVENED, Meeting.Status.OPEN):
        raise ValidationError(_("La séance n'est pas convoquée ou est close."), code="meeting_not_running")


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
        raise ValidationError(_("Un membre est représenté en donnant un pouvoir."), code="invalid_status")
    if (member is None) == (mandate is None):
        raise ValidationError(_("Indiquez un membre ou un siège du bureau."), code="invalid")
    if meeting.body == Body.BUREAU and mandate is None:
        raise ValidationError(_("Le bureau émarge par siège."), code="invalid")
    if meeting.body != Body.BUREAU and member is None:
        raise ValidationError(_("L'assemblée émarge par membre."), code="invalid")
    if member is not None and (member.federation_id != federation.pk or member.left_on is not None):
        raise ValidationError(_("Ce membre ne fait pas partie de la fédération."), code="not_a_member")
    if mandate is not None and mandate.federation_id != federation.pk:
        raise ValidationError(_("Ce siège n'appartient pas à ce bureau."), code="invalid")
    if actor is not None and not can_manage_governance(actor, federation):
        own = (mandate is not None and mandate.user_id == actor.pk) or (
            member is not None and _is_delegate_of(actor, federation, member)
        )
        if not own:
            raise PermissionDenied
    if member is not None and Proxy.objects.filter(meeting=meeting, giver=member).exists():
        if status == AttendanceStatus.PRESENT:
            raise ValidationError(
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
    _publish_meeting(meeting, "attendance.changed")
    return row


def _is_delegate_of(actor: User, federation: Federation, member: FederationMember) -> bool:
    """Whether `actor` carries `member`'s voice: a delegate of that CPTS, or that partner's delegate."""
    if Delegate.objects.filter(member=member, user=actor, until__isnull=True).exists():
        return True
    return (
        bool(member.partner_id)
        and member.partner.delegates.filter(user=actor, federation=federation).exists()
    )


@transaction.atomic
def proxy_give(*, actor: User | None, meeting: Meeting, giver: FederationMember, holder: User) -> Proxy:
    """A member CPTS gives its vote for this meeting to the delegate of another member CPTS, within the
    statutory cap of proxies per holder."""
    federation = meeting.federation
    _check_meeting_running(meeting)
    if not meeting.is_general_assembly:
        raise ValidationError(_("Les pouvoirs ne valent que pour les assemblées générales."), code="invalid")
    if giver.federation_id != federation.pk or giver.left_on is not None or giver.college != College.CPTS:
        raise ValidationError(_("Seule une CPTS membre peut donner un pouvoir."), code="invalid_giver")
    if actor is not None and not (
        can_manage_governance(actor, federation) or _is_delegate_of(actor, federation, giver)
    ):
        raise PermissionDenied
    holder_delegation = (
        selectors.active_delegates(federation)
        .filter(user=holder, member__college=College.CPTS)
        .exclude(member=giver)
        .first()
    )
    if holder_delegation is None:
        raise ValidationError(
            _("Le pouvoir doit être donné au délégué·e d'une autre CPTS membre."), code="invalid_holder"
        )
    if Attendance.objects.filter(meeting=meeting, member=giver, status=AttendanceStatus.PRESENT).exists():
        raise ValidationError(_("Cette CPTS est émargée présente."), code="giver_present")
    if Proxy.objects.filter(meeting=meeting, giver=giver).exists():
        raise ValidationError(
            _("Cette CPTS a déjà donné un pouvoir pour cette séance."), code="already_given"
        )
    statutes = selectors.statutes_of(federation).as_rules()
    # Serialise proxies of one meeting so two at once cannot both pass the cap.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    held = Proxy.objects.filter(meeting=meeting, holder=holder).count()
    if not rules.proxy_allowed(statutes, held_by_holder=held):
        raise ValidationError(
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
    _publish_meeting(meeting, "attendance.changed")
    return proxy


@transaction.atomic
def proxy_withdraw(*, actor: User | None, proxy: Proxy) -> None:
    meeting = proxy.meeting
    if actor is not None and not (
        can_manage_governance(actor, meeting.federation)
        or _is_delegate_of(actor, meeting.federation, proxy.giver)
    ):
        raise PermissionDenied
    if Participation.objects.filter(poll__meeting=meeting, member=proxy.giver).exists():
        raise ValidationError(_("Un vote a déjà été exprimé avec ce pouvoir."), code="proxy_used")
    Attendance.objects.filter(meeting=meeting, member=proxy.giver).update(status=AttendanceStatus.ABSENT)
    audit_append(
        federation=meeting.federation,
        event="proxy.withdrawn",
        actor=actor,
        payload={"meeting": meeting.pk, "giver": proxy.giver_id, "holder": proxy.holder_id},
    )
    proxy.delete()
    _publish_meeting(meeting, "attendance.changed")


# --- polls --------------------------------------------------------------------------------------------
MEMBERSHIP_EFFECTS = ("cpts_join", "member_leave", "partner_join")


def _validate_effect(federation: Federation, body: str, decision_kind: str, effect: dict) -> dict:
    if not effect:
        return {}
    kind = effect.get("type")
    statutes = selectors.statutes_of(federation)
    if kind in MEMBERSHIP_EFFECTS:
        if decision_kind != DecisionKind.MEMBERSHIP:
            raise ValidationError(
                _("Une adhésion ou un départ est une décision de type « adhésion »."), code="invalid"
            )
        wanted_bureau = statutes.membership_decided_by == StatutesSettings.MembershipBody.BUREAU
        if wanted_bureau != (body == Body.BUREAU):
            raise ValidationError(
                _("Selon les statuts, les adhésions et départs sont décidés par %(body)s.")
                % {"body": statutes.get_membership_decided_by_display().lower()},
                code="wrong_body",
            )
        if kind == "cpts_join":
            cpts = Cpts.objects.filter(pk=effect.get("cpts")).first()
            if cpts is None:
                raise ValidationError(_("CPTS inconnue."), code="invalid")
            if MaturityStage.rank(cpts.maturity_stage) < MaturityStage.rank(federation.min_join_stage):
                raise ValidationError(
                    _("La CPTS « %(cpts)s » n'a pas atteint le stade requis pour adhérer (%(stage)s).")
                    % {"cpts": cpts.name, "stage": MaturityStage(federation.min_join_stage).label},
                    code="stage_too_early",
                )
            return {"type": kind, "cpts": cpts.pk, "label": cpts.name}
        if kind == "member_leave":
            member = _active_member(federation, member_id=effect.get("member"))
            return {"type": kind, "member": member.pk, "label": selectors.member_label(member)}
        name = (effect.get("name") or "").strip()
        if not name:
            raise ValidationError(_("Nom du partenaire requis."), code="invalid")
        return {"type": kind, "name": name, "kind": effect.get("kind") or Partner.Kind.OTHER, "label": name}
    if kind == "bureau_seat":
        role = effect.get("role")
        if role not in BureauRole.values:
            raise ValidationError(_("Fonction du bureau inconnue."), code="invalid")
        if body not in (Body.AGO, Body.AGE):
            raise ValidationError(_("Le bureau est élu par l'assemblée générale."), code="wrong_body")
        return {"type": kind, "role": role, "label": str(BureauRole(role).label)}
    if kind == "statutes_change":
        if decision_kind != DecisionKind.STATUTES:
            raise ValidationError(_("Une modification des statuts est une décision de type « statuts »."))
        if body != Body.AGE:
            raise ValidationError(
                _("Les statuts ne se modifient qu'en assemblée générale extraordinaire."), code="wrong_body"
            )
        return {"type": kind, "changes": _validated_changes(federation, effect.get("changes") or {})}
    raise ValidationError(_("Effet de décision inconnu."), code="invalid")


@transaction.atomic
def poll_create(
    *,
    actor: User | None,
    federation: Federation,
    title: str,
    kind: str = Poll.Kind.MOTION,
    decision_kind: str = DecisionKind.ORDINARY,
    description: str = "",
    secret: bool = False,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    body: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    candidates: list[User] | None = None,
    effect: dict | None = None,
    previous_round: Poll | None = None,
) -> Poll:
    """A motion or an election, in a meeting or as a written consultation (with opening and deadline)."""
    _check_manager(actor, federation)
    if meeting is not None:
        if meeting.federation_id != federation.pk:
            raise ValidationError(_("Séance inconnue."), code="invalid")
        if meeting.status == Meeting.Status.CLOSED:
            raise ValidationError(_("La séance est close."), code="meeting_closed")
        body = meeting.body
    else:
        body = body or Body.AGO
        if not (opens_at and closes_at):
            raise ValidationError(
                _("Une consultation écrite a une date d'ouverture et une date limite."), code="dates_required"
            )
        if closes_at <= opens_at:
            raise ValidationError(_("La date limite doit suivre l'ouverture."), code="invalid_dates")
    if agenda_item is not None and agenda_item.meeting_id != getattr(meeting, "pk", None):
        raise ValidationError(_("Ce point n'est pas à l'ordre du jour de la séance."), code="invalid")
    if body == Body.BUREAU and decision_kind not in (DecisionKind.BUREAU, DecisionKind.MEMBERSHIP):
        decision_kind = DecisionKind.BUREAU
    effect = _validate_effect(federation, body, decision_kind, effect or {})
    poll = Poll(
        federation=federation,
        meeting=meeting,
        agenda_item=agenda_item,
        body=body,
        kind=kind,
        decision_kind=decision_kind,
        title=title,
        description=description,
        secret=secret,
        opens_at=opens_at,
        closes_at=closes_at,
        effect=effect,
        created_by=actor,
        previous_round=previous_round,
        election_round=(previous_round.election_round + 1) if previous_round else 1,
    )
    poll.full_clean()
    poll.save()
    if kind == Poll.Kind.ELECTION:
        if not candidates:
            raise ValidationError(_("Une élection a au moins un·e candidat·e."), code="no_candidates")
        delegations = {
            d.user_id: d
            for d in selectors.active_delegates(federation).filter(
                user__in=candidates, member__college=College.CPTS
            )
        }
        for user in candidates:
            if user.pk not in delegations:
                raise ValidationError(
                    _(
                        "%(user)s n'est pas délégué·e d'une CPTS membre : seul le collège des CPTS est éligible."
                    )
                    % {"user": user},
                    code="candidate_not_delegate",
                )
            Candidate.objects.create(
                poll=poll,
                user=user,
                member=delegations[user.pk].member,
                label=f"{user} ({delegations[user.pk].member.cpts.name})",
            )
    audit_append(
        federation=federation,
        event="poll.created",
        actor=actor,
        payload={
            "poll": poll.pk,
            "meeting": getattr(meeting, "pk", None),
            "title": title,
            "kind": kind,
            "decision_kind": decision_kind,
            "secret": secret,
            "effect": effect,
            "candidates": [c.pk for c in candidates or []],
        },
    )
    return poll


@transaction.atomic
def poll_open(*, actor: User | None, poll: Poll) -> Poll:
    _check_manager(actor, poll.federation)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError(_("Ce vote a déjà été ouvert."), code="not_draft")
    if poll.meeting_id and poll.meeting.status != Meeting.Status.OPEN:
        raise ValidationError(
            _("La séance doit être ouverte pour mettre une question aux voix."), code="meeting_not_open"
        )
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    poll.save(update_fields=["status", "opened_at"])
    audit_append(federation=poll.federation, event="poll.opened", actor=actor, payload={"poll": poll.pk})
    _publish_poll(poll, "poll.opened")
    return poll


@transaction.atomic
def ballot_cast(
    *,
    actor: User,
    poll: Poll,
    right_key: str | None = None,
    choice: str = "",
    candidate_id: int | None = None,
    blank: bool = False,
    opinion: str = "",
    now: datetime | None = None,
) -> Participation:
    """Cast one vote: for the member (or bureau seat) named by `right_key` ("member-<id>" /
    "mandate-<id>"; optional when the user has a single right). A proxy holder casts each represented
    vote separately. The participation row (unique per member and poll) and the anonymous ballot are
    written together; a second submission for the same member fails on the database constraint,
    even when both arrive at once."""
    now = now or timezone.now()
    # Lock the poll row: a ballot and the closing of the poll never interleave (closing takes the
    # same lock), so no ballot lands after the result was computed or the secret ballots shuffled.
    poll = (
        Poll.objects.select_for_update(of=("self",)).select_related("federation", "meeting").get(pk=poll.pk)
    )
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("Ce vote n'est pas ouvert."), code="poll_not_open")
    if poll.is_written_consultation and not (poll.opens_at <= now <= poll.closes_at):
        raise ValidationError(
            _("La consultation écrite n'est pas dans sa période de vote."), code="outside_period"
        )
    rights = selectors.voting_rights(actor, poll)
    if right_key is None and len(rights) == 1:
        right = rights[0]
    else:
        right = next((r for r in rights if r.key == right_key), None)
    if right is None:
        if rights:
            raise ValidationError(_("Précisez pour quel membre vous votez."), code="which_member")
        raise PermissionDenied(_("Vous n'avez pas de voix dans ce scrutin."))
    candidate = None
    if poll.kind == Poll.Kind.MOTION:
        if choice not in {c.value for c in rules.Choice}:
            raise ValidationError(_("Choisissez pour, contre ou abstention."), code="invalid_choice")
        blank = False
    else:
        choice = ""
        if not blank:
            candidate = Candidate.objects.filter(poll=poll, pk=candidate_id).first()
            if candidate is None:
                raise ValidationError(
                    _("Choisissez un·e candidat·e ou votez blanc."), code="invalid_candidate"
                )
    if opinion and right.college != College.PARTNERS:
        raise ValidationError(_("Seuls les partenaires joignent un avis écrit."), code="opinion_not_allowed")
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                poll=poll,
                college=right.college,
                member=right.member,
                mandate=right.mandate,
                cast_by=actor,
                by_proxy=right.by_proxy,
                open_choice="" if poll.secret else (choice or ("blank" if blank else "")),
                open_candidate=None if poll.secret else candidate,
                created_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Un vote a déjà été enregistré pour %(who)s dans ce scrutin.") % {"who": right.label},
            code="already_voted",
        ) from exc
    Ballot.objects.create(poll=poll, college=right.college, choice=choice, candidate=candidate, blank=blank)
    if opinion and right.member is not None and right.member.partner_id:
        PartnerOpinion.objects.create(
            poll=poll, partner_id=right.member.partner_id, text=opinion, author=actor
        )
    payload = {
        "poll": poll.pk,
        "college": right.college,
        "member": right.member.pk if right.member else None,
        "mandate": right.mandate.pk if right.mandate else None,
        "by_proxy": right.by_proxy,
    }
    if not poll.secret:  # a named vote is public; a secret one is logged as a participation only
        payload["choice"] = choice or ("blank" if blank else "")
        payload["candidate"] = candidate.pk if candidate else None
    audit_append(federation=poll.federation, event="ballot.cast", actor=actor, payload=payload)
    _publish_poll(poll, "poll.participation")
    return participation


def _casting_vote(poll: Poll, explicit: str | None) -> str | None:
    """The president's casting vote: given at closing, or (open polls) the president's own vote."""
    if explicit:
        return explicit
    if poll.secret:
        return None
    president = selectors.president(poll.federation)
    if president is None:
        return None
    row = Participation.objects.filter(poll=poll, cast_by=president.user, by_proxy=False).first()
    if row is None:
        return None
    return (
        str(row.open_candidate_id)
        if poll.kind == Poll.Kind.ELECTION and row.open_candidate_id
        else row.open_choice
    )


def compute_result(poll: Poll, casting_vote: str | None = None) -> dict:
    """The result of a poll from its ballots and the statutes (not stored)."""
    federation = poll.federation
    statutes = selectors.statutes_of(federation).as_rules()
    members = selectors.deciding_members_count(federation, poll.body)
    participation = selectors.participation_counts(poll)
    if poll.meeting_id:
        counts = selectors.attendance_counts(poll.meeting)
        present, represented = counts["present"], counts["represented"]
        second_meeting = poll.meeting.is_second_meeting
    else:  # written consultation: those who answered make the quorum
        present = participation.get("cpts", participation.get("bureau", 0))
        represented = 0
        second_meeting = False
    ballots = list(Ballot.objects.filter(poll=poll).values_list("college", "choice", "candidate_id", "blank"))
    deciding = [b for b in ballots if b[0] == College.CPTS]
    advisory = [b for b in ballots if b[0] == College.PARTNERS] if poll.body != Body.BUREAU else []
    casting = _casting_vote(poll, casting_vote)
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


def _shuffle_secret_ballots(poll: Poll) -> None:
    """Rewrite a secret poll's ballots in random order with fresh keys, so that neither the keys nor
    the physical order of the rows can follow the order of the participations."""
    rows = list(Ballot.objects.filter(poll=poll).values("college", "choice", "candidate_id", "blank"))
    random.SystemRandom().shuffle(rows)
    Ballot.objects.filter(poll=poll).delete()
    Ballot.objects.bulk_create([Ballot(poll=poll, **row) for row in rows])


@transaction.atomic
def poll_close(*, actor: User | None, poll: Poll, casting_vote: str | None = None) -> Poll:
    """Close the vote and compute the result (not yet published)."""
    _check_manager(actor, poll.federation)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("Ce vote n'est pas ouvert."), code="poll_not_open")
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.casting_vote = casting_vote or ""
    if poll.secret:
        _shuffle_secret_ballots(poll)
    poll.result = compute_result(poll, casting_vote)
    poll.save(update_fields=["status", "closed_at", "casting_vote", "result"])
    audit_append(
        federation=poll.federation,
        event="poll.closed",
        actor=actor,
        payload={"poll": poll.pk, "result": poll.result},
    )
    _publish_poll(poll, "poll.closed")
    return poll


def _apply_effect(poll: Poll, actor: User | None) -> None:
    effect = poll.effect or {}
    kind = effect.get("type")
    federation = poll.federation
    if kind == "cpts_join":
        federation_services.federation_add_cpts(
            federation=federation, cpts=Cpts.objects.get(pk=effect["cpts"])
        )
    elif kind == "member_leave":
        member = FederationMember.objects.get(pk=effect["member"], federation=federation)
        if member.left_on is None:
            federation_services.federation_member_leave(member=member)
            Delegate.objects.filter(member=member, until__isnull=True).update(until=timezone.localdate())
    elif kind == "partner_join":
        federation_services.partner_create(federation=federation, name=effect["name"], kind=effect["kind"])
    elif kind == "statutes_change":
        _apply_statutes_change(poll, effect["changes"])


def _seat_elected(poll: Poll, actor: User | None) -> BureauMandate:
    """An election to a bureau seat installs the elected delegate for a full term; the previous holder
    of a single seat (president, treasurer, secretary, deputies) ends that day. With exactly two member
    CPTS, a complete bureau must keep parity between them."""
    federation = poll.federation
    candidate = Candidate.objects.select_related("user", "member").get(pk=int(poll.result["elected"]))
    role = poll.effect["role"]
    statutes = selectors.statutes_of(federation)
    today = timezone.localdate()
    current = list(active_mandates(federation, today))
    leaving = [m for m in current if m.user_id == candidate.user_id]
    if role != BureauRole.VICE_PRESIDENT:
        leaving += [m for m in current if m.role == role]
    elif len([m for m in current if m.role == role and m not in leaving]) >= statutes.vice_presidents_max:
        raise ValidationError(
            _("Les statuts prévoient au plus %(n)d vice-président·e(s).")
            % {"n": statutes.vice_presidents_max},
            code="invalid_bureau",
        )
    staying = [m for m in current if m not in leaving]
    member_cpts = list(selectors.college_members(federation, College.CPTS))
    roles_after = {m.role for m in staying} | {role}
    if len(member_cpts) == 2 and all(r in roles_after for r in REQUIRED_BUREAU_ROLES):
        per = {m.pk: 0 for m in member_cpts}
        for m in staying:
            per[m.member_id] = per.get(m.member_id, 0) + 1
        per[candidate.member_id] = per.get(candidate.member_id, 0) + 1
        counts = [per[m.pk] for m in member_cpts]
        if counts[0] != counts[1]:
            raise ValidationError(
                _(
                    "La fédération ne compte que deux CPTS : le bureau doit respecter la parité entre elles "
                    "(%(a)s : %(na)d poste(s), %(b)s : %(nb)d poste(s))."
                )
                % {
                    "a": member_cpts[0].cpts.name,
                    "na": counts[0],
                    "b": member_cpts[1].cpts.name,
                    "nb": counts[1],
                },
                code="invalid_bureau",
            )
    for mandate in leaving:
        mandate.ended_early_on = today
        mandate.save(update_fields=["ended_early_on"])
    try:
        ends_on = today.replace(year=today.year + statutes.bureau_term_years) - timedelta(days=1)
    except ValueError:  # 29 February
        ends_on = today.replace(month=2, day=28, year=today.year + statutes.bureau_term_years)
    mandate = BureauMandate(
        federation=federation,
        user=candidate.user,
        member=candidate.member,
        role=role,
        starts_on=today,
        ends_on=ends_on,
        elected_by=poll,
    )
    mandate.full_clean()
    mandate.save()
    audit_append(
        federation=federation,
        event="bureau.elected",
        actor=actor,
        payload={"poll": poll.pk, "user": candidate.user_id, "role": role, "member": candidate.member_id},
    )
    return mandate


@transaction.atomic
def poll_publish(*, actor: User | None, poll: Poll) -> Poll:
    """Publish the result; it is immutable from then on. An adopted decision takes effect now
    (membership changes call the foundation's services; statutes changes update the settings)."""
    _check_manager(actor, poll.federation)
    poll = Poll.objects.select_for_update().select_related("federation").get(pk=poll.pk)
    if poll.status == Poll.Status.PUBLISHED:
        raise ValidationError(_("Ce résultat est déjà publié et ne peut plus changer."), code="published")
    if poll.status != Poll.Status.CLOSED:
        raise ValidationError(_("Clôturez le vote avant d'en publier le résultat."), code="not_closed")
    poll.status = Poll.Status.PUBLISHED
    poll.published_at = timezone.now()
    poll.save(update_fields=["status", "published_at"])
    if poll.result.get("outcome") == rules.Outcome.ADOPTED and poll.kind == Poll.Kind.MOTION:
        _apply_effect(poll, actor)
    if (
        poll.kind == Poll.Kind.ELECTION
        and poll.result.get("elected")
        and poll.effect.get("type") == "bureau_seat"
    ):
        _seat_elected(poll, actor)
    audit_append(
        federation=poll.federation,
        event="poll.published",
        actor=actor,
        payload={
            "poll": poll.pk,
            "outcome": poll.result.get("outcome"),
            "divergence": poll.result.get("divergence"),
        },
    )
    _publish_poll(poll, "poll.published")
    return poll


@transaction.atomic
def election_second_round(*, actor: User | None, poll: Poll) -> Poll:
    """Round 2 of an election nobody won in round 1: the same candidates, relative majority."""
    _check_manager(actor, poll.federation)
    if poll.kind != Poll.Kind.ELECTION or poll.status != Poll.Status.PUBLISHED:
        raise ValidationError(_("Le premier tour doit être publié."), code="invalid")
    if not poll.result.get("needs_second_round"):
        raise ValidationError(_("Ce scrutin ne demande pas de second tour."), code="no_second_round")
    return poll_create(
        actor=actor,
        federation=poll.federation,
        title=_("%(title)s — second tour") % {"title": poll.title},
        kind=Poll.Kind.ELECTION,
        decision_kind=poll.decision_kind,
        description=poll.description,
        secret=poll.secret,
        meeting=poll.meeting,
        agenda_item=poll.agenda_item,
        body=poll.body,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        candidates=[c.user for c in poll.candidates.select_related("user")],
        effect=poll.effect,
        previous_round=poll,
    )


def describe_statutes_changes(federation: Federation, changes: dict) -> str:
    """The proposed changes in words: "Quorum de l'AGO : La moitié → Un tiers"."""
    current = selectors.statutes_of(federation)
    lines = []
    for key, value in changes.items():
        if key == "min_join_stage":
            label = str(Federation._meta.get_field(key).verbose_name)
            before, after = MaturityStage(federation.min_join_stage).label, MaturityStage(value).label
        elif key in StatutesSettings.EDITABLE:
            field = StatutesSettings._meta.get_field(key)
            label = str(field.verbose_name)
            choices = dict(field.choices or [])
            before, after = getattr(current, key), value
            if choices:
                before, after = choices.get(before, before), choices.get(after, after)
            elif isinstance(value, bool):
                before, after = (_("oui") if before else _("non")), (_("oui") if after else _("non"))
        else:
            continue
        lines.append(f"{label[:1].upper()}{label[1:]} : {before} → {after}")
    return "\n".join(lines)


@transaction.atomic
def statutes_change_propose(
    *,
    actor: User | None,
    federation: Federation,
    changes: dict,
    title: str = "",
    meeting: Meeting | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    secret: bool = False,
) -> Poll:
    """A change of the statutes settings is itself a decision: a poll in AGE (or a written
    consultation of the AGE), applied when its adopted result is published."""
    return poll_create(
        actor=actor,
        federation=federation,
        title=title or _("Modification des paramètres statutaires"),
        kind=Poll.Kind.MOTION,
        decision_kind=DecisionKind.STATUTES,
        description=describe_statutes_changes(federation, changes),
        meeting=meeting,
        body=Body.AGE,
        opens_at=opens_at,
        closes_at=closes_at,
        secret=secret,
        effect={"type": "statutes_change", "changes": changes},
    )
