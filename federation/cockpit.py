"""The federation cockpit's extension point: each feature app contributes its own panels.

The base layer imports no feature app, so the cockpit (the federation's home for its coordinators and
bureau) and the federation's view of a member CPTS are assembled from panels the apps register from their
`AppConfig.ready()`, as each app seeds its own demo:

    from federation.cockpit import Panel, register_panel
    register_panel(Panel(key="rosters.uncovered", title=_("Gardes non couvertes (14 jours)"),
                         scope=Panel.FEDERATION, order=10, build=uncovered_shifts_panel))

`build(federation, user)` (scope FEDERATION) or `build(cpts, user)` (scope CPTS: the federation's view of one
member CPTS; scope SPACE: the CPTS's own home page, for its members, where each app links to its pages) reads through the app's selectors with a fixed number of queries whatever the number of CPTS
(the cockpit's query count is pinned by a test), and returns a `PanelData`, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class PanelItem:
    """One line of a panel: what needs attention, and the link to where it is handled."""

    label: str
    url: str = ""
    detail: str = ""
    level: str = "info"  # "info" | "warning" | "danger": how urgent it is


@dataclass
class PanelData:
    items: list[PanelItem] = field(default_factory=list)
    empty: str = ""  # what an empty panel says (in French): all is well, or the first thing to do
    count: int | None = None  # a headline figure (items may be a shortened list)
    extra: dict[str, Any] = field(default_factory=dict)  # charts, tables: for a panel's own template
    template: str = ""  # a panel's own template (default: the generic list)


@dataclass(frozen=True)
class Panel:
    FEDERATION: ClassVar[str] = "federation"
    CPTS: ClassVar[str] = "cpts"
    SPACE: ClassVar[str] = "space"

    key: str
    title: str
    build: Callable[..., PanelData | None]
    scope: str = "federation"
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    """Register (or replace, on a reload) a panel; keys are unique, `<app>.<what>`."""
    _PANELS[panel.key] = panel


def panels(scope: str) -> list[Panel]:
    return sorted((p for p in _PANELS.values() if p.scope == scope), key=lambda p: (p.order, p.key))


def build_panels(scope: str, subject, user) -> list[tuple[Panel, PanelData]]:
    """Every registered panel of a scope, built for a federation (or a CPTS) as `user` sees it."""
    built = []
    for panel in panels(scope):
        data = panel.build(subject, user)
        if data is not None:
            built.append((panel, data))
    return built


# --- facts about each member CPTS (a column of the cockpit's CPTS table) ------------------------------
@dataclass(frozen=True)
class CptsFacts:
    """A column of the cockpit's table of member CPTS that a feature app fills, e.g. the directory's
    "members by profession". `build(cpts_ids)` answers `{cpts_id: [(label, count), ...]}` in a fixed
    number of queries whatever the number of CPTS."""

    key: str
    title: str
    build: Callable[[list[int]], dict[int, list[tuple[str, int]]]]
    order: int = 100


_FACTS: dict[str, CptsFacts] = {}


def register_cpts_facts(facts: CptsFacts) -> None:
    _FACTS[facts.key] = facts


def cpts_facts() -> list[CptsFacts]:
    return sorted(_FACTS.values(), key=lambda f: (f.order, f.key))
