"""State kept for the length of one bulk load (imports)."""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class BulkLoad:
    """What one bulk load has already fed the database backend's vocabulary and places: an import writes
    the same surnames and commune centroids thousands of times, each is sent once. Words and places are
    never removed, so remembering them for the length of a load is safe (a failed batch ends the load)."""

    words: set[str] = field(default_factory=set)  # title words as written (before folding)
    places: set[tuple[float, float]] = field(default_factory=set)
    limit: int = 500_000  # bounded memory: forgotten (and sent again) beyond this

    def new_titles(self, titles: Iterable[str]) -> list[str]:
        fresh = [title for title in titles if not self.words.issuperset(title.split())]
        if len(self.words) > self.limit:
            self.words.clear()
        self.words.update(word for title in fresh for word in title.split())
        return fresh

    def new_places(self, points: set[tuple[float, float]]) -> set[tuple[float, float]]:
        fresh = points - self.places
        if len(self.places) > self.limit:
            self.places.clear()
        self.places |= fresh
        return fresh
