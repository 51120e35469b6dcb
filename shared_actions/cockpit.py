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

# (key, title, builder, scope, order): the federation's attention items, then its view of one CPTS.
_TABLE = [
    (
        "uncovered_shifts",
        _("Gardes SNP non couvertes (14 jours)"),
        uncovered_shifts_panel,
        Panel.FEDERATION,
        10,
    ),
    (
        "campaigns_behind",
        _("Campagnes en retard sur leur objectif"),
        campaigns_behind_panel,
        Panel.FEDERATION,
        20,
    ),
    ("upcoming_meetings", _("Réunions partagées à venir"), upcoming_meetings_panel, Panel.FEDERATION, 30),
    ("cpts_documents", _("Documents partagés avec la fédération"), cpts_documents_panel, Panel.CPTS, 10),
    ("cpts_rosters", _("Plannings SNP"), cpts_rosters_panel, Panel.CPTS, 20),
    ("cpts_campaigns", _("Campagnes de prévention"), cpts_campaigns_panel, Panel.CPTS, 30),
    ("cpts_meetings", _("Réunions de la CPTS"), cpts_meetings_panel, Panel.CPTS, 35),
]
PANELS = [
    Panel(key=f"shared_actions.{key}", title=title, build=build, scope=scope, order=order)
    for key, title, build, scope, order in _TABLE
]


def register() -> None:
    for panel in PANELS:
        register_panel(panel)
