"""Entries of the document library that live outside this app.

Each source is a function `(user, query, category) -> list[LibraryEntry]` returning only what `user`
may see; the library page lists them after the shared documents. Adding a source is one function
appended to `LIBRARY_SOURCES`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from federation.governance.selectors import minutes_for_federation
from federation.models import Federation, User
from shared_actions.access import visible_to
from shared_actions.documents.models import DocumentCategory


@dataclass
class LibraryEntry:
    title: str
    category: str  # a DocumentCategory value
    category_label: str
    owner: str
    date: dt.datetime | dt.date
    url: str
    source: str


def governance_minutes(user: User, query: str, category: str) -> list[LibraryEntry]:
    """Minutes (procès-verbaux) of the federation's bodies, stored by `federation.governance` and read
    through its `selectors.minutes_for_federation(federation)`, for every federation the user takes
    part in."""
    if category and category != DocumentCategory.MINUTES:
        return []
    federations = visible_to(user, Federation.objects.all(), lambda scope: Q(pk__in=scope.federation_ids))
    needle = (query or "").strip().lower()
    entries = []
    for federation in federations.order_by("name"):
        for ref in minutes_for_federation(federation):
            title = _("Procès-verbal — %(title)s") % {"title": ref.title}
            if (
                needle
                and needle not in title.lower()
                and needle not in str(DocumentCategory.MINUTES.label).lower()
            ):
                continue
            entries.append(
                LibraryEntry(
                    title=title,
                    category=DocumentCategory.MINUTES,
                    category_label=str(DocumentCategory.MINUTES.label),
                    owner=federation.name,
                    date=ref.held_on,
                    url=ref.url,
                    source="governance",
                )
            )
    return entries


LIBRARY_SOURCES: list[Callable[[User, str, str], list[LibraryEntry]]] = [governance_minutes]


def external_entries(user: User, query: str = "", category: str = "") -> list[LibraryEntry]:
    entries: list[LibraryEntry] = []
    for source in LIBRARY_SOURCES:
        entries.extend(source(user, query, category))
    return entries
