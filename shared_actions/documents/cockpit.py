"""Shared documents panel of the federation's view of a member CPTS: only what the CPTS shared with the
federation (visibility "federation" or "partners"), never its own, selected-CPTS or designated-people
documents. Two queries."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from federation.cockpit import PanelData, PanelItem
from shared_actions.documents import selectors

LIMIT = 10


def cpts_documents_panel(cpts, user) -> PanelData:
    documents = selectors.federation_documents([cpts.pk])
    return PanelData(
        items=[
            PanelItem(
                label=document.title,
                url=reverse("actions-document", args=[document.pk]),
                detail=_("%(category)s · version %(version)s · %(date)s")
                % {
                    "category": document.get_category_display(),
                    "version": document.latest_version or 1,
                    "date": date_format(timezone.localtime(document.updated_at), "j F Y"),
                },
            )
            for document in documents[:LIMIT]
        ],
        count=documents.count(),
        empty=_("La CPTS n'a encore partagé aucun document avec la fédération."),
    )
