"""Search documents of the professionals an import creates, built from the merged person.

The same document as `search_index.build_professional_document` (a test compares them on varied
persons), for the one case the import builds a million times: no CPTS link, no optional field. What
repeats from person to person is computed once: commune tags and places, profession and specialty tags,
the folded surnames and first names of the sort key.
"""

from directory.importing.merging import Person
from search.registry import Document
from search.text import fold

_fold_once = fold.__wrapped__
# Folded name parts kept (surnames and first names repeat), bounded: memory stays flat.
NAME_CACHE = 100_000


class ProfessionalDocuments:
    def __init__(self, communes: dict, profession_labels: dict, specialty_labels: dict):
        self.communes = communes  # code → (latitude, longitude, name)
        self.profession_labels = profession_labels  # code → label, kept up to date by the writer
        self.specialty_labels = specialty_labels
        self.names: dict[str, str] = {}

    def _folded(self, name: str) -> str:
        folded = self.names.get(name)
        if folded is None:
            if len(self.names) >= NAME_CACHE:
                self.names.clear()
            folded = self.names[name] = _fold_once(name)
        return folded

    def sort_key(self, last_name: str, first_name: str) -> str:
        """`search_index.sort_key`: folding works character by character and turns every run of
        non-letters into one space, so the folded parts joined by a space are the folded whole."""
        last, first = self._folded(last_name), self._folded(first_name)
        return (f"{last} {first}" if last and first else last or first)[:300]

    def build(self, pk: int, person: Person) -> Document:
        fields = person.fields
        code = fields["profession"]
        # Labels of codes new to the database are stored as below (`BatchWriter._ensure_references`).
        profession_label = self.profession_labels.get(code) or fields["profession_label"] or code
        tags = [f"profession:{code}"]
        text_parts = [profession_label]
        specialty = ""
        if person.specialties:
            labels = self.specialty_labels
            # By code, as `search_index.build_professional_document`: not in the order of the lines.
            items = person.specialties.items()
            for sf, v in sorted(items) if len(items) > 1 else items:
                label = labels.get(sf) or v[0] or sf
                if not specialty:
                    specialty = label
                tags.append(f"specialty:{sf}")
                text_parts.append(label)
        communes = self.communes
        commune_tags, mode_tags = [], []
        located, phone, primary = [], "", None
        first = True
        for s in person.sites.values():
            commune_code = s["commune"]
            commune = communes.get(commune_code)
            structure_id = s["structure_id"]
            company, trade_name = s["company"], s["trade_name"]
            text_parts += (
                trade_name or company,
                commune[2] if commune else "",
                (company or trade_name or structure_id) if structure_id else "",
            )
            if commune_code:
                commune_tags.append(f"commune:{commune_code}")
            mode = s["mode"]
            if mode:
                mode_tags.append(f"mode:{mode}")
            if not phone:
                phone = s["phone"]
            if first:
                primary, first = commune, False
            if commune is not None and commune[0] is not None:
                if not located:
                    primary = commune
                located.append(commune)
        sites = len(person.sites)
        # Sorted and without repeats, as sets of tags (most persons have one site: nothing to sort).
        tags += commune_tags if len(commune_tags) < 2 else sorted(set(commune_tags))
        tags += mode_tags if len(mode_tags) < 2 else sorted(set(mode_tags))
        national_id = person.national_id
        if national_id:  # `identifier_tags(national_id, national_id[1:])`, spelt out
            tags.append(f"id:{national_id.lower()}")
            if len(national_id) > 1:
                tags.append(f"id:{national_id[1:].lower()}")
        # `primary`: the first located site's commune, else the first site's (None without sites or
        # commune: no place).
        place = primary[2] if primary else ""
        # The display keeps the values set only (in this order).
        display = {"national_id": national_id} if national_id else {}
        if profession_label:
            display["profession"] = profession_label
        if specialty:
            display["specialty"] = specialty
        if place:
            display["commune"] = place
        if phone:
            display["phone"] = phone
        if sites:
            display["sites"] = sites
        points = []
        if located:
            latitude, longitude = primary[0], primary[1]
            if len(located) > 1:
                display["places"] = [[c[2], c[0], c[1]] for c in located]
                points = list(
                    dict.fromkeys(
                        (c[0], c[1])
                        for c in located[1:]
                        if c[1] is not None and (c[0], c[1]) != (latitude, longitude)
                    )
                )
        else:
            latitude = longitude = None
        last_name, first_name = fields["last_name"][:150], fields["first_name"][:150]
        full_name = f"{first_name} {last_name}".strip()
        subtitle = profession_label
        for part in (specialty, place):
            if part:
                subtitle = f"{subtitle} · {part}" if subtitle else part
        return Document(
            kind="professional",
            object_id=pk,
            title=full_name,
            subtitle=subtitle,
            display=display,
            sort_key=self.sort_key(last_name, first_name) if last_name else _fold_once(full_name)[:300],
            points=points,
            text=" ".join(dict.fromkeys(" ".join(text_parts).split())),
            tags=tags,
            suggest=[profession_label, place],
            latitude=latitude,
            longitude=longitude,
            restricted_text="",
            restricted_scopes=[],
        )
