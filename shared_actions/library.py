"""Entries of the document library that live outside this app.

Each source is a function `(user, query, category) -> list[LibraryEntry]` returning only what `user`
may see; the library page lists them after the shared documents. Adding a source is one function
appended to `LIBRARY_SOURCES`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from federation.models import User


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
    """Minutes of the federation's bodies (AG, bureau), stored by `federation.governance`.

    INTEGRATION POINT: after merging, read the governance minutes the user may see (matching `query`
    in their title, and only when `category` is empty or "proces_verbal") and map each to a
    `LibraryEntry(category="proces_verbal", source="governance", url=<governance download URL>)`.
    """
    return []


LIBRARY_SOURCES: list[Callable[[User, str, str], list[LibraryEntry]]] = [governance_minutes]


def external_entries(user: User, query: str = "", category: str = "") -> list[LibraryEntry]:
    entries: list[LibraryEntry] = []
    for source in LIBRARY_SOURCES:
        entries.extend(source(user, query, category))
    return entries
