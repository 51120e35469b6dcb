"""Writes of the statutes settings. The first version is adopted at constitution; every later change is
a decision of the AGE (`polls.services.statutes_change_propose`), applied here when it is published."""

from django.db import transaction
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.governance.audit import audit_append
from federation.governance.common import check_manager
from federation.governance.statutes.models import StatutesSettings
from federation.governance.statutes.selectors import statutes_of
from federation.models import Federation, MaturityStage, User


@transaction.atomic
def statutes_initialize(*, actor: User | None, federation: Federation, **values) -> StatutesSettings:
    """The statutes adopted at constitution (once). Later changes go through `statutes_change_propose`."""
    check_manager(actor, federation)
    if StatutesSettings.objects.filter(federation=federation).exists():
        raise ServiceError(
            _("Les paramètres statutaires existent déjà : toute modification doit être votée en AGE."),
            code="statutes_exist",
        )
    unknown = set(values) - set(StatutesSettings.EDITABLE)
    if unknown:
        raise ServiceError(
            _("Paramètre(s) inconnu(s) : %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
            code="unknown_setting",
        )
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


def validated_changes(federation: Federation, changes: dict) -> dict:
    """The proposed changes, checked against the settings' own validation (nothing is saved)."""
    allowed = set(StatutesSettings.EDITABLE) | {"min_join_stage"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(
            _("Paramètre(s) inconnu(s) : %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
            code="unknown_setting",
        )
    if not changes:
        raise ServiceError(_("Aucune modification proposée."), code="no_change")
    if "min_join_stage" in changes and changes["min_join_stage"] not in MaturityStage.values:
        raise ServiceError(_("Stade de maturité inconnu."), code="invalid_stage", field="min_join_stage")
    candidate = statutes_of(federation)
    for key, value in changes.items():
        if key != "min_join_stage":
            setattr(candidate, key, value)
    candidate.full_clean(exclude=["federation", "adopted_by"])
    return {k: getattr(candidate, k) if k != "min_join_stage" else v for k, v in changes.items()}


def statutes_apply_change(*, poll, changes: dict) -> StatutesSettings:
    """Apply an adopted statutes decision (called when its result is published, in that transaction)."""
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
    return settings_row


def describe_statutes_changes(federation: Federation, changes: dict) -> str:
    """The proposed changes in words: "Quorum de l'AGO : La moitié → Un tiers"."""
    current = statutes_of(federation)
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
