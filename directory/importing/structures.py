"""Structures named by the extraction's activities ("Identifiant technique de la structure"): their kind
guessed from their name, upserted once per run (they repeat on many lines), their search documents."""

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from directory import search_index
from directory.importing.merging import Person
from directory.models import Structure
from search.pgcopy import upsert_rows
from search.text import fold

STRUCTURE_COPY_COLUMNS = [
    "source_id",
    "kind",
    "name",
    "trade_name",
    "finess",
    "finess_legal",
    "siret",
    "siren",
    "address",
    "postal_code",
    "commune_id",
    "latitude",
    "longitude",
    "phone",
    "email",
    "mssante",
    "website",
    "referent_name",
    "referent_phone",
    "services",
    "public_served",
    "coverage",
    "care_modalities",
    "visibility",
    "created_at",
    "updated_at",
]
STRUCTURE_UPDATE_COLUMNS = [
    "name",
    "trade_name",
    "finess",
    "finess_legal",
    "siret",
    "siren",
    "address",
    "postal_code",
    "commune_id",
    "latitude",
    "longitude",
    "phone",
    "updated_at",
]


# What the import writes of a structure: the update columns but `updated_at`.
STRUCTURE_SIGNATURE = STRUCTURE_UPDATE_COLUMNS[:-1]

# Words of a structure's name → its kind (the first that matches); several words match as a phrase.
_KIND_NEEDLES = (
    ("maison de sante", Structure.Kind.MSP),
    ("msp", Structure.Kind.MSP),
    ("equipe de soins primaires", Structure.Kind.ESP),
    ("centre de sante", Structure.Kind.HEALTH_CENTRE),
    ("ehpad", Structure.Kind.EHPAD),
    ("ssiad", Structure.Kind.SSIAD),
    ("hospitalisation a domicile", Structure.Kind.HAD),
    ("centre hospitalier", Structure.Kind.HOSPITAL),
    ("clinique", Structure.Kind.HOSPITAL),
    ("chu", Structure.Kind.HOSPITAL),
    ("hopital", Structure.Kind.HOSPITAL),
    ("pharmacie", Structure.Kind.PHARMACY),
    ("laboratoire", Structure.Kind.LABORATORY),
)


def structure_kind(name: str, finess: str) -> str:
    folded = fold(name)
    words = set(folded.split())
    for needle, kind in _KIND_NEEDLES:
        if needle in words or (" " in needle and needle in folded):
            return kind
    return Structure.Kind.OTHER if finess else Structure.Kind.PRACTICE


LEGAL_PREFIX = "FINESSEJ-"


def _with_legal_entities(sites):
    """The sites, each preceded by its legal entity (FINESS juridique) as a structure of its own when it
    is not the site itself: named after the site's company, placed nowhere (its address is not given)."""
    for site in sites:
        legal = site["finess_legal"]
        if legal and legal != site["finess"]:
            yield {
                "structure_id": LEGAL_PREFIX + legal,
                "company": site["company"],
                "trade_name": "",
                "finess": "",
                "finess_legal": legal,
                "siret": "",
                "siren": site["siren"],
                "address": "",
                "postal_code": "",
                "commune": "",
                "phone": "",
                "email": "",
            }
            yield {**site, "legal_of": True}
        else:
            yield site


class StructureUpserts:
    """Mixed into `writing.BatchWriter` (its communes, caches, report, connection kind)."""

    def _upsert_structures(self, persons: list[Person], written: dict) -> dict[str, int]:
        """Upsert the structures of these persons not already written by this run; returns their ids by
        source id. `written` receives those written (source id → (signature, id))."""
        # source id → (signature, site): the values written, in STRUCTURE_UPDATE_COLUMNS order.
        seen: dict[str, tuple[tuple, dict]] = {}
        known: dict[str, int] = {}
        cache = self.structure_cache
        for person in persons:
            for site in _with_legal_entities(person.sites.values()):
                source_id = site["structure_id"]
                if not source_id or source_id in seen or source_id in known:
                    continue
                commune = self.communes.get(site["commune"])
                signature = (
                    site["company"] or site["trade_name"] or source_id,
                    site["trade_name"],
                    site["finess"],
                    site["finess_legal"],
                    site["siret"],
                    site["siren"],
                    site["address"],
                    site["postal_code"],
                    site["commune"] or None,
                    commune[0] if commune else None,
                    commune[1] if commune else None,
                    site["phone"],
                )
                cached = cache.get(source_id)
                if cached is not None and cached[0] == signature:
                    known[source_id] = cached[1]  # already written by an earlier batch of this run
                else:
                    seen[source_id] = (signature, site)
        if not seen:
            return known
        kinds = {
            source_id: structure_kind(signature[0] + " " + site["trade_name"], site["finess"])
            for source_id, (signature, site) in seen.items()
        }

        def structure(source_id: str) -> Structure:
            signature, site = seen[source_id]
            return Structure(
                source_id=source_id,
                kind=kinds[source_id],
                email=site["email"],
                **dict(zip(STRUCTURE_SIGNATURE, signature, strict=True)),
            )

        if self.pg:
            now = timezone.now()
            # STRUCTURE_COPY_COLUMNS: the signature, the e-mail, then what the import leaves empty.
            blank = ("",) * 8
            rows = upsert_rows(
                Structure._meta.db_table,
                STRUCTURE_COPY_COLUMNS,
                (
                    (source_id, kinds[source_id], *signature, site["email"], *blank, "{}", now, now)
                    for source_id, (signature, site) in seen.items()
                ),
                conflict=["source_id"],
                update=STRUCTURE_UPDATE_COLUMNS,
                returning=["source_id", "id", "(xmax = 0)"],
            )
            ids = {source_id: pk for source_id, pk, _inserted in rows}
            inserted = {source_id for source_id, _pk, was_inserted in rows if was_inserted}
        else:
            Structure.objects.bulk_create(
                [structure(source_id) for source_id in seen],
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["source_id"],
                update_fields=[c.removesuffix("_id") for c in STRUCTURE_UPDATE_COLUMNS],
            )
            ids = dict(Structure.objects.filter(source_id__in=list(seen)).values_list("source_id", "id"))
            inserted = set()  # SQLite: documents rebuilt from the database
        establishments = [ids[source_id] for source_id, (_sig, site) in seen.items() if site.get("legal_of")]
        if establishments:
            # Each establishment points at its legal entity (upserted above, or by an earlier batch).
            Structure.objects.filter(id__in=establishments).update(
                legal_entity=Subquery(
                    Structure.objects.filter(
                        source_id=Concat(
                            Value(LEGAL_PREFIX), OuterRef("finess_legal"), output_field=CharField()
                        )
                    ).values("id")[:1]
                )
            )
        self.report.add("structures", len(seen))
        for source_id, (signature, _site) in seen.items():
            written[source_id] = (signature, ids[source_id])
        if self.index:
            # New structures: documents from the data in hand; existing ones may have CPTS links.
            documents, labels = [], search_index.kind_labels()
            for source_id in inserted:
                signature, site = seen[source_id]
                commune = self.communes.get(site["commune"])
                documents.append(
                    search_index.build_structure_document(
                        pk=ids[source_id],
                        kind=kinds[source_id],
                        name=signature[0],
                        trade_name=site["trade_name"],
                        commune_code=site["commune"],
                        commune_name=commune[2] if commune else "",
                        latitude=commune[0] if commune else None,
                        longitude=commune[1] if commune else None,
                        labels=labels,
                        identifiers={
                            "finess": site["finess"],
                            "finess_legal": site["finess_legal"],
                            "siret": site["siret"],
                            "siren": site["siren"],
                        },
                        phone=site["phone"],
                    )
                )
            search_index.index_new_structures(documents, self.bulk_load)
            search_index.schedule_structures(ids[s] for s in ids if s not in inserted)
        return {**known, **ids}
