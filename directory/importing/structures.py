"""Structures named by the extraction's activities ("Identifiant technique de la structure"): their kind
guessed from their name, upserted once per run (they repeat on many lines), their search documents."""

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from directory import search_index
from directory.importing.merging import Person
from directory.models import Structure
from search.pgcopy import NULL, copy_text, next_ids, text_fields, upsert_rows
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


# A new structure's COPY line (`StructureUpserts._write_structures`).
STRUCTURE_FRESH_COLUMNS = [
    "id",
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
    "phone",
    "email",
    "commune_id",
    "latitude",
    "longitude",
    "mssante",
    "website",
    "referent_name",
    "referent_phone",
    "services",
    "public_served",
    "coverage",
    "care_modalities",
    "visibility",
    "legal_entity_id",
    "created_at",
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

    def structures_named(self, person: Person) -> list[tuple[str, tuple, dict]]:
        """The structures this person's sites name: (source id, signature, site), the signature being the
        values written in STRUCTURE_UPDATE_COLUMNS order. Computed by the reading thread ahead
        (`writing.Rows.structures`): the writers look them up one at a time, under a lock."""
        named = []
        for site in _with_legal_entities(person.sites.values()):
            source_id = site["structure_id"]
            if not source_id:
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
            named.append((source_id, signature, site))
        return named

    def _upsert_structures(self, persons: list[Person], written: dict) -> dict[str, int]:
        """Upsert the structures of these persons not already written by this run; returns their ids by
        source id. `written` receives those written (source id → (signature, id))."""
        # source id → (signature, site): the values written, in STRUCTURE_UPDATE_COLUMNS order.
        seen: dict[str, tuple[tuple, dict]] = {}
        known: dict[str, int] = {}
        cache = self.structure_cache
        for person in persons:
            rows = person.rows
            named = rows.structures if rows is not None else self.structures_named(person)
            for source_id, signature, site in named:
                if source_id in seen or source_id in known:
                    continue
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
            ids, inserted, updated = self._write_structures(seen, kinds)
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
            updated = set(seen)
        establishments = [
            ids[source_id]
            for source_id, (_sig, site) in seen.items()
            if site.get("legal_of") and (source_id in inserted or source_id in updated)
        ]
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
            search_index.schedule_structures(ids[s] for s in updated)
        return {**known, **ids}

    def _write_structures(self, seen: dict, kinds: dict) -> tuple[dict[str, int], set[str], set[str]]:
        """PostgreSQL: write the structures `seen` (source id → (signature, site)); returns their ids by
        source id, those inserted and those updated. Those stored with the same signature are left
        alone; new ones are copied with ids reserved from the sequence (the upsert's staging table,
        conflict checks and RETURNING cost more than the rows), the others upserted. Structures are
        written by one writer at a time (`BatchWriter.structure_lock`); should another process create
        one meanwhile, the batch's new ones are upserted instead."""
        table = Structure._meta.db_table
        with connection.cursor() as cursor:
            # One text parameter split by the server (a list is dumped element by element in Python);
            # source ids come from split lines: they hold no newline.
            cursor.execute(
                f"SELECT source_id, id, {', '.join(STRUCTURE_SIGNATURE)} FROM {table}"
                " WHERE source_id = ANY(string_to_array(%s, E'\\n'))",
                ["\n".join(seen)],
            )
            stored = {row[0]: (row[1], row[2:]) for row in cursor.fetchall()}
        ids: dict[str, int] = {}
        fresh, changed = [], []
        for source_id, (signature, _site) in seen.items():
            found = stored.get(source_id)
            if found is None:
                fresh.append(source_id)
            elif found[1] == signature:
                ids[source_id] = found[0]
            else:
                changed.append(source_id)
        now = timezone.now()
        inserted: set[str] = set()
        if fresh:
            pks = next_ids(table, len(fresh))
            tail = f"\t{NULL}\t{now}\t{now}\n"  # visibility, legal_entity_id, created_at, updated_at
            lines = []
            for pk, source_id in zip(pks, fresh, strict=True):
                signature, site = seen[source_id]
                (name, trade_name, finess, finess_legal, siret, siren, address, postal_code) = signature[:8]
                commune, latitude, longitude, phone = signature[8:]
                lines.append(
                    f"{pk}\t"
                    + text_fields(
                        (
                            source_id,
                            kinds[source_id],
                            name,
                            trade_name,
                            finess,
                            finess_legal,
                            siret,
                            siren,
                            address,
                            postal_code,
                            phone,
                            site["email"],
                        )
                    )
                    + f"\t{commune or NULL}\t{NULL if latitude is None else latitude}"
                    f"\t{NULL if longitude is None else longitude}"
                    + "\t\t\t\t\t\t\t\t\t{}"  # the eight fields the import leaves empty, visibility
                    + tail
                )
            try:
                with transaction.atomic():
                    copy_text(table, STRUCTURE_FRESH_COLUMNS, lines)
            # COPY goes through the driver's own cursor: its errors are the driver's.
            except (IntegrityError, connection.Database.IntegrityError):
                changed += fresh
            else:
                ids.update(zip(fresh, pks, strict=True))
                inserted.update(fresh)
        updated: set[str] = set()
        if changed:
            blank = ("",) * 8
            rows = upsert_rows(
                table,
                STRUCTURE_COPY_COLUMNS,
                (
                    (source_id, kinds[source_id], *seen[source_id][0], seen[source_id][1]["email"])
                    + (*blank, "{}", now, now)
                    for source_id in changed
                ),
                conflict=["source_id"],
                update=STRUCTURE_UPDATE_COLUMNS,
                returning=["source_id", "id", "(xmax = 0)"],
            )
            for source_id, pk, was_inserted in rows:
                ids[source_id] = pk
                (inserted if was_inserted else updated).add(source_id)
        return ids, inserted, updated
