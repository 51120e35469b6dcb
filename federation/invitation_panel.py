"""The federation cockpit's "Invitations en attente" panel (registered from FederationConfig.ready())."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation import selectors
from federation.cockpit import Panel, PanelData, PanelItem, register_panel
from federation.invitations import pending_counts_by_cpts


def pending_invitations_panel(federation, user) -> PanelData:
    """Open invitations per member CPTS: two queries whatever the number of CPTS."""
    cpts_rows = list(selectors.member_cpts(federation).order_by("name").values("id", "name", "slug"))
    counts = pending_counts_by_cpts([row["id"] for row in cpts_rows])
    items = [
        PanelItem(
            label=row["name"],
            detail=_("%(n)d invitation(s) en attente de réponse") % {"n": counts[row["id"]]},
            url=reverse(
                "federation-cpts", kwargs={"federation_slug": federation.slug, "cpts_slug": row["slug"]}
            ),
        )
        for row in cpts_rows
        if counts.get(row["id"])
    ]
    return PanelData(
        items=items,
        count=sum(counts.values()),
        empty=_("Aucune invitation en attente : les CPTS invitent leurs membres depuis la page « Membres »."),
    )


def register() -> None:
    register_panel(
        Panel(
            key="federation.invitations",
            title=gettext_lazy("Invitations en attente"),
            scope=Panel.FEDERATION,
            order=80,
            build=pending_invitations_panel,
        )
    )
