"""HTML pages of shared documents. Thin: access helpers resolve, services write, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import show_service_error
from federation.selectors import user_federations, user_memberships
from shared_actions.access import access_owner, scope_of
from shared_actions.documents import library, selectors, services
from shared_actions.documents.access import access_document, access_document_version, can_write_document
from shared_actions.documents.files import file_response
from shared_actions.documents.forms import DocumentEditForm, DocumentForm, VersionForm
from shared_actions.documents.models import DocumentCategory
from shared_actions.forms import owner_choices
from shared_actions.selectors import recipient_cpts


def _document_owners(user):
    scope = scope_of(user)
    federations = [f for f in user_federations(user) if scope.manages_federation(f.pk)]
    return owner_choices(user_memberships(user), federations)


@login_required
def document_list(request):
    owners = _document_owners(request.user)
    recipients = recipient_cpts(request.user)
    form = DocumentForm(owners=owners, recipients=recipients)
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, owners=owners, recipients=recipients)
        if form.is_valid():
            data = form.cleaned_data
            cpts, federation = access_owner(request.user, data["owner"])
            try:
                document = services.document_create(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    visibility=data["visibility"],
                    cpts=cpts,
                    federation=federation,
                    shared_with=data["shared_with"],
                    file=data["file"],
                )
            except ValidationError as exc:
                show_service_error(request, exc)
            else:
                messages.success(request, _("Document enregistré (version 1)."))
                return redirect("actions-document", document_id=document.pk)
    query = request.GET.get("q", "")
    category = request.GET.get("category", "")
    return render(
        request,
        "shared_actions/document_list.html",
        {
            "documents": selectors.visible_documents(request.user, query=query, category=category)[:200],
            "external": library.external_entries(request.user, query, category),
            "form": form,
            "query": query,
            "category": category,
            "categories": DocumentCategory.choices,
        },
    )


@login_required
def document_detail(request, document_id):
    document = access_document(request.user, document_id)
    can_write = can_write_document(scope_of(request.user), document)
    form = VersionForm()
    if request.method == "POST":
        document = access_document(request.user, document_id, for_write=True)
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.document_add_version(
                    actor=request.user,
                    document=document,
                    file=form.cleaned_data["file"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                show_service_error(request, exc)
            else:
                messages.success(request, _("Version %(n)s enregistrée.") % {"n": version.number})
                return redirect("actions-document", document_id=document.pk)
    shared_with = selectors.document_recipients(document)
    return render(
        request,
        "shared_actions/document_detail.html",
        {
            "document": document,
            "versions": selectors.document_versions(document),
            "can_write": can_write,
            "form": form,
            "downloads": selectors.document_downloads(document)[:50] if can_write else None,
            "edit_form": DocumentEditForm(
                initial={
                    "title": document.title,
                    "description": document.description,
                    "category": document.category,
                    "visibility": document.visibility,
                    "shared_with": shared_with,
                },
                recipients=recipient_cpts(request.user),
            )
            if can_write
            else None,
            "shared_with": shared_with,
        },
    )


@login_required
@require_POST
def document_edit(request, document_id):
    document = access_document(request.user, document_id, for_write=True)
    form = DocumentEditForm(request.POST, recipients=recipient_cpts(request.user))
    if form.is_valid():
        try:
            services.document_update(actor=request.user, document=document, **form.cleaned_data)
            messages.success(request, _("Document mis à jour."))
        except ValidationError as exc:
            show_service_error(request, exc)
    else:
        messages.error(request, _("Formulaire incomplet."))
    return redirect("actions-document", document_id=document.pk)


@login_required
def document_download(request, document_id, number):
    version = access_document_version(request.user, document_id, number)
    services.document_record_download(actor=request.user, version=version)
    return file_response(version)
