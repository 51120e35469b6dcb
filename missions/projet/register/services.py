"""Writes of the members' register. Every status change goes through here and leaves a RegisterEvent.

The register's rules, from the seeds:
- membership is voluntary (seed 000: "sur la base du volontariat"): a line becomes active only by a request
  the CPTS accepts, or by the person's consent to being added (seed 003: "ayant expressément adhéré");
- a member leaves by resignation, or is excluded only by a recorded decision (seed 000, statutes 6.4);
- a professional can belong to several CPTS (seed 001: "un même acteur peut être membre de plusieurs CPTS").
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import services as directory_services
from directory.models import Professional, Structure, StructureCpts
from federation import services as federation_services
from federation.errors import ServiceError
from federation.models import Cpts, CptsRole, Membership, User
from missions.projet.access import can_manage
from missions.projet.models import (
    DEFAULT_CATEGORIES,
    OPEN_STATUSES,
    ExclusionDecision,
    MemberCategory,
    MemberStatus,
    RegisterEvent,
    RegisterMember,
)


def _require_manager(actor: User | None, cpts: Cpts) -> None:
    if actor is not None and not can_manage(actor, cpts):
        raise PermissionDenied


def _is_the_person(actor: User | None, member: RegisterMember) -> bool:
    return (
        actor is not None and member.professional_id is not None and member.professional.user_id == actor.pk
    )


def _event(
    member: RegisterMember, kind: str, actor: User | None, previous: str = "", detail: str = ""
) -> None:
    RegisterEvent.objects.create(
        member=member,
        kind=kind,
        actor=actor,
        from_status=previous,
        to_status=member.status,
        detail=detail[:500],
    )


def _save(member: RegisterMember) -> RegisterMember:
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def categories_ensure_defaults(*, cpts: Cpts) -> list[MemberCategory]:
    """The statutes' categories of `cpts`; the model statutes' defaults when it has defined none."""
    if not MemberCategory.objects.filter(cpts=cpts).exists():
        MemberCategory.objects.bulk_create(
            [
                MemberCategory(cpts=cpts, code=code, label=str(label), votes=votes, order=i)
                for i, (code, label, votes) in enumerate(DEFAULT_CATEGORIES)
            ],
            ignore_conflicts=True,
        )
    return list(MemberCategory.objects.filter(cpts=cpts))


@transaction.atomic
def category_create(
    *, actor: User | None, cpts: Cpts, code: str, label: str, votes: bool = True
) -> MemberCategory:
    _require_manager(actor, cpts)
    categories_ensure_defaults(cpts=cpts)
    if MemberCategory.objects.filter(cpts=cpts, code=code).exists():
        raise ServiceError(_("Cette catégorie existe déjà."), code="category_exists", field="code")
    order = MemberCategory.objects.filter(cpts=cpts).count()
    category = MemberCategory(cpts=cpts, code=code, label=label, votes=votes, order=order)
    category.full_clean()
    category.save()
    return category


def _category(cpts: Cpts, category: MemberCategory | None) -> MemberCategory:
    categories = categories_ensure_defaults(cpts=cpts)
    if category is None:
        by_code = {c.code: c for c in categories}
        return by_code.get("active") or categories[0]
    if category.cpts_id != cpts.pk:
        raise ServiceError(
            _("Cette catégorie n'est pas celle de cette CPTS."), code="wrong_category", field="category"
        )
    return category


def _check_no_open_line(cpts: Cpts, *, professional=None, structure=None) -> None:
    lines = RegisterMember.objects.filter(cpts=cpts, status__in=OPEN_STATUSES)
    line = (
        lines.filter(professional=professional) if professional else lines.filter(structure=structure)
    ).first()
    if line is None:
        return
    if line.status == MemberStatus.ACTIVE:
        raise ServiceError(_("Déjà membre de cette CPTS."), code="already_member")
    raise ServiceError(_("Une adhésion à cette CPTS est déjà en cours."), code="already_pending")


@transaction.atomic
def member_request(*, actor: User, cpts: Cpts, message: str = "") -> RegisterMember:
    """A professional asks to join `cpts` (their own directory entry): pending until the CPTS accepts."""
    professional = Professional.objects.filter(user=actor).first()
    if professional is None:
        raise ServiceError(
            _(
                "Votre compte n'est relié à aucune fiche de l'annuaire : demandez à votre coordination de la relier."
            ),
            code="no_directory_entry",
        )
    _check_no_open_line(cpts, professional=professional)
    member = RegisterMember(
        cpts=cpts,
        professional=professional,
        category=_category(cpts, None),
        status=MemberStatus.REQUESTED,
        origin=RegisterMember.Origin.REQUEST,
        message=message,
        created_by=actor,
    )
    _save(member)
    _event(member, RegisterEvent.Kind.REQUESTED, actor, detail=message)
    return member


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    cpts: Cpts,
    professional: Professional | None = None,
    structure: Structure | None = None,
    category: MemberCategory | None = None,
    representative: str = "",
) -> RegisterMember:
    """The coordination adds a professional or a structure: pending until the person (or the structure's
    legal representative) consents."""
    _require_manager(actor, cpts)
    if (professional is None) == (structure is None):
        raise ServiceError(_("Choisissez un·e professionnel·le ou une structure."), code="member_kind")
    _check_no_open_line(cpts, professional=professional, structure=structure)
    member = RegisterMember(
        cpts=cpts,
        professional=professional,
        structure=structure,
        representative=representative,
        category=_category(cpts, category),
        status=MemberStatus.AWAITING_CONSENT,
        origin=RegisterMember.Origin.ADDED,
        created_by=actor,
    )
    _save(member)
    _event(member, RegisterEvent.Kind.ADDED, actor)
    return member


def _activate(member: RegisterMember, *, consented_at, joined_on: datetime.date | None) -> None:
    member.status = MemberStatus.ACTIVE
    member.consented_at = consented_at
    member.joined_on = joined_on or timezone.localdate()
    member.left_on = None
    _save(member)
    _sync_links(member)


def _sync_links(member: RegisterMember) -> None:
    """Keep the directory's CPTS link and the platform space access in step with the register."""
    if member.structure_id:
        if member.is_active:
            StructureCpts.objects.get_or_create(structure_id=member.structure_id, cpts_id=member.cpts_id)
        else:
            StructureCpts.objects.filter(structure_id=member.structure_id, cpts_id=member.cpts_id).delete()
        return
    professional = member.professional
    if member.is_active:
        directory_services.professional_join_cpts(actor=None, professional=professional, cpts=member.cpts)
        if (
            professional.user_id
            and not Membership.objects.filter(user_id=professional.user_id, cpts=member.cpts).exists()
        ):
            federation_services.membership_set(actor=None, cpts=member.cpts, user=professional.user)
        return
    directory_services.professional_leave_cpts(actor=None, professional=professional, cpts=member.cpts)
    # A former member loses the space, unless they hold a role in it (coordination, bureau, admin).
    if (
        professional.user_id
        and Membership.objects.filter(
            user_id=professional.user_id, cpts=member.cpts, role=CptsRole.MEMBER
        ).exists()
    ):
        federation_services.membership_remove(actor=None, cpts=member.cpts, user=professional.user)


def _require_status(member: RegisterMember, *statuses: str) -> None:
    if member.status not in statuses:
        raise ServiceError(
            _("Impossible dans l'état actuel de l'adhésion (%(status)s).")
            % {"status": member.get_status_display()},
            code="wrong_status",
        )


@transaction.atomic
def member_accept(
    *, actor: User | None, member: RegisterMember, category: MemberCategory | None = None, joined_on=None
) -> RegisterMember:
    """The CPTS accepts a request: the request itself is the person's express consent."""
    _require_manager(actor, member.cpts)
    member = RegisterMember.objects.select_for_update().get(pk=member.pk)
    _require_status(member, MemberStatus.REQUESTED)
    if category is not None:
        member.category = _category(member.cpts, category)
    previous = member.status
    _activate(member, consented_at=member.requested_at, joined_on=joined_on)
    _event(member, RegisterEvent.Kind.ACCEPTED, actor, previous)
    return member


@transaction.atomic
def member_refuse(*, actor: User | None, member: RegisterMember, reason: str = "") -> RegisterMember:
    _require_manager(actor, member.cpts)
    member = RegisterMember.objects.select_for_update().get(pk=member.pk)
    _require_status(member, MemberStatus.REQUESTED)
    previous = member.status
    member.status = MemberStatus.DECLINED
    _save(member)
    _event(member, RegisterEvent.Kind.DECLINED, actor, previous, reason)
    return member


@transaction.atomic
def member_consent(*, actor: User, member: RegisterMember, accept: bool = True) -> RegisterMember:
    """The person added by the coordination consents (or declines) online, from "Mes adhésions"."""
    member = (
        RegisterMember.objects.select_for_update(of=("self",))
        .select_related("professional", "cpts")
        .get(pk=member.pk)
    )
    if not _is_the_person(actor, member):
        raise PermissionDenied
    _require_status(member, MemberStatus.AWAITING_CONSENT)
    previous = member.status
    if accept:
        _activate(member, consented_at=timezone.now(), joined_on=None)
        _event(member, RegisterEvent.Kind.CONSENTED, actor, previous, _("Consentement donné en ligne."))
    else:
        member.status = MemberStatus.DECLINED
        _save(member)
        _event(member, RegisterEvent.Kind.DECLINED, actor, previous, _("Consentement refusé en ligne."))
    return member


@transaction.atomic
def member_consent_record(
    *, actor: User | None, member: RegisterMember, evidence: str, consented_on: datetime.date | None = None
) -> RegisterMember:
    """The coordination records a consent given in writing (a structure's representative, a professional
    without an account): the evidence (signed form, letter) is required."""
    _require_manager(actor, member.cpts)
    member = RegisterMember.objects.select_for_update().get(pk=member.pk)
    _require_status(member, MemberStatus.AWAITING_CONSENT)
    evidence = (evidence or "").strip()
    if not evidence:
        raise ServiceError(
            _("Indiquez la preuve du consentement (bulletin d'adhésion signé, courrier…)."),
            code="consent_evidence_required",
            field="evidence",
        )
    consented_on = consented_on or timezone.localdate()
    if consented_on > timezone.localdate():
        raise ServiceError(
            _("La date du consentement ne peut pas être future."), code="future_date", field="consented_on"
        )
    previous = member.status
    member.consent_evidence = evidence[:300]
    consented_at = timezone.make_aware(datetime.datetime.combine(consented_on, datetime.time(12)))
    _activate(member, consented_at=consented_at, joined_on=consented_on)
    _event(member, RegisterEvent.Kind.CONSENTED, actor, previous, evidence)
    return member


@transaction.atomic
def member_set_category(
    *, actor: User | None, member: RegisterMember, category: MemberCategory
) -> RegisterMember:
    _require_manager(actor, member.cpts)
    member = (
        RegisterMember.objects.select_for_update(of=("self",)).select_related("category").get(pk=member.pk)
    )
    _require_status(member, *OPEN_STATUSES)
    category = _category(member.cpts, category)
    if category.pk == member.category_id:
        return member
    detail = f"{member.category.label} → {category.label}"
    member.category = category
    _save(member)
    _event(member, RegisterEvent.Kind.CATEGORY, actor, member.status, detail)
    return member


@transaction.atomic
def member_resign(
    *, actor: User, member: RegisterMember, on: datetime.date | None = None, note: str = ""
) -> RegisterMember:
    """The member resigns (online from "Mes adhésions"), or the coordination records a resignation letter.
    A pending request or addition is withdrawn the same way."""
    member = (
        RegisterMember.objects.select_for_update(of=("self",))
        .select_related("professional", "cpts")
        .get(pk=member.pk)
    )
    if actor is not None and not (_is_the_person(actor, member) or can_manage(actor, member.cpts)):
        raise PermissionDenied
    _require_status(member, *OPEN_STATUSES)
    previous = member.status
    on = on or timezone.localdate()
    if previous == MemberStatus.ACTIVE:
        if member.joined_on and on < member.joined_on:
            raise ServiceError(
                _("La démission ne peut pas précéder l'adhésion."), code="date_before_join", field="on"
            )
        member.status = MemberStatus.RESIGNED
        member.left_on = on
    else:
        member.status = MemberStatus.DECLINED
    _save(member)
    _sync_links(member)
    kind = RegisterEvent.Kind.RESIGNED if previous == MemberStatus.ACTIVE else RegisterEvent.Kind.DECLINED
    _event(member, kind, actor, previous, note or _("Retrait de la demande."))
    return member


@transaction.atomic
def member_exclude(
    *,
    actor: User | None,
    member: RegisterMember,
    decided_on: datetime.date,
    body: str,
    reason: str,
    defence_invited_on: datetime.date,
    reference: str = "",
) -> RegisterMember:
    """Exclusion, only by a recorded decision: its date, the body that took it, the reason, and the date the
    member was invited to present their defence (seed 000, statutes 6.4)."""
    _require_manager(actor, member.cpts)
    member = (
        RegisterMember.objects.select_for_update(of=("self",))
        .select_related("professional", "cpts")
        .get(pk=member.pk)
    )
    _require_status(member, MemberStatus.ACTIVE)
    if not (reason or "").strip():
        raise ServiceError(
            _("Le motif de la décision est obligatoire."), code="reason_required", field="reason"
        )
    if decided_on > timezone.localdate():
        raise ServiceError(
            _("La décision ne peut pas être datée dans le futur."), code="future_date", field="decided_on"
        )
    if defence_invited_on > decided_on:
        raise ServiceError(
            _("La personne doit avoir été invitée à présenter sa défense avant la décision."),
            code="defence_after_decision",
            field="defence_invited_on",
        )
    if member.joined_on and decided_on < member.joined_on:
        raise ServiceError(
            _("La décision ne peut pas précéder l'adhésion."), code="date_before_join", field="decided_on"
        )
    decision = ExclusionDecision(
        member=member,
        decided_on=decided_on,
        body=body,
        reason=reason.strip(),
        defence_invited_on=defence_invited_on,
        reference=reference,
        recorded_by=actor,
    )
    decision.full_clean()
    decision.save()
    previous = member.status
    member.status = MemberStatus.EXCLUDED
    member.left_on = decided_on
    _save(member)
    _sync_links(member)
    _event(
        member,
        RegisterEvent.Kind.EXCLUDED,
        actor,
        previous,
        f"{decision.get_body_display()} — {decision.reason}",
    )
    return member
