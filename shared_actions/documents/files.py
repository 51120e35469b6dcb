"""Serving a stored document version (HTML pages, API and messaging downloads use it)."""

from django.core.files.storage import default_storage
from django.http import FileResponse


def file_response(version) -> FileResponse:
    """Serve a stored version as an attachment, with its detected type and `nosniff`."""
    handle = default_storage.open(version.file.name, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
