"""Upload validation for shared documents: size limit, allow-list of types checked on the content.

The extension and the browser's content type are never trusted: `filetype` reads the magic bytes,
ZIP containers are opened to tell ODF (its `mimetype` member) and OOXML (`[Content_Types].xml` and
its `word/`, `xl/`, `ppt/` parts) from any other archive, and plain text (TXT, CSV, Markdown) is
accepted only when the content decodes as text and the name claims a text type. The stored name is
generated; the detected type decides the extension and the Content-Type served later.
"""

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError

HEADER_BYTES = 8192

# extension -> MIME type served at download time
BINARY_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "rtf": "application/rtf",
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}
ODF_MIMETYPES = {BINARY_TYPES[ext]: ext for ext in ("odt", "ods", "odp")}
OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
# Names that claim one of these may only hold that family (a ".pdf" must be a PDF).
EXTENSION_ALIASES = {"jpeg": "jpg", "text": "txt"}


@dataclass(frozen=True)
class DetectedFile:
    extension: str
    content_type: str
    size: int
    sha256: str


def allowed_types_label() -> str:
    return "PDF, ODT/ODS/ODP, DOCX/XLSX/PPTX, DOC/XLS/PPT, RTF, PNG, JPEG, GIF, WebP, TXT, CSV, Markdown"


def _claimed_extension(name: str) -> str:
    ext = PurePath(name or "").suffix.lower().lstrip(".")
    return EXTENSION_ALIASES.get(ext, ext)


# An office document expands a few times, never hundreds: beyond these, treat it as a decompression bomb
# (it would be shared with, and opened by, other people's office software).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100


def _is_bomb(archive: zipfile.ZipFile, compressed_size: int) -> bool:
    expanded = sum(info.file_size for info in archive.infolist())
    return expanded > MAX_UNCOMPRESSED_BYTES or expanded > MAX_COMPRESSION_RATIO * max(compressed_size, 1)


def _zip_kind(upload) -> str | None:
    """'odt'…'pptx' for an office document, None for any other ZIP or a decompression bomb (refused).
    Only the archive's directory and a 100-byte member are read: nothing is decompressed in full."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if _is_bomb(archive, upload.size):
                return None
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return ODF_MIMETYPES.get(declared)
            if "[Content_Types].xml" in names:
                for prefix, ext in OOXML_PARTS.items():
                    if any(n.startswith(prefix) for n in names):
                        return ext
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte UTF-8 character cut at the end of the sample is not a reason to refuse.
            if encoding == "utf-8":
                try:
                    text = sample[:-3].decode("utf-8")
                except UnicodeDecodeError:
                    continue
            else:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls == 0
    return False


def _refuse(message: str, code: str):
    raise ServiceError(message, code=code)


def validate_upload(upload) -> DetectedFile:
    """Check an uploaded file (a Django `File`) and return its detected type, or raise ServiceError
    with a French message. Reads the file but stores nothing."""
    if upload is None:
        _refuse(_("Aucun fichier n'a été envoyé."), "no_file")
    limit = settings.UPLOAD_MAX_BYTES
    size = upload.size
    if size is None or size > limit:
        _refuse(
            _("Le fichier dépasse la taille maximale autorisée (%(limit)s Mo).")
            % {
                "limit": f"{limit / (1024 * 1024):.0f}"
                if limit >= 1024 * 1024
                else f"{limit / (1024 * 1024):.2f}"
            },
            "file_too_large",
        )
    if size == 0:
        _refuse(_("Le fichier est vide."), "empty_file")
    upload.seek(0)
    header = upload.read(HEADER_BYTES)
    upload.seek(0)
    claimed = _claimed_extension(getattr(upload, "name", ""))
    kind = filetype.guess(header)
    detected: str | None = None
    if kind is not None:
        if kind.extension in {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}:
            detected = _zip_kind(upload)
        elif kind.extension in BINARY_TYPES:
            detected = kind.extension
        if detected is None:
            _refuse(
                _("Type de fichier refusé (contenu détecté : %(kind)s). Types acceptés : %(allowed)s.")
                % {"kind": kind.mime, "allowed": allowed_types_label()},
                "file_type_refused",
            )
    elif header.startswith(b"{\\rtf"):
        detected = "rtf"
    elif _looks_like_text(header):
        if claimed and claimed not in TEXT_TYPES:
            _refuse(
                _(
                    "Le contenu du fichier ne correspond pas à son extension « .%(ext)s » : "
                    "seuls les fichiers texte (.txt, .csv, .md) peuvent contenir du texte brut."
                )
                % {"ext": claimed},
                "file_type_mismatch",
            )
        detected = claimed or "txt"
    else:
        _refuse(
            _("Type de fichier non reconnu ou refusé. Types acceptés : %(allowed)s.")
            % {"allowed": allowed_types_label()},
            "file_type_refused",
        )
    if (
        claimed
        and claimed != detected
        and claimed in BINARY_TYPES | TEXT_TYPES
        and detected not in TEXT_TYPES
    ):
        _refuse(
            _("Le contenu du fichier (%(detected)s) ne correspond pas à son extension « .%(ext)s ».")
            % {"detected": detected.upper(), "ext": claimed},
            "file_type_mismatch",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    content_type = BINARY_TYPES.get(detected) or TEXT_TYPES[detected]
    return DetectedFile(extension=detected, content_type=content_type, size=size, sha256=digest.hexdigest())


def storage_name(detected: DetectedFile) -> str:
    """A generated, unguessable storage path: nothing from the uploaded name reaches the storage."""
    today = timezone.localdate()
    return f"shared_documents/{today:%Y/%m}/{uuid.uuid4().hex}.{detected.extension}"


def safe_download_name(original: str, extension: str) -> str:
    """The name offered to the browser: the original stem, cleaned, with the detected extension."""
    stem = PurePath(original or "document").stem
    cleaned = "".join(ch if ch.isalnum() or ch in "-_ .()" else "_" for ch in stem).strip(" .")[:120]
    return f"{cleaned or 'document'}.{extension}"
