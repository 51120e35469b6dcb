"""Reads of shared documents: scoped QuerySets with their select/prefetch."""

from django.db.models import Max, Q, QuerySet

from federation.models import Cpts, User
from shared_actions.access import visible_to
from shared_actions.documents.access import documents_visible_q
from shared_actions.documents.models import (
    Document,
    DocumentCategory,
    DocumentDownload,
    DocumentVersion,
    Visibility,
)
from shared_actions.selectors import federation_people_q


def visible_documents(user: User, *, query: str = "", category: str = "") -> QuerySet[Document]:
    """Documents the user may read, newest first, with their latest version number; `query` searches
    title, description and category label, `category` filters on the category value."""
    queryset = visible_to(user, Document.objects.all(), documents_visible_q)
    query = (query or "").strip()
    if query:
        labels = [value for value, label in DocumentCategory.choices if query.lower() in str(label).lower()]
        queryset = queryset.filter(
            Q(title__icontains=query) | Q(description__icontains=query) | Q(category__in=labels)
        )
    if category:
        queryset = queryset.filter(category=category)
    return (
        queryset.select_related("cpts", "federation", "created_by")
        .annotate(latest_version=Max("versions__number"))
        .order_by("-updated_at", "-pk")
    )


def campaign_materials(user: User, campaign) -> QuerySet[Document]:
    """The campaign's materials the user may read."""
    return visible_documents(user).filter(campaigns=campaign)


def material_choices(user: User, campaign) -> QuerySet[Document]:
    """Documents of the campaign's federation the user may read and could attach to it."""
    return visible_documents(user).filter(federation_id=campaign.federation_id).exclude(campaigns=campaign)


def document_recipients(document: Document) -> list[Cpts]:
    return list(document.shared_with.all())


def document_versions(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


def document_downloads(document: Document) -> QuerySet[DocumentDownload]:
    return (
        DocumentDownload.objects.filter(version__document=document)
        .select_related("user", "version")
        .order_by("-downloaded_at")
    )


def sharing_people_q(*, cpts: Cpts | None, federation) -> Q:
    """Who a document may be shared with by name: members of its CPTS, and the participants of its
    federation (members of its CPTS, role holders and partner delegates)."""
    return federation_people_q(
        cpts_id=cpts.pk if cpts is not None else None,
        federation_id=federation.pk if federation is not None else None,
    )


def federation_documents(cpts_ids) -> QuerySet[Document]:
    """Documents of the given CPTS the federation may see: shared with the whole federation (or with
    its partners). Never a CPTS's own (owner), selected-CPTS or designated-people documents."""
    return (
        Document.objects.filter(
            cpts_id__in=cpts_ids, visibility__in=[Visibility.FEDERATION, Visibility.PARTNERS]
        )
        .select_related("cpts")
        .annotate(latest_version=Max("versions__number"))
        .order_by("-updated_at", "-pk")
    )
