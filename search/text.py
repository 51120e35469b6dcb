"""Text normalisation shared by both backends: accent folding, tokens, abbreviation expansion."""

import math
import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def fold(value: str) -> str:
    """Lower case, accents removed, ligatures expanded, punctuation turned into spaces."""
    if value.isascii():  # most names and labels: nothing to decompose
        return _NON_WORD.sub(" ", value.lower()).strip()
    value = value.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", ascii_only).strip()


def tokens(value: str) -> list[str]:
    return [t for t in fold(value).split(" ") if t]


def framed(value: str) -> str:
    """Folded text framed by spaces, so that `LIKE '% tok%'` is a word-prefix match."""
    folded = fold(value)
    return f" {folded} " if folded else ""


def expand(words: list[str], synonyms: dict[str, list[str]]) -> list[list[list[str]]]:
    """Group the query words: each group is a list of alternatives, each alternative a list of words
    that must all match. Multi-word abbreviations ("sage femme", "medecin generaliste") are matched
    first, longest first. Example: ["kine", "lunel"] → [[["kine"], ["kinesitherapeute"]], [["lunel"]]].
    """
    groups: list[list[list[str]]] = []
    index = 0
    longest = max((len(k.split()) for k in synonyms), default=1)
    while index < len(words):
        for size in range(min(longest, len(words) - index), 0, -1):
            phrase = " ".join(words[index : index + size])
            if phrase in synonyms:
                alternatives = [phrase.split()] + [tokens(s) for s in synonyms[phrase]]
                groups.append([a for a in alternatives if a])
                index += size
                break
        else:
            groups.append([[words[index]]])
            index += 1
    return groups


def without_implied(groups: list[list[list[str]]]) -> list[list[list[str]]]:
    """The same query without redundant groups: a group whose alternatives include all of another
    group's is implied by it ("pédicure podologue" → (pedicure | podologue) & podologue → podologue).
    Alternatives repeated within a group are dropped too. Planners estimate the shorter query better."""
    unique = [[list(a) for a in dict.fromkeys(tuple(alt) for alt in group)] for group in groups]
    keys = [{tuple(alt) for alt in group} for group in unique]
    kept = []
    for i, group in enumerate(unique):
        implied = any(
            j != i and keys[j] <= keys[i] and (keys[j] != keys[i] or j < i) for j in range(len(unique))
        )
        if not implied:
            kept.append(group)
    return kept


# French words that carry no meaning in a search ("kiné à Lunel", "infirmière à domicile", "près de"):
# never a word to match, never a prefix. Place names are read before they are dropped ("Le Crès").
STOP_WORDS = frozenset(
    "a au aux avec chez d dans de des du en et l la le les ou par pour pres autour proche sur un une vers y".split()
)
# Abbreviations of place names, read as the full word: "st jean de vedas" is Saint-Jean-de-Védas.
PLACE_WORDS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def place_key(words) -> str:
    """The key of a place name: folded words, St/Ste read as Saint/Sainte."""
    return " ".join(PLACE_WORDS.get(w, w) for w in words)


def inflections(word: str) -> set[str]:
    """Plural and feminine forms of a folded French noun of the nomenclature ("infirmier" → "infirmiere",
    "infirmieres", "infirmiers"; "pharmacien" → "pharmacienne", …; "masseur" → "masseuse", …)."""
    forms = {word + "s"}
    endings = (
        ("ier", ("iere",)),
        ("ien", ("ienne",)),
        ("teur", ("trice", "teuse")),
        ("eur", ("euse",)),
        ("if", ("ive",)),
        ("al", ("ale",)),
        ("ais", ("aise",)),
        ("ain", ("aine",)),
    )
    for ending, feminine in endings:
        if word.endswith(ending):
            for form in feminine:
                female = word[: -len(ending)] + form
                forms |= {female, female + "s"}
            break
    if word.endswith("al"):
        forms.add(word[:-2] + "aux")
    if word.endswith(("s", "x", "z")):
        forms.discard(word + "s")
    return forms


def lexicon(vocabulary) -> dict[str, str]:
    """Plural and feminine form → the word of the vocabulary it comes from: its root when the form comes
    from several words that are forms of one another ("infirmieres" → "infirmier", not "infirmiere"); a
    form two unrelated words share is left alone."""
    vocabulary = {w for w in vocabulary if len(w) >= 3 and w.isalpha()}
    forms_of = {word: inflections(word) for word in vocabulary}
    found: dict[str, set[str]] = {}
    for word, forms in forms_of.items():
        for form in forms:
            if form not in vocabulary or form != word:
                found.setdefault(form, set()).add(word)
    out = {}
    for form, words in found.items():
        # "infirmieres" comes from "infirmier" and from "infirmiere", itself a form of "infirmier": the root.
        roots = {w for w in words if not any(w in forms_of[other] for other in words if other != w)}
        if len(roots) == 1 and form not in roots:
            out[form] = roots.pop()
    return out


# Grid cells of 0.1° (about 11 km north-south, 8 km east-west in France): a document's places are words
# of its tsvector ("zg1336z1841"), so a search around a place reads only the matches in the cells
# covering its circle instead of every match of the country. Migration 0008 computes the same in SQL.
CELL_DEGREES = 0.1


def geo_cell(latitude: float, longitude: float) -> str:
    return f"zg{math.floor((latitude + 90) * 10)}z{math.floor((longitude + 180) * 10)}"


def geo_cells(points) -> str:
    """The cells of these (latitude, longitude) points, space-separated."""
    return " ".join(
        sorted({geo_cell(lat, lon) for lat, lon in points if lat is not None and lon is not None})
    )


def cells_in_box(south: float, north: float, west: float, east: float, limit: int = 200) -> list[str] | None:
    """Every cell meeting the box; None beyond `limit` cells (a wide circle: not worth it)."""
    rows = range(math.floor((south + 90) * 10), math.floor((north + 90) * 10) + 1)
    columns = range(math.floor((west + 180) * 10), math.floor((east + 180) * 10) + 1)
    if len(rows) * len(columns) > limit:
        return None
    return [f"zg{r}z{c}" for r in rows for c in columns]
