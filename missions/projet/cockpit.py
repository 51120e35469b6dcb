"""The register and the projet de santé on the federation's cockpit (`federation.cockpit` registry): in the
federation's view of a member CPTS, its members by profession and category, the 100-member threshold, the
single-category warning and the projet's status; in the cockpit's table of CPTS, each one's express members.
Aggregates only: the register's names stay private to the CPTS."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.cockpit import CptsFacts, Panel, PanelData, PanelItem, register_cpts_facts, register_panel
from missions.projet.fiches.selectors import counted_fiches
from missions.projet.health_project.selectors import cpts_project, latest_published
from missions.projet.register.selectors import register_stats
from missions.projet.selectors import MEMBER_THRESHOLD, express_member_counts


def cpts_register_panel(cpts, user) -> PanelData:
    stats = register_stats(cpts)
    project = cpts_project(cpts)
    items = [
        PanelItem(
            label=_("%(n)d membre(s) ayant expressément adhéré") % {"n": stats.active},
            detail=(
                _("seuil de %(t)d membres atteint (taille 4 : +10 %%)") % {"t": MEMBER_THRESHOLD}
                if stats.threshold_reached
                else _("seuil de %(t)d membres : il en manque %(m)d")
                % {"t": MEMBER_THRESHOLD, "m": MEMBER_THRESHOLD - stats.active}
            ),
        )
    ]
    items += [PanelItem(label=w["message"], level="warning") for w in stats.warnings]
    if project is None:
        items.append(
            PanelItem(label=_("Projet de santé : pas encore commencé sur la plateforme"), level="warning")
        )
    else:
        version = latest_published(project)
        items.append(
            PanelItem(
                label=_("Projet de santé : %(status)s") % {"status": project.get_status_display()},
                detail=(
                    _("version %(n)d du %(date)s")
                    % {"n": version.number, "date": version.dated.strftime("%d/%m/%Y")}
                    if version
                    else _("aucune version publiée")
                ),
            )
        )
        n = counted_fiches(cpts).count()
        items.append(
            PanelItem(
                label=_("%(n)d fiche(s) action") % {"n": n},
                level="info" if n >= 2 else "warning",
                detail="" if n >= 2 else _("au moins deux avant de transmettre le projet à l'ARS"),
                url=reverse("projet-library"),
            )
        )
    return PanelData(
        items=items,
        count=stats.active,
        template="projet/_cockpit_panel.html",
        extra={"stats": stats},
    )


def space_panel(cpts, user) -> PanelData:
    """The CPTS's own home: the register, the projet de santé and its fiches action, one link each."""
    stats = register_stats(cpts)
    project = cpts_project(cpts)
    slug = {"cpts_slug": cpts.slug}
    fiches = counted_fiches(cpts).count()
    return PanelData(
        items=[
            PanelItem(
                label=_("Registre des adhérents"),
                url=reverse("projet-register", kwargs=slug),
                detail=_("%(n)d membre(s) ayant expressément adhéré") % {"n": stats.active},
            ),
            PanelItem(
                label=_("Projet de santé"),
                url=reverse("projet-health-project", kwargs=slug),
                detail=project.get_status_display() if project else _("pas encore commencé"),
                level="info" if project else "warning",
            ),
            PanelItem(
                label=_("Fiches action"),
                url=reverse("projet-fiches", kwargs=slug),
                detail=_("%(n)d fiche(s)") % {"n": fiches},
                level="info" if fiches >= 2 else "warning",
            ),
        ],
        count=stats.active,
    )


def members_facts(cpts_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    counts = express_member_counts(cpts_ids)
    return {pk: [(_("Adhérents"), n)] for pk, n in counts.items()}


def register() -> None:
    register_panel(
        Panel(
            key="projet.register",
            title=gettext_lazy("Adhérents et projet de santé"),
            build=cpts_register_panel,
            scope=Panel.CPTS,
            order=30,
        )
    )
    register_panel(
        Panel(
            key="projet.space",
            title=gettext_lazy("Adhérents, projet de santé, fiches action"),
            build=space_panel,
            scope=Panel.SPACE,
            order=30,
        )
    )
    register_cpts_facts(
        CptsFacts(key="projet.members", title=gettext_lazy("Adhérents"), build=members_facts, order=30)
    )
