"""Reading the extraction `PS_LibreAcces_Personne_activite_*.txt` (DOMAIN.md): its header, its lines.

Pipe-separated UTF-8 with a header line and a trailing `|`. Columns are found by name (accents, case and
the " (coord. structure)" suffix ignored), unknown columns are ignored. The file is streamed; the lines of
one person (contiguous in the extraction) are gathered in the same batch, handed over `batch_size`
persons at a time.
"""

import operator
import re
from collections import namedtuple
from collections.abc import Callable, Iterable
from typing import BinaryIO

from directory.importing.merging import ImportReport, Person, merge_line
from search.text import fold

# Internal name → folded header name (see `_header_key`).
COLUMNS = {
    "id_type": "type d identifiant pp",
    "identifier": "identifiant pp",
    "national_id": "identification nationale pp",
    "civility_ex": "libelle civilite d exercice",
    "civility": "libelle civilite",
    "last_name": "nom d exercice",
    "first_name": "prenom d exercice",
    "profession_code": "code profession",
    "profession_label": "libelle profession",
    "category_label": "libelle categorie professionnelle",
    "sf_kind_code": "code type savoir faire",
    "sf_kind_label": "libelle type savoir faire",
    "sf_code": "code savoir faire",
    "sf_label": "libelle savoir faire",
    "mode": "code mode exercice",
    "siret": "numero siret site",
    "siren": "numero siren site",
    "finess": "numero finess site",
    "finess_legal": "numero finess etablissement juridique",
    "structure_id": "identifiant technique de la structure",
    "company": "raison sociale site",
    "trade_name": "enseigne commerciale site",
    "recipient": "complement destinataire",
    "geo_complement": "complement point geographique",
    "street_number": "numero voie",
    "street_repeat": "indice repetition voie",
    "street_type": "libelle type de voie",
    "street": "libelle voie",
    "distribution": "mention distribution",
    "cedex": "bureau cedex",
    "postal_code": "code postal",
    "commune_code": "code commune",
    "commune_label": "libelle commune",
    "phone": "telephone",
    "phone2": "telephone 2",
    "fax": "telecopie",
    "email": "adresse e mail",
    "department": "code departement",
    "sector": "libelle secteur d activite",
}
REQUIRED = ("id_type", "identifier", "last_name", "profession_code")
CHUNK = 1 << 18  # bytes of lines read at once
_SUFFIX = re.compile(r"\s*\((coord\.?\s*structure|structure)\)\s*$", re.IGNORECASE)
# One parsed line: the known columns, stripped ("" when the file lacks the column).
Line = namedtuple("Line", list(COLUMNS))


class ImportFormatError(Exception):
    """The file cannot be imported at all (missing header or required columns)."""


def _header_key(name: str) -> str:
    return fold(_SUFFIX.sub("", name.strip().lstrip("\ufeff")))


def department(line: Line) -> str:
    code = line.commune_code
    if code:
        return code[:3] if code.startswith("97") else code[:2]
    if line.department:
        return line.department.zfill(2)
    postal = line.postal_code
    return (
        ("2A" if postal.startswith("20") else postal[:3] if postal.startswith("97") else postal[:2])
        if postal
        else ""
    )


class Reader:
    """Splits the extraction into batches of persons: `read(stream)` calls `flush(batch)` with each
    batch ({national id: Person}) and once more with the last one."""

    def __init__(
        self,
        *,
        report: ImportReport,
        communes,
        departments: Iterable[str] = (),
        batch_size: int = 2000,
        progress: Callable[[int], None] | None = None,
        flush: Callable[[dict[str, Person]], None],
    ):
        self.report = report
        self.communes = communes  # known commune codes (a container)
        self.departments = {d.strip().upper().zfill(2) for d in departments if d.strip()}
        self.batch_size = batch_size
        self.progress = progress
        self.flush = flush

    def header(self, stream: BinaryIO) -> None:
        """Read the header line: which column holds what (ImportFormatError when it cannot be read)."""
        header_raw = stream.readline()
        if not header_raw:
            raise ImportFormatError("Fichier vide.")
        if self.progress:
            self.progress(len(header_raw))
        header = header_raw.decode("utf-8-sig").rstrip("\r\n").split("|")
        if len(header) > 1 and header[-1] == "":
            header = header[:-1]
        positions = {_header_key(name): i for i, name in enumerate(header) if name.strip()}
        self.width = len(header)
        self.col = {key: positions.get(name) for key, name in COLUMNS.items()}
        missing = [COLUMNS[key] for key in REQUIRED if self.col[key] is None]
        if missing:
            raise ImportFormatError("Colonnes obligatoires absentes : " + ", ".join(missing))
        # Lines are split with one more value than the header, always "" (the trailing separator, or
        # added): absent columns read it.
        self._pick = operator.itemgetter(*(self.width if i is None else i for i in self.col.values()))

    def read(self, stream: BinaryIO) -> None:
        """Read every line after the header."""
        counts, width, pick, progress = self.report.counts, self.width, self._pick, self.progress
        read = 0  # bytes not yet reported to `progress` (reported once per batch)
        batch: dict[str, Person] = {}
        number = 1
        # Whole lines about 256 kB at a time, decoded at once (per line, reading and decoding took a
        # tenth of the reading thread); UTF-8 never holds a newline byte inside a character, so this
        # reads the lines `readline()` would. Not iteration: Django's File.__iter__ rewinds.
        while chunk := stream.readlines(CHUNK):
            read += sum(map(len, chunk))
            texts = b"".join(chunk).decode("utf-8", errors="replace").split("\n")
            if texts[-1] == "":  # the chunk ends with a newline (or the file does without one)
                texts.pop()
            for text in texts:
                number += 1
                if text.endswith("\r"):
                    text = text.rstrip("\r")
                if not text or text.isspace():
                    continue
                counts["lines"] += 1
                values = text.split("|")
                if not text.endswith("|"):  # the extraction ends every line with a separator
                    values.append("")
                if len(values) == width + 1:
                    line = Line._make(map(str.strip, pick(values)))
                    national_id = line.national_id or (
                        line.id_type + line.identifier if line.identifier else ""
                    )
                else:
                    line = None
                    national_id = self._national_id(values[:-1])
                if len(batch) >= self.batch_size and national_id not in batch:
                    if progress:
                        progress(read)
                        read = 0
                    self.flush(batch)
                    batch = {}
                if line is None:
                    reason = f"nombre de colonnes incorrect ({len(values) - 1} au lieu de {width})"
                    if national_id:
                        person = batch.setdefault(national_id, Person(national_id, number))
                        person.errors.append((number, reason))
                        person.lines.append(number)
                    else:
                        self.report.reject(number, "", reason)
                    continue
                self._read_line(number, line, national_id, batch)
        if progress and read:
            progress(read)
        if batch:
            self.flush(batch)

    def _get(self, values: list[str], key: str) -> str:
        index = self.col[key]
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    def _national_id(self, values: list[str]) -> str:
        """National id of a line with the wrong number of columns (read as far as it goes)."""
        national_id = self._get(values, "national_id")
        if not national_id:
            id_type, identifier = self._get(values, "id_type"), self._get(values, "identifier")
            national_id = id_type + identifier if identifier else ""
        return national_id

    def _read_line(self, number: int, line: Line, national_id: str, batch: dict) -> None:
        if self.departments and department(line) not in self.departments:
            self.report.counts["lines_filtered"] += 1
            return
        person = batch.get(national_id)
        if person is None:
            person = batch[national_id] = Person(national_id or f"?{number}", number)
        merge_line(person, number, line, self.communes)
