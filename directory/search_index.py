"""What the directory gives the generic search layer: documents, abbreviations, facets.

Only public fields and optional fields visible federation-wide go into the index, so a search can never
reveal a field its owner restricted to their CPTS (the API hydrates results with visibility rules).
"""

from collections.abc import Iterable

from directory.models import Profession, Professional, Specialty, Structure, Visibility
from federation.models import Commune, Cpts
from search import indexing, registry
from search.registry import Document, IndexSpec, Source

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
    "orl": ["oto rhino laryngologie"],
    "ergo": ["ergotherapeute"],
    "psychomot": ["psychomotricien"],
    "dieteticienne": ["dieteticien"],
    "msp": ["maison de sante"],
    "maison de sante": ["msp"],
    "labo": ["laboratoire"],
}

FLAG_FIELDS = {
    "accepts_new_patients": "accepts_new_patients",
    "takes_part_in_snp": "snp",
    "takes_part_in_sas": "sas",
    "hosts_trainees": "trainees",
}


def _public(pro, field: str) -> bool:
    return pro.visibility_of(field) == Visibility.FEDERATION


def professional_documents(ids: list[int]) -> Iterable[Document]:
    queryset = (
        Professional.objects.filter(id__in=ids)
        .select_related("profession")
        .prefetch_related("specialties", "sites__commune", "sites__structure", "cpts_links__cpts")
    )
    for pro in queryset:
        sites = list(pro.sites.all())
        specialties = list(pro.specialties.all())
        located = [s for s in sites if s.latitude is not None]
        primary = located[0] if located else (sites[0] if sites else None)
        communes = [s.commune for s in sites if s.commune_id]
        text_parts = [pro.profession.label, *(s.label for s in specialties)]
        for site in sites:
            text_parts += [site.name, site.commune.name if site.commune_id else ""]
            if site.structure_id:
                text_parts.append(site.structure.name)
        for optional in ("skills", "interests", "languages"):
            if getattr(pro, optional) and _public(pro, optional):
                text_parts.append(getattr(pro, optional))
        tags = [f"profession:{pro.profession_id}"]
        tags += [f"specialty:{s.code}" for s in specialties]
        tags += [f"cpts:{link.cpts.slug}" for link in pro.cpts_links.all()]
        tags += sorted({f"commune:{c.insee_code}" for c in communes})
        tags += sorted({f"mode:{s.mode}" for s in sites if s.mode})
        for field, flag in FLAG_FIELDS.items():
            if getattr(pro, field) and _public(pro, field):
                tags.append(flag)
        place = primary.commune.name if primary and primary.commune_id else ""
        yield Document(
            kind="professional",
            object_id=pro.id,
            title=pro.full_name,
            subtitle=" · ".join(p for p in (pro.profession.label, place) if p),
            text=" ".join(p for p in text_parts if p),
            tags=tags,
            suggest=[pro.profession.label, place],
            latitude=primary.latitude if primary else None,
            longitude=primary.longitude if primary else None,
        )


def structure_documents(ids: list[int]) -> Iterable[Document]:
    queryset = (
        Structure.objects.filter(id__in=ids).select_related("commune").prefetch_related("cpts_links__cpts")
    )
    for structure in queryset:
        commune = structure.commune.name if structure.commune_id else ""
        text = " ".join(
            p
            for p in (
                structure.get_kind_display(),
                structure.name,
                structure.services,
                structure.public_served,
                structure.coverage,
                commune,
            )
            if p
        )
        tags = [f"kind:{structure.kind}"]
        tags += [f"cpts:{link.cpts.slug}" for link in structure.cpts_links.all()]
        if structure.commune_id:
            tags.append(f"commune:{structure.commune_id}")
        yield Document(
            kind="structure",
            object_id=structure.id,
            title=str(structure),
            subtitle=" · ".join(p for p in (structure.get_kind_display(), commune) if p),
            text=text,
            tags=tags,
            suggest=[commune],
            latitude=structure.latitude,
            longitude=structure.longitude,
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
    place_radius_km=10.0,
)


def register() -> None:
    registry.register(SPEC)


def schedule_professionals(ids: Iterable[int]) -> None:
    indexing.schedule(INDEX, "professional", ids)


def schedule_structures(ids: Iterable[int]) -> None:
    indexing.schedule(INDEX, "structure", ids)
