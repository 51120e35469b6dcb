"""Directory search (a selector): validated parameters → the generic search layer → a JSON-ready answer,
shared by the API and the HTML page. A parameter the search cannot use (an unknown commune) raises
`ServiceError` with `field="near"`, which each caller shows in its own way."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import ExerciseMode
from directory.search_index import INDEX, SPEC
from directory.selectors import visible_cpts_ids
from federation.errors import ServiceError
from federation.models import Cpts
from search import places
from search.backends import get_backend
from search.backends.base import haversine_km, plan_query
from search.caching import Refreshed
from search.query import Place, SearchQuery
from search.text import tokens

FACET_TITLES = {
    "profession": gettext_lazy("Profession"),
    "specialty": gettext_lazy("Savoir-faire"),
    "cpts": gettext_lazy("CPTS"),
    "commune": gettext_lazy("Commune"),
    "mode": gettext_lazy("Mode d'exercice"),
    "kind": gettext_lazy("Type de structure"),
}
LABEL_TTL = 300
# Facet value → label, per facet; filled as values show up, emptied every LABEL_TTL seconds.
_LABELS: Refreshed[dict[str, dict[str, str]]] = Refreshed(dict, ttl=LABEL_TTL)


def _labels(facet: str, values: list[str]) -> dict[str, str]:
    if facet == "commune":
        return {v: p.label for v in values if (p := places.commune_place(v)) is not None}
    cache = _LABELS.get().setdefault(facet, {})
    missing = [v for v in values if v not in cache]
    if missing:
        cache.update(SPEC.facet_labels(facet, missing))
    return {v: cache.get(v, v) for v in values}


def search_scopes(user) -> list[str]:
    """Scopes of the federation-visible fields a user may search (flags as filters, skills as text):
    entries of no CPTS, and of the CPTS of their federations (another federation must not learn them
    through a search). Same rule as `selectors.Viewer.can_see`, in one query."""
    if user.is_staff:
        return ["all", *(f"cpts{pk}" for pk in Cpts.objects.values_list("pk", flat=True))]
    return ["all", *(f"cpts{pk}" for pk in visible_cpts_ids(user))]


# The two flags as people type them ("kiné snp lunel", "médecin qui prend de nouveaux patients à Sète"),
# folded; with them go the words around that mean nothing else.
FLAG_PHRASES = {
    "snp": [["snp"], ["soins", "non", "programmes"], ["soin", "non", "programme"]],
    "accepts_new_patients": [["nouveaux", "patients"], ["nouveau", "patient"], ["nouvelle", "patientele"]],
}
FLAG_FILLERS = frozenset("qui accepte acceptent accepter acceptant prend prennent prenant".split())


def flags_in_text(text: str) -> tuple[list[str], str]:
    """The flags a search text asks for, and the text without them."""
    words = tokens(text)
    found = []
    for flag, phrases in FLAG_PHRASES.items():
        for phrase in phrases:
            size = len(phrase)
            start = next((i for i in range(len(words) - size + 1) if words[i : i + size] == phrase), None)
            if start is not None:
                found.append(flag)
                words = words[:start] + words[start + size :]
                break
    if not found:
        return [], text
    return found, " ".join(w for w in words if w not in FLAG_FILLERS)


# The mode of practice as people type it ("infirmière libérale à Sète", "kiné salarié"): the `mode` filter.
MODE_WORDS = {
    **dict.fromkeys(("liberal", "liberale", "liberaux", "liberales"), ExerciseMode.LIBERAL.value),
    **dict.fromkeys(("salarie", "salariee", "salaries", "salariees"), ExerciseMode.SALARIED.value),
    **dict.fromkeys(("benevole", "benevoles"), ExerciseMode.VOLUNTEER.value),
}
MODE_FILLERS = frozenset(("exercice", "exercant", "exerce", "mode"))


def modes_in_text(text: str) -> tuple[list[str], str]:
    """The modes of practice a search text names, and the text without them."""
    words = tokens(text)
    modes = list(dict.fromkeys(MODE_WORDS[w] for w in words if w in MODE_WORDS))
    if not modes:
        return [], text
    return modes, " ".join(w for w in words if w not in MODE_WORDS and w not in MODE_FILLERS)


def build_query(params: dict, user) -> SearchQuery:
    """A SearchQuery from validated parameters; ServiceError (field `near`) for an unknown commune."""
    text_flags, text = flags_in_text(params.get("q", ""))
    text_modes, text = modes_in_text(text)
    query = SearchQuery(
        text=text,
        page=params.get("page", 1),
        page_size=params.get("page_size", 20),
        facets=list(SPEC.facets),
    )
    for facet in ("profession", "specialty", "cpts", "commune", "mode"):
        if params.get(facet):
            query.filters[facet] = list(params[facet])
    if text_modes and not params.get("mode"):
        query.filters["mode"] = text_modes
    if params.get("kind"):
        query.kinds = [params["kind"]]
    flags = [flag for flag in ("accepts_new_patients", "snp") if params.get(flag) or flag in text_flags]
    if flags or query.text.strip():
        scopes = search_scopes(user)
        for flag in flags:
            query.filters[flag] = scopes
        # Skills and interests open to a federation match only for its members.
        query.scopes = scopes if query.text.strip() else []
    if params.get("near"):
        # An INSEE code, a postal code (every commune it serves) or a name ("St Jean de Védas", "Le Crès").
        place = places.named_place(params["near"])
        if place is None:
            raise ServiceError(
                _("Commune inconnue : « %(near)s ».") % {"near": params["near"].strip()},
                code="unknown_commune",
                field="near",
            )
        query.near = place
    elif params.get("lat") is not None and params.get("lon") is not None:
        query.near = Place(label="", latitude=params["lat"], longitude=params["lon"])
    if params.get("radius"):
        # Without `near` or a point, the radius applies around a commune named in the text; a radius
        # around nothing would be silently ignored: refused instead.
        query.radius_km = params["radius"]
        if query.near is None and plan_query(SPEC, query).place is None:
            raise ServiceError(
                _(
                    "Un rayon demande une commune de référence : indiquez-la (« près de … ») ou retirez le rayon."
                ),
                code="radius_without_place",
                field="radius",
            )
    return query


_ID = 9_876_543_210  # stands for a hit's id in its page URL


def _page_urls() -> dict[str, tuple[str, str]]:
    """Around a hit's id, the start and end of its page URL, per kind: two reverse() per answer
    instead of one per hit (~7 µs each)."""
    return {
        kind: tuple(reverse(route, args=[_ID]).split(str(_ID)))
        for kind, route in (("professional", "directory-professional"), ("structure", "directory-structure"))
    }


def _nearest_site(hit, place) -> tuple[dict, str, float | None, float | None]:
    """A result practising in several places is shown at the site nearest to the place searched around:
    its commune in the line (details, subtitle) and its position on the map. Without a place, the first."""
    details = dict(hit.display)
    sites = details.pop("places")
    subtitle, latitude, longitude = hit.subtitle, hit.latitude, hit.longitude
    if place is not None and sites:
        commune, latitude, longitude = min(
            sites, key=lambda s: haversine_km(place.latitude, place.longitude, s[1], s[2])
        )
        first = details.get("commune")
        if first and commune != first and subtitle.endswith(first):
            subtitle = subtitle[: -len(first)] + commune
        details["commune"] = commune
    return details, subtitle, latitude, longitude


def directory_search(params: dict, user) -> dict:
    """One page of results with facets, for `user` (what they may match: `search_scopes`)."""
    query = build_query(params, user)
    result = get_backend().search(SPEC, query)
    page_urls = _page_urls()
    results = []
    place = result.place
    for hit in result.hits:
        start, end = page_urls["professional" if hit.kind == "professional" else "structure"]
        details, subtitle, latitude, longitude = hit.display, hit.subtitle, hit.latitude, hit.longitude
        if "places" in details:
            details, subtitle, latitude, longitude = _nearest_site(hit, place)
        results.append(
            {
                "kind": hit.kind,
                "id": hit.object_id,
                "title": hit.title,
                "subtitle": subtitle,
                "distance_km": hit.distance_km,
                "latitude": latitude,
                "longitude": longitude,
                "url": f"{start}{hit.object_id}{end}",
                "national_id": details.get("national_id"),
                "details": details,
            }
        )
    facets = {}
    for facet, counts in result.facets.items():
        labels = _labels(facet, [value for value, _count in counts[:50]])
        facets[facet] = [
            {"value": value, "label": labels.get(value, value), "count": count}
            for value, count in counts[:50]
        ]
    return {
        "index": INDEX,
        "total": result.total,
        "total_is_exact": result.total_is_exact,
        "page": query.page,
        "page_size": query.page_size,
        "fuzzy": result.fuzzy,
        "approximate": result.approximate,
        "place": (
            {
                "label": place.label,
                "code": place.code,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "communes": list(place.communes),
            }
            if place
            else None
        ),
        "radius_km": result.radius_km,
        "facet_order": list(SPEC.facets),
        "facet_titles": {facet: str(FACET_TITLES.get(facet, facet)) for facet in SPEC.facets},
        "results": results,
        "facets": facets,
    }


def directory_suggest(prefix: str) -> list[str]:
    return get_backend().suggest(SPEC, prefix)
