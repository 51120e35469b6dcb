"""Writes of shared documents: keyword-only, atomic, validated before save; errors are ServiceErrors.

Permissions are checked here too (views and API resolve objects through `documents/access.py`).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Cpts, Federation, User
from federation.selectors import cpts_federation
from shared_actions.access import scope_of
from shared_actions.documents import uploads
from shared_actions.documents.access import can_write_document
from shared_actions.documents.models import Document, DocumentDownload, DocumentVersion, Visibility
from shared_actions.documents.selectors import sharing_people_q
from shared_actions.rules import require_member_cpts


def _store_file(upload, detected: uploads.DetectedFile) -> str:
    upload.seek(0)
    return default_storage.save(uploads.storage_name(detected), upload)


def version_create(*, actor: User | None, document: Document, upload, comment: str) -> DocumentVersion:
    """Validate the file, store it, then write the row; if the row fails, the stored file goes too."""
    detected = uploads.validate_upload(upload)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    name = _store_file(upload, detected)
    try:
        version = DocumentVersion(
            document=document,
            number=last + 1,
            file=name,
            original_name=uploads.safe_download_name(getattr(upload, "name", ""), detected.extension),
            content_type=detected.content_type,
            size=detected.size,
            sha256=detected.sha256,
            comment=comment,
            uploaded_by=actor,
        )
        version.full_clean()
        version.save()
    except Exception:
        default_storage.delete(name)
        raise
    document.updated_at = timezone.now()
    document.save(update_fields=["updated_at"])
    return version


def _check_sharing(
    *,
    federation: Federation | None,
    cpts: Cpts | None,
    visibility: str,
    shared_with: list[Cpts],
    people: list[User],
) -> None:
    if visibility not in (Visibility.OWNER, Visibility.PEOPLE) and federation is None:
        raise ServiceError(
            _(
                "Cette CPTS n'appartient à aucune fédération : le document ne peut être partagé qu'en interne."
            ),
            code="no_federation",
        )
    if visibility == Visibility.SELECTED:
        if not shared_with:
            raise ServiceError(_("Choisissez au moins une CPTS destinataire."), code="no_recipient")
        require_member_cpts(federation, shared_with, code="recipient_outside")
    if visibility == Visibility.PEOPLE:
        if not people:
            raise ServiceError(_("Choisissez au moins une personne destinataire."), code="no_recipient")
        allowed = set(
            User.objects.filter(sharing_people_q(cpts=cpts, federation=federation)).values_list(
                "pk", flat=True
            )
        )
        outside = [u.pk for u in people if u.pk not in allowed]
        if outside:
            raise ServiceError(
                _("Personnes hors de la CPTS ou de la fédération (identifiants %(ids)s).")
                % {"ids": ", ".join(map(str, outside))},
                code="recipient_outside",
            )


def _set_recipients(document: Document, shared_with: list[Cpts], people: list[User]) -> None:
    document.shared_with.set(shared_with if document.visibility == Visibility.SELECTED else [])
    document.shared_with_users.set(people if document.visibility == Visibility.PEOPLE else [])


@transaction.atomic
def document_create(
    *,
    actor: User,
    title: str,
    category: str,
    file,
    cpts: Cpts | None = None,
    federation: Federation | None = None,
    description: str = "",
    visibility: str = Visibility.OWNER,
    shared_with: Iterable[Cpts] = (),
    shared_with_users: Iterable[User] = (),
    comment: str = "",
) -> Document:
    """Create a document owned by `cpts` (any member may share) or by `federation` (its staff),
    with its first version. The file is validated before anything is written. With the "people"
    visibility (e.g. a messaging attachment), only `shared_with_users` and the actor see it."""
    scope = scope_of(actor)
    if cpts is not None:
        if not (scope.is_staff or cpts.pk in scope.cpts_ids):
            raise PermissionDenied
    elif federation is not None:
        if not scope.manages_federation(federation.pk):
            raise PermissionDenied
    return document_write(
        actor=actor,
        title=title,
        category=category,
        file=file,
        cpts=cpts,
        federation=federation,
        description=description,
        visibility=visibility,
        shared_with=shared_with,
        shared_with_users=shared_with_users,
        comment=comment,
    )


def document_write(
    *,
    actor: User,
    title: str,
    category: str,
    file,
    cpts: Cpts | None,
    federation: Federation | None,
    description: str,
    visibility: str,
    shared_with: Iterable[Cpts],
    comment: str,
    shared_with_users: Iterable[User] = (),
) -> Document:
    """`document_create` once the permission is settled (meeting minutes use it too)."""
    shared_with = list(shared_with)
    people = list(shared_with_users)
    if cpts is not None:
        federation = cpts_federation(cpts)
    elif federation is None:
        raise ServiceError(_("Un document appartient à une CPTS ou à la fédération."), code="no_owner")
    uploads.validate_upload(file)  # refuse early: nothing is written for a bad file
    _check_sharing(
        federation=federation, cpts=cpts, visibility=visibility, shared_with=shared_with, people=people
    )
    document = Document(
        cpts=cpts,
        federation=federation,
        title=title,
        description=description,
        category=category,
        visibility=visibility,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    _set_recipients(document, shared_with, people)
    version_create(actor=actor, document=document, upload=file, comment=comment)
    return document


@transaction.atomic
def document_add_version(*, actor: User, document: Document, file, comment: str = "") -> DocumentVersion:
    """Upload a new version; the previous ones stay downloadable."""
    if not can_write_document(scope_of(actor), document):
        raise PermissionDenied
    uploads.validate_upload(file)
    # Lock the document so two uploads at once get distinct numbers.
    document = Document.objects.select_for_update().get(pk=document.pk)
    return version_create(actor=actor, document=document, upload=file, comment=comment)


@transaction.atomic
def document_update(
    *,
    actor: User,
    document: Document,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    visibility: str | None = None,
    shared_with: Iterable[Cpts] | None = None,
    shared_with_users: Iterable[User] | None = None,
) -> Document:
    """Change the description or the sharing (e.g. messaging keeps an attachment's people in step
    with the conversation's members)."""
    if not can_write_document(scope_of(actor), document):
        raise PermissionDenied
    for field, value in (("title", title), ("description", description), ("category", category)):
        if value is not None:
            setattr(document, field, value)
    if visibility is not None:
        document.visibility = visibility
    recipients = list(shared_with) if shared_with is not None else list(document.shared_with.all())
    people = (
        list(shared_with_users) if shared_with_users is not None else list(document.shared_with_users.all())
    )
    _check_sharing(
        federation=document.federation,
        cpts=document.cpts,
        visibility=document.visibility,
        shared_with=recipients,
        people=people,
    )
    document.updated_at = timezone.now()
    document.full_clean()
    document.save()
    _set_recipients(document, recipients, people)
    return document


def orphan_files_sweep(*, older_than: dt.timedelta = dt.timedelta(hours=6)) -> int:
    """Delete stored files no version refers to (left by a transaction rolled back after the file was
    written). Only generated names under `shared_documents/` are considered; recent files are kept in
    case their transaction is still running."""
    known = set(DocumentVersion.objects.values_list("file", flat=True))
    limit = timezone.now() - older_than
    removed = 0

    def walk(folder: str):
        try:
            folders, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            return
        for name in files:
            yield f"{folder}/{name}"
        for sub in folders:
            yield from walk(f"{folder}/{sub}")

    for path in walk("shared_documents"):
        if path in known:
            continue
        try:
            modified = default_storage.get_modified_time(path)
        except (NotImplementedError, OSError):
            continue
        if modified < limit:
            default_storage.delete(path)
            removed += 1
    return removed


@transaction.atomic
def document_record_download(*, actor: User, version: DocumentVersion) -> DocumentDownload:
    """Append to the access log (the caller has resolved `version` through `access_document_version`)."""
    return DocumentDownload.objects.create(version=version, user=actor)
