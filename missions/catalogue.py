"""Indicators a new contract mission starts with, beside the national ones of its rule set: those the
platform fills itself from the data it holds (its source is shown). Targets are starting points the CPTS
negotiates with the CPAM (seed 003, § 5.1: « s'accorder sur la source des données »)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

RESULT, FOLLOW_UP = "result", "follow_up"

DEFAULT_INDICATORS: dict[int, tuple[dict, ...]] = {
    1: (
        {
            "name": _("Heures de soins non programmés assurées par les membres (plannings SNP)"),
            "kind": FOLLOW_UP,
            "unit": "h",
            "target": Decimal(500),
            "data_source": _("Plannings SNP de la plateforme"),
            "auto_source": "snp_hours",
        },
        {
            "name": _("Taux de créneaux SNP pourvus"),
            "kind": FOLLOW_UP,
            "unit": "%",
            "target": Decimal(90),
            "data_source": _("Plannings SNP de la plateforme"),
            "auto_source": "snp_coverage",
        },
    ),
    2: (
        {
            "name": _("Réunions pluriprofessionnelles tenues"),
            "kind": FOLLOW_UP,
            "unit": _("réunions"),
            "target": Decimal(6),
            "data_source": _("Agenda de la plateforme"),
            "auto_source": "meetings",
        },
    ),
    3: (
        {
            "name": _("Actions de prévention menées dans les campagnes"),
            "kind": RESULT,
            "unit": _("actions"),
            "target": Decimal(4),
            "data_source": _("Campagnes de prévention de la plateforme"),
            "auto_source": "prevention_actions",
        },
    ),
    4: (
        {
            "name": _("Plan de crise rédigé (1re année) ou mis à jour dans l'année"),
            "kind": RESULT,
            "unit": "",
            "target": Decimal(1),
            "data_source": _("Documents partagés de la plateforme"),
            "auto_source": "crisis_plan",
        },
    ),
    6: (
        {
            "name": _("Taux de présence aux réunions de la CPTS"),
            "kind": FOLLOW_UP,
            "unit": "%",
            "target": Decimal(60),
            "data_source": _("Listes d'émargement de la plateforme"),
            "auto_source": "attendance",
        },
        {
            "name": _("Professions représentées parmi les membres"),
            "kind": FOLLOW_UP,
            "unit": _("professions"),
            "target": Decimal(5),
            "data_source": _("Registre des adhérents (professions de l'annuaire)"),
            "auto_source": "member_professions",
        },
    ),
}
