"""The pooled resources' panels on the federation cockpit (`federation.cockpit` registry), registered
from `SharedActionsConfig.ready()`. Each builder lives with its sub-domain and reads through its
selectors in a fixed number of queries, whatever the number of CPTS. Who may open the cockpit (and the
federation's view of a CPTS) is the cockpit page's decision; the panels show nothing private to a CPTS."""

from django.utils.translation import gettext_lazy as _

from federation.cockpit import Panel, register_panel
from shared_actions.campaigns.cockpit import campaigns_behind_panel, cpts_campaigns_panel
from shared_actions.documents.cockpit import cpts_documents_panel
from shared_actions.meetings.cockpit import cpts_meetings_panel, upcoming_meetings_panel
from shared_actions.rosters.cockpit import cpts_rosters_panel, uncovered_shifts_panel

PANELS = [
    Panel(
        key="shared_actions.uncovered_shifts",
        title=_("Gardes SNP non couvertes (14 jours)"),
        build=uncovered_shifts_panel,
        scope=Panel.FEDERATION,
        order=10,
    ),
    Panel(
        key="shared_actions.campaigns_behind",
        title=_("Campagnes en retard sur leur objectif"),
        build=campaigns_behind_panel,
        scope=Panel.FEDERATION,
        order=20,
    ),
    Panel(
        key="shared_actions.upcoming_meetings",
        title=_("Réunions partagées à venir"),
        build=upcoming_meetings_panel,
        scope=Panel.FEDERATION,
        order=30,
    ),
    Panel(
        key="shared_actions.cpts_documents",
        title=_("Documents partagés avec la fédération"),
        build=cpts_documents_panel,
        scope=Panel.CPTS,
        order=10,
    ),
    Panel(
        key="shared_actions.cpts_rosters",
        title=_("Plannings SNP"),
        build=cpts_rosters_panel,
        scope=Panel.CPTS,
        order=20,
    ),
    Panel(
        key="shared_actions.cpts_campaigns",
        title=_("Campagnes de prévention"),
        build=cpts_campaigns_panel,
        scope=Panel.CPTS,
        order=30,
    ),
    Panel(
        key="shared_actions.cpts_meetings",
        title=_("Réunions de la CPTS"),
        build=cpts_meetings_panel,
        scope=Panel.CPTS,
        order=35,
    ),
]


def register() -> None:
    for panel in PANELS:
        register_panel(panel)
