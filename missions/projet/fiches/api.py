"""Fiches action API: /api/projet/cpts/<cpts_slug>/fiches/… (private to the CPTS) and /api/projet/library/…
(published fiches of the user's federation; another federation's → 404)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api_base import CptsScopedMixin
from federation.errors import ServiceError
from missions.projet.access import access_fiche, access_projet_cpts
from missions.projet.fiches import selectors, services
from missions.projet.models import Mission
from missions.projet.serializers import (
    FicheCopySerializer,
    FichePublishSerializer,
    FicheSerializer,
    FicheStatusSerializer,
    FicheWriteSerializer,
    LibraryFicheSerializer,
)


def _resolved(cpts, data: dict) -> dict:
    """Indicator ids → the CPTS's indicators (an id of another CPTS's contract is refused by the service)."""
    if "indicators" not in data:
        return data
    ids = set(data["indicators"])
    found = selectors.indicators_by_ids(ids)
    if len(found) != len(ids):
        raise ServiceError(_("Indicateur introuvable."), code="wrong_indicator", field="indicators")
    return {**data, "indicators": found}


class FicheListView(CptsScopedMixin, generics.ListAPIView):
    """The CPTS's fiches action; POST creates one (managers)."""

    serializer_class = FicheSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.cpts_fiches(self.cpts)

    @extend_schema(request=FicheWriteSerializer, responses={201: FicheSerializer})
    def post(self, request, cpts_slug):
        data = FicheWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fiche = services.fiche_create(
            actor=request.user, cpts=self.cpts, data=_resolved(self.cpts, data.validated_data)
        )
        return Response(FicheSerializer(fiche).data, status=status.HTTP_201_CREATED)


class FicheDetailView(CptsScopedMixin, APIView):
    @extend_schema(responses=FicheSerializer)
    def get(self, request, cpts_slug, fiche_id):
        return Response(FicheSerializer(access_fiche(request.user, self.cpts, fiche_id)).data)

    @extend_schema(request=FicheWriteSerializer, responses=FicheSerializer)
    def patch(self, request, cpts_slug, fiche_id):
        fiche = access_fiche(request.user, self.cpts, fiche_id, for_write=True)
        data = FicheWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fiche = services.fiche_update(
            actor=request.user, fiche=fiche, data=_resolved(self.cpts, data.validated_data)
        )
        return Response(FicheSerializer(fiche).data)

    @extend_schema(responses={204: None})
    def delete(self, request, cpts_slug, fiche_id):
        fiche = access_fiche(request.user, self.cpts, fiche_id, for_write=True)
        services.fiche_delete(actor=request.user, fiche=fiche)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FicheStatusView(CptsScopedMixin, APIView):
    @extend_schema(request=FicheStatusSerializer, responses=FicheSerializer)
    def post(self, request, cpts_slug, fiche_id):
        fiche = access_fiche(request.user, self.cpts, fiche_id, for_write=True)
        data = FicheStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fiche = services.fiche_set_status(
            actor=request.user, fiche=fiche, status=data.validated_data["status"]
        )
        return Response(FicheSerializer(fiche).data)


class FichePublishView(CptsScopedMixin, APIView):
    """Publish the fiche in the federation's library (`publish: false` withdraws it)."""

    @extend_schema(request=FichePublishSerializer, responses=FicheSerializer)
    def post(self, request, cpts_slug, fiche_id):
        fiche = access_fiche(request.user, self.cpts, fiche_id, for_write=True)
        data = FichePublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fiche = services.fiche_publish(
            actor=request.user, fiche=fiche, publish=data.validated_data["publish"]
        )
        return Response(FicheSerializer(fiche).data)


class LibraryListView(generics.ListAPIView):
    """Published fiches of the CPTS of the user's federation(s)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = LibraryFicheSerializer
    pagination_class = None

    def get_queryset(self):
        mission = self.request.query_params.get("mission")
        return selectors.library_fiches(
            self.request.user, mission=int(mission) if mission in {str(m) for m in Mission.values} else None
        )

    @extend_schema(parameters=[OpenApiParameter("mission", int, enum=Mission.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LibraryDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=LibraryFicheSerializer)
    def get(self, request, fiche_id):
        return Response(LibraryFicheSerializer(selectors.library_fiche(request.user, fiche_id)).data)


class LibraryCopyView(APIView):
    """Copy a published fiche into one of the user's CPTS (its managers): a draft that remembers its origin."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=FicheCopySerializer, responses={201: FicheSerializer})
    def post(self, request, fiche_id):
        source = selectors.library_fiche(request.user, fiche_id)
        data = FicheCopySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into = access_projet_cpts(request.user, data.validated_data["cpts"], for_write=True)
        copy = services.fiche_copy(actor=request.user, source=source, into=into)
        return Response(FicheSerializer(copy).data, status=status.HTTP_201_CREATED)
