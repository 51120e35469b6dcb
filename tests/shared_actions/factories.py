"""Builders for shared actions rows, through the services (so the rules apply)."""

from shared_actions.documents import services as document_services
from shared_actions.models import DocumentCategory, Visibility
from tests.shared_actions.conftest import pdf_upload


def document(
    actor, *, cpts=None, federation=None, visibility=Visibility.OWNER, shared_with=(), title="Statuts"
):
    return document_services.document_create(
        actor=actor,
        title=title,
        category=DocumentCategory.STATUTES,
        file=pdf_upload(),
        cpts=cpts,
        federation=federation,
        visibility=visibility,
        shared_with=shared_with,
    )
