"""Serving a document of an AGO's pack, for the page and the API alike."""

from django.http import FileResponse

from federation.governance.meetings.models import MeetingDocument


def pack_document_response(document: MeetingDocument) -> FileResponse:
    """The file as an attachment that a browser never renders nor sniffs (members upload them)."""
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
