"""The contract year's panels on the federation cockpit (`federation.cockpit` registry), registered from
`MissionsConfig.ready()`: each member CPTS's contract status, next review, funding expected this year and
indicators behind target, with charts (shared_actions' SVG bars). A fixed number of queries whatever the
number of CPTS: the roll-up is computed once per federation and request."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.cockpit import CptsFacts, Panel, PanelData, PanelItem, register_cpts_facts, register_panel
from missions.access import can_see_rollup
from missions.funding import euros, percent
from missions.selectors import federation_rollup
from shared_actions.campaigns.charts import progress_bars
from shared_actions.campaigns.selectors import Progress


def rollup_rows(federation):
    rows = getattr(federation, "_missions_rollup", None)
    if rows is None:
        rows = federation_rollup(federation)
        federation._missions_rollup = rows
    return rows


def funding_chart(rows):
    """Funding expected this year per CPTS against the most its size tier allows (in k€, to stay short)."""
    thousand = Decimal(1000)
    bars = [
        Progress(r.cpts.name, r.funding.funding.total / thousand, r.funding.funding.max_possible / thousand)
        for r in rows
        if r.funding is not None
    ]
    if not bars:
        return ""
    overall = Progress(
        _("Total"), sum((b.value for b in bars), Decimal(0)), sum((b.target for b in bars), Decimal(0))
    )
    return progress_bars(_("Financement attendu cette année / maximum possible (k€)"), bars, overall, "k€")


def achievement_chart(rows):
    """Achievement of each started mission, per CPTS (100 % = the whole variable part)."""
    bars = []
    for row in rows:
        for number, rate in sorted(row.achievements.items()):
            bars.append(Progress(f"{row.cpts.name} · M{number}", rate * 100, Decimal(100)))
    if not bars:
        return ""
    mean = sum((b.value for b in bars), Decimal(0)) / len(bars)
    return progress_bars(
        _("Taux d'atteinte par mission et CPTS (%)"), bars, Progress(_("Moyenne"), mean, Decimal(100)), "%"
    )


def contracts_panel(federation, user) -> PanelData | None:
    if not can_see_rollup(user, federation):
        return None
    rows = rollup_rows(federation)
    url = reverse("missions-rollup", args=[federation.slug])
    items = []
    for row in rows:
        if row.contract is None:
            items.append(PanelItem(label=row.cpts.name, url=url, detail=row.status, level="warning"))
            continue
        review = row.next_review
        detail = _("%(status)s · financement attendu %(amount)s · revue : %(review)s") % {
            "status": row.status,
            "amount": euros(row.funding.funding.total),
            "review": review.date.strftime("%d/%m/%Y") if review else _("aucune"),
        }
        items.append(PanelItem(label=row.cpts.name, url=url, detail=detail))
    return PanelData(
        items=items,
        empty=_("Aucune CPTS membre pour le moment."),
        count=sum(1 for r in rows if r.contract is not None),
        extra={
            "funding_chart": funding_chart(rows),
            "achievement_chart": achievement_chart(rows),
            "rollup_url": url,
        },
        template="missions/_cockpit_contracts.html",
    )


def behind_panel(federation, user) -> PanelData | None:
    if not can_see_rollup(user, federation):
        return None
    rows = rollup_rows(federation)
    url = reverse("missions-rollup", args=[federation.slug])
    items = []
    for row in rows:
        for indicator_row in row.behind:
            indicator = indicator_row.indicator
            items.append(
                PanelItem(
                    label=f"{row.cpts.name} — {indicator.name}",
                    url=url,
                    detail=_("mission %(mission)d, atteinte %(rate)s")
                    % {"mission": indicator.mission.number, "rate": percent(indicator_row.achievement)},
                    level="danger" if indicator_row.achievement < Decimal("0.5") else "warning",
                )
            )
    return PanelData(
        items=items[:10],
        count=len(items),
        empty=_("Aucun indicateur en retard sur sa cible."),
    )


def cpts_contract_panel(cpts, user) -> PanelData | None:
    """The federation's view of one member CPTS: its contract in one line."""
    from missions.selectors import contract_of, contract_status, contract_year_funding, current_year

    contract = contract_of(cpts)
    if contract is None:
        return PanelData(empty=_("Pas de contrat ACI enregistré."))
    year = current_year(contract)
    funding = contract_year_funding(contract, year)
    from django.utils import timezone

    return PanelData(
        items=[
            PanelItem(
                label=contract_status(contract, timezone.localdate()),
                detail=_("financement attendu : %(amount)s") % {"amount": euros(funding.funding.total)},
            )
        ]
    )


def space_contract_panel(cpts, user) -> PanelData:
    """The CPTS's own home: its contract year in one line, and the way to its page."""
    from missions.access import can_manage_contract

    url = reverse("missions-contract", kwargs={"cpts_slug": cpts.slug})
    data = cpts_contract_panel(cpts, user)
    if data.items:
        data.items.append(PanelItem(label=_("Missions, indicateurs, financement et revue annuelle"), url=url))
    elif can_manage_contract(user, cpts):
        data.items.append(PanelItem(label=_("Enregistrer le contrat ACI de la CPTS"), url=url))
    return data


def contract_facts(cpts_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """The cockpit table's column: funding expected this year (€) and indicators behind target, per CPTS."""
    from django.utils import timezone

    from missions.integration import express_member_counts
    from missions.models import Contract
    from missions.selectors import contract_year_funding, current_year, indicator_rows, with_details

    today = timezone.localdate()
    members = express_member_counts(list(cpts_ids))
    latest = {}
    for contract in with_details(Contract.objects.filter(cpts_id__in=cpts_ids)).order_by("signed_on"):
        latest[contract.cpts_id] = contract
    facts = {}
    for cpts_id, contract in latest.items():
        year = current_year(contract, today)
        funding = contract_year_funding(contract, year, members=members.get(cpts_id, 0)).funding
        behind = sum(1 for row in indicator_rows(contract, year) if row.behind)
        facts[cpts_id] = [
            (_("financement ACI attendu cette année (€)"), int(funding.total)),
            (_("indicateurs ACI en retard"), behind),
        ]
    return facts


def register() -> None:
    register_cpts_facts(
        CptsFacts(key="missions.contract", title=gettext_lazy("Contrat ACI"), build=contract_facts, order=40)
    )
    register_panel(
        Panel(
            key="missions.contracts",
            title=gettext_lazy("Contrats ACI des CPTS membres"),
            build=contracts_panel,
            scope=Panel.FEDERATION,
            order=40,
        )
    )
    register_panel(
        Panel(
            key="missions.behind",
            title=gettext_lazy("Indicateurs ACI en retard"),
            build=behind_panel,
            scope=Panel.FEDERATION,
            order=41,
        )
    )
    register_panel(
        Panel(
            key="missions.contract",
            title=gettext_lazy("Contrat ACI"),
            build=cpts_contract_panel,
            scope=Panel.CPTS,
            order=40,
        )
    )
    register_panel(
        Panel(
            key="missions.space",
            title=gettext_lazy("Contrat ACI"),
            build=space_contract_panel,
            scope=Panel.SPACE,
            order=40,
        )
    )
