"""What the directory gives the generic search layer: documents, abbreviations, facets.

Only public fields and optional fields visible federation-wide go into the index, so a search can never
reveal a field its owner restricted to their CPTS (the API hydrates results with visibility rules); the
federation-visible text is restricted text, matched only for viewers of those federations.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation

from directory.models import Profession, Professional, Specialty, Structure, Visibility
from federation.models import Commune, Cpts
from search import indexing, registry
from search.bulk import BulkLoad
from search.registry import Document, IndexSpec, Source
from search.text import fold

INDEX = "directory"
FACETS = ["profession", "specialty", "cpts", "commune", "mode", "kind"]

# What professionals really type → words of the nomenclature (folded, lower case).
ABBREVIATIONS: dict[str, list[str]] = {
    "kine": ["kinesitherapeute"],
    "kines": ["kinesitherapeute"],
    "mk": ["masseur kinesitherapeute"],
    "masseur": ["kinesitherapeute"],
    "ide": ["infirmier"],
    "idel": ["infirmier"],
    "inf": ["infirmier"],
    "infirmiere": ["infirmier"],
    "mg": ["medecine generale"],
    "generaliste": ["medecine generale"],
    "medecin generaliste": ["medecine generale"],
    "med gen": ["medecine generale"],
    "medecin traitant": ["medecine generale"],
    # Titles (`TITLES`, never words to match) typed alone: the doctors ("docteur", "dr à Lunel").
    "docteur": ["medecin"],
    "dr": ["medecin"],
    "sf": ["sage femme"],
    "sage femme": ["sage femme"],
    "sagefemme": ["sage femme"],
    "maieuticien": ["sage femme"],
    "ortho": ["orthophoniste", "orthoptiste"],
    "psy": ["psychologue", "psychiatrie", "psychomotricien"],
    "psychiatre": ["psychiatrie"],
    "podo": ["podologue"],
    "pedicure": ["podologue"],
    "pharma": ["pharmacien"],
    "dentiste": ["chirurgien dentiste"],
    "cd": ["chirurgien dentiste"],
    "cardio": ["cardiologie"],
    "cardiologue": ["cardiologie"],
    "gyneco": ["gynecologie"],
    "gynecologue": ["gynecologie"],
    "pediatre": ["pediatrie"],
    "dermato": ["dermatologie"],
    "dermatologue": ["dermatologie"],
    "ophtalmo": ["ophtalmologie"],
    "ophtalmologiste": ["ophtalmologie"],
    "ophtalmologue": ["ophtalmologie"],  # the usual misnomer
    "orthodontiste": ["orthopedie dento faciale"],
    "orthodontie": ["orthopedie dento faciale"],
    "odf": ["orthopedie dento faciale"],
    "obstetricien": ["gynecologie obstetrique"],
    "physio": ["kinesitherapeute"],
    "physiotherapeute": ["kinesitherapeute"],
    "nutritionniste": ["dieteticien"],
    "medecin famille": ["medecine generale"],  # keys are read without stop words ("de")
    # The discipline for the professional ("cabinet de kinésithérapie", "orthophonie").
    "kinesitherapie": ["kinesitherapeute"],
    "orthophonie": ["orthophoniste"],
    "orthoptie": ["orthoptiste"],
    "podologie": ["podologue"],
    "ergotherapie": ["ergotherapeute"],
    "psychomotricite": ["psychomotricien"],
    "dietetique": ["dieteticien"],
    "orl": ["oto rhino laryngologie"],
    "ergo": ["ergotherapeute"],
    "psychomot": ["psychomotricien"],
    "dieteticienne": ["dieteticien"],
    "msp": ["maison de sante"],
    "maison medical": ["msp", "maison de sante"],  # "médicale" is read as "medical" first
    "cabinet medical": ["cabinet"],
    "dispositif appui coordination": ["dac"],
    "maison de sante": ["msp"],
    "labo": ["laboratoire"],
    "radiologue": ["radiologie", "radio diagnostic"],
    "radio": ["radiologie", "radio diagnostic"],
    "anesthesiste": ["anesthesie"],
    "rhumato": ["rhumatologie"],
    "rhumatologue": ["rhumatologie"],
    "neuro": ["neurologie"],
    "neurologue": ["neurologie"],
    "pneumo": ["pneumologie"],
    "pneumologue": ["pneumologie"],
    "gastro": ["gastro enterologie"],
    "gastroenterologue": ["gastro enterologie"],
    "endocrino": ["endocrinologie"],
    "endocrinologue": ["endocrinologie"],
    "uro": ["urologie"],
    "urologue": ["urologie"],
    "chir": ["chirurgie", "chirurgien"],
    "geriatre": ["geriatrie"],
    "audio": ["audioprothesiste"],
    # Kinds of structures as people name them (keys without stop words: "maison de retraite").
    "maison retraite": ["ehpad"],
    "hopital": ["etablissement sante", "centre hospitalier"],
    "chu": ["etablissement sante", "centre hospitalier"],
    "ch": ["etablissement sante", "centre hospitalier"],
    "clinique": ["etablissement sante"],
    "soins infirmier domicile": ["ssiad"],  # "infirmiers" is read as its singular first
    "soins infirmier": ["infirmier"],  # nursing care: the nurses
    "hospitalisation domicile": ["had"],
}

# Titles typed before a name ("dr chretien"): never words to match.
TITLES = frozenset("dr docteur doc pr prof professeur mme madame mlle m mr monsieur".split())
# National identifiers, folded: RPPS (11 digits) and its national id (8 + RPPS), ADELI (9 characters) and
# its national id (0 + ADELI), FINESS (9), SIREN (9), SIRET (14). Matched exactly (`id:` tags).
IDENTIFIER = re.compile(r"^(?:\d{14}|8?\d{11}|0?\d[\da-z]\d{7})$")
# Words naming a kind of structure: structures come first; otherwise people do.
STRUCTURE_WORDS = frozenset(
    "pharmacie pharmacies officine officines msp maison maisons cabinet cabinets centre centres clinique"
    " cliniques hopital hopitaux chu ch ehpad ssiad had dac laboratoire laboratoires labo labos esp".split()
)

FLAG_FIELDS = {
    "accepts_new_patients": "accepts_new_patients",
    "takes_part_in_snp": "snp",
    "takes_part_in_sas": "sas",
    "hosts_trainees": "trainees",
}


def flag_scopes(cpts_links) -> list[str]:
    """Who may filter on an entry's federation-visible flags: the members of its CPTS' federations (see
    `selectors.Viewer.can_see`), hence one tag per CPTS; "all" for an entry attached to no CPTS."""
    return [f"cpts{link.cpts_id}" for link in cpts_links] or ["all"]


def _public(pro, field: str) -> bool:
    return pro.visibility_of(field) == Visibility.FEDERATION


def identifier_tags(*identifiers: str) -> list[str]:
    """`id:` tags, lower case (identifiers are [0-9A-Z]: no accents to fold)."""
    return [f"id:{i.lower()}" for i in dict.fromkeys(identifiers) if i]


# Unique strings (names): folded without the cache, which they would only churn.
_fold_once = fold.__wrapped__


def sort_key(last_name: str, first_name: str = "") -> str:
    """People sorted by surname, then first name."""
    return _fold_once(f"{last_name} {first_name}")[:300]


def build_professional_document(
    *,
    pk: int,
    full_name: str,
    profession_code: str,
    profession_label: str,
    specialties: list[tuple[str, str]],
    sites: list[dict],
    cpts_slugs: Iterable[str] = (),
    restricted_text: Iterable[str] = (),
    restricted_scopes: Iterable[str] = (),
    flags: Iterable[str] = (),
    national_id: str = "",
    last_name: str = "",
    first_name: str = "",
) -> Document:
    """One professional's document. `sites`: dicts with name, commune_code, commune_name,
    structure_name, mode, latitude, longitude and optionally phone (the first located site places the
    entry on the map). The national id is matched exactly and shown with the hit, as the specialty,
    commune and phone of the first site (imported, public fields); the specialty shown is the one of
    lowest code (`specialties`: (code, label) in any order)."""
    # By code: the specialty shown is the same whatever order the import or the database gave them in.
    specialties = sorted(specialties)
    located = [s for s in sites if s["latitude"] is not None]
    primary = located[0] if located else (sites[0] if sites else None)
    text_parts = [profession_label, *(label for _code, label in specialties)]
    for site in sites:
        text_parts += [site["name"], site["commune_name"], site["structure_name"]]
    tags = [f"profession:{profession_code}"]
    tags += [f"specialty:{code}" for code, _label in specialties]
    tags += [f"cpts:{slug}" for slug in cpts_slugs]
    tags += sorted({f"commune:{s['commune_code']}" for s in sites if s["commune_code"]})
    tags += sorted({f"mode:{s['mode']}" for s in sites if s["mode"]})
    tags += list(flags)
    if national_id:
        tags += identifier_tags(national_id, national_id[1:])
    place = primary["commune_name"] if primary else ""
    specialty = specialties[0][1] if specialties else ""
    display = {
        "national_id": national_id,
        "profession": profession_label,
        "specialty": specialty,
        "commune": place,
        "phone": next((s.get("phone") for s in sites if s.get("phone")), ""),
        "sites": len(sites),
        # Several places: the result line names the one nearest to the place searched around.
        "places": [[s["commune_name"], s["latitude"], s["longitude"]] for s in located]
        if len(located) > 1
        else [],
    }
    return Document(
        kind="professional",
        object_id=pk,
        title=full_name,
        subtitle=" · ".join(p for p in (profession_label, specialty, place) if p),
        display={k: v for k, v in display.items() if v},
        sort_key=sort_key(last_name, first_name) if last_name else _fold_once(full_name)[:300],
        # Every practice site counts for distance searches, the nearest first (not only the first).
        points=list(
            dict.fromkeys(
                (site["latitude"], site["longitude"])
                for site in located[1:]
                if site["longitude"] is not None
                and (site["latitude"], site["longitude"]) != (primary["latitude"], primary["longitude"])
            )
        ),
        # Each word once: a site is often named after its structure, in the structure's commune.
        text=" ".join(dict.fromkeys(" ".join(text_parts).split())),
        tags=tags,
        suggest=[profession_label, place],
        latitude=primary["latitude"] if primary else None,
        longitude=primary["longitude"] if primary else None,
        restricted_text=" ".join(t for t in restricted_text if t),
        restricted_scopes=list(restricted_scopes),
    )


def professional_documents(ids: list[int]) -> Iterable[Document]:
    queryset = (
        Professional.objects.filter(id__in=ids)
        .select_related("profession")
        .prefetch_related("specialties", "sites__commune", "sites__structure", "cpts_links__cpts")
    )
    for pro in queryset:
        sites = [
            {
                "name": site.name,
                "commune_code": site.commune_id or "",
                "commune_name": site.commune.name if site.commune_id else "",
                "structure_name": site.structure.name if site.structure_id else "",
                "mode": site.mode,
                "latitude": site.latitude,
                "longitude": site.longitude,
                "phone": site.phone,
            }
            for site in pro.sites.all()
        ]
        yield build_professional_document(
            pk=pro.pk,
            full_name=pro.full_name,
            profession_code=pro.profession_id,
            profession_label=pro.profession.label,
            specialties=[(s.code, s.label) for s in pro.specialties.all()],
            sites=sites,
            cpts_slugs=[link.cpts.slug for link in pro.cpts_links.all()],
            national_id=pro.national_id,
            last_name=pro.last_name,
            first_name=pro.first_name,
            # Federation-visible fields: found only by the federations that may see them.
            restricted_text=[
                getattr(pro, name)
                for name in ("skills", "interests", "languages")
                if getattr(pro, name) and _public(pro, name)
            ],
            restricted_scopes=flag_scopes(pro.cpts_links.all()),
            flags=[
                f"{flag}:{scope}"
                for field, flag in FLAG_FIELDS.items()
                if getattr(pro, field) and _public(pro, field)
                for scope in flag_scopes(pro.cpts_links.all())
            ],
        )


def structure_documents(ids: list[int]) -> Iterable[Document]:
    queryset = (
        Structure.objects.filter(id__in=ids).select_related("commune").prefetch_related("cpts_links__cpts")
    )
    labels = kind_labels()
    for structure in queryset:
        yield build_structure_document(
            pk=structure.pk,
            kind=structure.kind,
            name=structure.name,
            trade_name=structure.trade_name,
            commune_code=structure.commune_id or "",
            commune_name=structure.commune.name if structure.commune_id else "",
            latitude=structure.latitude,
            longitude=structure.longitude,
            details=(structure.services, structure.public_served, structure.coverage),
            cpts_slugs=[link.cpts.slug for link in structure.cpts_links.all()],
            labels=labels,
            identifiers={
                "finess": structure.finess,
                "finess_legal": structure.finess_legal,
                "siret": structure.siret,
                "siren": structure.siren,
            },
            phone=structure.phone,
        )


_KIND_LABELS: dict[str, dict[str, str]] = {}


def kind_labels() -> dict[str, str]:
    """Structure kind → its label in the active language."""
    language = translation.get_language() or ""
    labels = _KIND_LABELS.get(language)
    if labels is None:  # lazy labels are slow to hash: resolve them once per language
        labels = _KIND_LABELS[language] = {v: str(label) for v, label in Structure.Kind.choices}
    return labels


def build_structure_document(
    *,
    pk: int,
    kind: str,
    name: str,
    trade_name: str,
    commune_code: str,
    commune_name: str,
    latitude: float | None,
    longitude: float | None,
    details: Iterable[str] = (),
    cpts_slugs: Iterable[str] = (),
    labels: dict[str, str] | None = None,
    identifiers: dict[str, str] | None = None,
    phone: str = "",
) -> Document:
    """One structure's document. `details`: services, public served, coverage (searchable text).
    `labels`: `kind_labels()`, which callers building many documents look up once. `identifiers`:
    FINESS, SIRET… (matched exactly, shown with the hit)."""
    kind_label = (labels or kind_labels()).get(kind, kind)
    text = " ".join(p for p in (kind_label, name, *details, commune_name) if p)
    tags = [f"kind:{kind}"]
    tags += [f"cpts:{slug}" for slug in cpts_slugs]
    if commune_code:
        tags.append(f"commune:{commune_code}")
    identifiers = {k: v for k, v in (identifiers or {}).items() if v}
    tags += identifier_tags(*identifiers.values())
    title = trade_name or name  # as Structure.__str__
    display = {"kind": kind_label, "commune": commune_name, "phone": phone, **identifiers}
    return Document(
        kind="structure",
        object_id=pk,
        title=title,
        subtitle=" · ".join(p for p in (kind_label, commune_name) if p),
        text=text,
        tags=tags,
        suggest=[commune_name],
        latitude=latitude,
        longitude=longitude,
        display={k: v for k, v in display.items() if v},
        sort_key=_fold_once(title)[:300],
    )


def facet_labels(facet: str, values: list[str]) -> dict[str, str]:
    if facet == "profession":
        return dict(Profession.objects.filter(code__in=values).values_list("code", "label"))
    if facet == "specialty":
        return dict(Specialty.objects.filter(code__in=values).values_list("code", "label"))
    if facet == "cpts":
        return dict(Cpts.objects.filter(slug__in=values).values_list("slug", "name"))
    if facet == "commune":
        return dict(Commune.objects.filter(insee_code__in=values).values_list("insee_code", "name"))
    if facet == "mode":
        from directory.models import ExerciseMode

        return {v: str(ExerciseMode(v).label) for v in values if v in ExerciseMode.values}
    if facet == "kind":
        return {v: str(Structure.Kind(v).label) for v in values if v in Structure.Kind.values}
    return {}


def _ids(model):
    def iterate():
        return model.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=5000)

    return iterate


SPEC = IndexSpec(
    name=INDEX,
    sources={
        "professional": Source(
            kind="professional",
            ids=_ids(Professional),
            documents=professional_documents,
            count=lambda: Professional.objects.count(),
        ),
        "structure": Source(
            kind="structure",
            ids=_ids(Structure),
            documents=structure_documents,
            count=lambda: Structure.objects.count(),
        ),
    },
    synonyms=ABBREVIATIONS,
    facets=FACETS,
    facet_labels=facet_labels,
    place_radius_km=float(getattr(settings, "SEARCH_PLACE_RADIUS_KM", 10)),
    terms=lambda: [
        *Profession.objects.values_list("label", flat=True),
        *Specialty.objects.values_list("label", flat=True),
        # Kinds of structures, so that their plurals are read too ("pharmacies à Sète").
        *STRUCTURE_WORDS,
        *(str(label) for _value, label in Structure.Kind.choices),
    ],
    ignored=TITLES,
    identifier=IDENTIFIER,
    kind_words=dict.fromkeys(STRUCTURE_WORDS, "structure"),
    default_kind="professional",
)


def register() -> None:
    registry.register(SPEC)


def index_new_structures(documents: list[Document], load: BulkLoad | None = None) -> None:
    """Documents of structures the import has just created."""
    indexing.add_new_documents(INDEX, "structure", documents, load)


def index_new_professionals(documents: list[Document], load: BulkLoad | None = None) -> None:
    """Documents built by the import from the data it holds (no read back) for the professionals it has
    just created. Other backends index through their on-commit tasks."""
    indexing.add_new_documents(INDEX, "professional", documents, load)


def refresh_statistics() -> None:
    indexing.refresh_statistics()


def schedule_professionals(ids: Iterable[int]) -> None:
    indexing.schedule(INDEX, "professional", ids)


def schedule_structures(ids: Iterable[int]) -> None:
    indexing.schedule(INDEX, "structure", ids)
