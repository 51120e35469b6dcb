"""API of the federation cockpit, the territory map and territory editing."""

from functools import cached_property

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from federation import cockpit_selectors, territory_selectors, territory_services
from federation.api_base import FederationScopedMixin
from federation.cockpit_serializers import (
    CockpitSerializer,
    CommuneCandidateSerializer,
    TerritoryChangeEntrySerializer,
    TerritoryEditSerializer,
    TerritoryMapSerializer,
    TerritoryPreviewSerializer,
    TerritoryResultSerializer,
    cockpit_data,
)
from federation.errors import ERROR_RESPONSES
from federation.territory import aci_size_tier
from federation.territory_access import access_cockpit, access_territory
from federation.territory_map import geojson, summary

GEOJSON = "application/geo+json"


class GeoJSONRenderer(JSONRenderer):
    """Lets clients ask for `Accept: application/geo+json` (the body is sent as built, not rendered)."""

    media_type = GEOJSON
    format = "geojson"


class CockpitView(APIView):
    """The federation's cockpit: every member CPTS, the coverage of the département, and what needs
    attention (panels contributed by each application). Coordinators, admins and the bureau."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: CockpitSerializer, **ERROR_RESPONSES})
    def get(self, request, federation_slug):
        federation = access_cockpit(request.user, federation_slug)
        cockpit = cockpit_selectors.cockpit(federation, request.user)
        coverage = summary(territory_selectors.federation_map(federation))
        return Response(CockpitSerializer(cockpit_data(cockpit, coverage)).data)


def _geojson_response(request, territory) -> HttpResponse:
    etag = territory.etag()
    # A gzipped answer carries a weak ETag ("W/..."): compare the opaque part only.
    sent = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in sent:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(geojson(territory), content_type=GEOJSON)
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)  # revalidate: territories change
    return response


class FederationMapView(FederationScopedMixin, APIView):
    """The département's communes as GeoJSON, coloured by the CPTS covering them (null: uncovered),
    with each CPTS's population and size tier and the share of the population covered. Compressed when
    the client accepts it; answers 304 to a matching `If-None-Match`."""

    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(responses={200: TerritoryMapSerializer, 304: None, **ERROR_RESPONSES})
    def get(self, request, federation_slug):
        return _geojson_response(request, territory_selectors.federation_map(self.federation))


class CptsTerritoryScopedMixin:
    """`self.cpts` through `access_territory`: members, and the federation's cockpit users."""

    permission_classes = [permissions.IsAuthenticated]
    write_methods = {"POST", "PUT", "PATCH", "DELETE"}
    preview_only = False

    @cached_property
    def cpts(self):
        for_write = self.request.method in self.write_methods and not self.preview_only
        return access_territory(self.request.user, self.kwargs["cpts_slug"], for_write=for_write)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.cpts  # noqa: B018 — 404/403 before any handler runs


class CptsMapView(CptsTerritoryScopedMixin, APIView):
    """The map a CPTS page shows (its federation's département, the CPTS highlighted)."""

    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(responses={200: TerritoryMapSerializer, 204: None, 304: None, **ERROR_RESPONSES})
    def get(self, request, cpts_slug):
        territory = territory_selectors.cpts_map(self.cpts)
        if territory is None:
            return Response(status=204)
        return _geojson_response(request, territory)


@extend_schema(parameters=[OpenApiParameter("q", str, description="Début du nom, code INSEE ou code postal")])
class CandidatesView(CptsTerritoryScopedMixin, APIView):
    """Communes to add (autocomplete), each with the CPTS already holding it, if any."""

    @extend_schema(responses={200: CommuneCandidateSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request, cpts_slug):
        candidates = territory_selectors.commune_candidates(
            request.query_params.get("q", ""), territory_selectors.territory_departements(self.cpts)
        )
        return Response(CommuneCandidateSerializer(candidates, many=True).data)


class PreviewView(CptsTerritoryScopedMixin, APIView):
    """What a change would give (new population and size tier, refused communes, regional warnings),
    without changing anything."""

    preview_only = True

    @extend_schema(
        request=TerritoryEditSerializer, responses={200: TerritoryPreviewSerializer, **ERROR_RESPONSES}
    )
    def post(self, request, cpts_slug):
        change = TerritoryEditSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        preview = territory_selectors.territory_preview(self.cpts, **change.validated_data)
        return Response(TerritoryPreviewSerializer(preview).data)


class EditView(CptsTerritoryScopedMixin, APIView):
    """Add and remove communes (all or nothing); each change is kept in the history."""

    @extend_schema(
        request=TerritoryEditSerializer, responses={200: TerritoryResultSerializer, **ERROR_RESPONSES}
    )
    def post(self, request, cpts_slug):
        change = TerritoryEditSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        added, removed = territory_services.cpts_territory_edit(
            actor=request.user, cpts=self.cpts, **change.validated_data
        )
        population = territory_selectors.cpts_territory_population(self.cpts)
        return Response(
            TerritoryResultSerializer(
                {
                    "added": added,
                    "removed": removed,
                    "population": population,
                    "size_tier": aci_size_tier(population),
                    "warnings": territory_selectors.cpts_region_warnings(self.cpts, population),
                }
            ).data
        )


class HistoryView(CptsTerritoryScopedMixin, APIView):
    """The dated history of the territory's changes: who added or removed which commune."""

    @extend_schema(responses={200: TerritoryChangeEntrySerializer(many=True), **ERROR_RESPONSES})
    def get(self, request, cpts_slug):
        history = territory_selectors.territory_history(self.cpts)[:200]
        return Response(TerritoryChangeEntrySerializer(history, many=True).data)
