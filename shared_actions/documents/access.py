"""Who may see and change shared documents (see `Visibility`)."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from federation.models import User
from shared_actions.access import Scope, resolve
from shared_actions.documents.models import Document, DocumentVersion, Visibility


def documents_visible_q(scope: Scope) -> Q:
    """The Q filter of the documents a user may read (see `Visibility`)."""
    shared_with_me = Document.shared_with.through.objects.filter(
        document_id=OuterRef("pk"), cpts_id__in=scope.cpts_ids
    )
    designated = Document.shared_with_users.through.objects.filter(
        document_id=OuterRef("pk"), user_id=scope.user.pk
    )
    owner = Q(cpts_id__in=scope.cpts_ids) | Q(
        cpts__isnull=True, federation_id__in=scope.managed_federation_ids
    )
    return (
        (owner & ~Q(visibility=Visibility.PEOPLE))
        | Q(
            visibility__in=[Visibility.FEDERATION, Visibility.PARTNERS],
            federation_id__in=scope.member_federation_ids | scope.managed_federation_ids,
        )
        | Q(visibility=Visibility.PARTNERS, federation_id__in=scope.partner_federation_ids)
        | Q(Exists(shared_with_me), visibility=Visibility.SELECTED)
        | Q(visibility=Visibility.PEOPLE, created_by_id=scope.user.pk)
        | Q(Exists(designated), visibility=Visibility.PEOPLE)
    )


def can_write_document(scope: Scope, document: Document) -> bool:
    """Managers of the owner (CPTS coordinators/admins, or federation staff for a federation
    document) change a document; the person who created a CPTS document may add versions too.
    A document for designated people is changed only by the person who shared it."""
    if scope.is_staff:
        return True
    if document.visibility == Visibility.PEOPLE:  # private to its people: only who shared it
        return document.created_by_id == scope.user.pk
    if document.cpts_id is not None:
        return document.cpts_id in scope.managed_cpts_ids or (
            document.created_by_id == scope.user.pk and document.cpts_id in scope.cpts_ids
        )
    return document.federation_id in scope.managed_federation_ids


def access_document(user: User, document_id: int, *, for_write: bool = False) -> Document:
    """The document `document_id` if the user may see it (its visibility scope).

    Raises Http404 when it does not exist or is outside the user's visibility scope; with
    `for_write`, PermissionDenied when the user sees it but may not change it (see `can_write_document`).
    """
    queryset = Document.objects.select_related("cpts", "federation")
    return resolve(
        user, queryset, document_id, documents_visible_q, for_write=for_write, can_write=can_write_document
    )


def access_document_version(user: User, document_id: int, number: int) -> DocumentVersion:
    """Version `number` of a document the user may see; Http404 otherwise."""
    document = access_document(user, document_id)
    version = document.versions.select_related("document").filter(number=number).first()
    if version is None:
        raise Http404
    return version
