"""REST API of the contract year, under /api/missions/. Thin: spaces and objects come from the access
helpers (404 outside one's CPTS, 403 for a member without rights on writes), writes from the services,
reads from the selectors; errors propagate to the global handler (one error shape)."""

from __future__ import annotations

from functools import cached_property

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.access import access_cpts
from federation.errors import ERROR_RESPONSES, ServiceError
from missions import selectors, services
from missions.access import access_contract, access_indicator, access_review_pack, access_rollup
from missions.funding import MissionInput, simulate
from missions.rules import get_rule_set, rule_sets
from missions.serializers import (
    AvenantSerializer,
    ContractCreateSerializer,
    ContractIndicatorCreateSerializer,
    ContractIndicatorSerializer,
    ContractIndicatorUpdateSerializer,
    ContractMissionSerializer,
    ContractSerializer,
    FundingSerializer,
    IndicatorChangeSerializer,
    IndicatorRowSerializer,
    IndicatorValueInSerializer,
    MissionYearSerializer,
    ReviewPackSerializer,
    ReviewScheduleSerializer,
    RollupRowSerializer,
    RuleSetSerializer,
    SimulationInputSerializer,
    SimulationResultSerializer,
    funding_data,
)


class SimulateView(APIView):
    """The ACI funding simulator: a year's funding line by line from a rule set, a population, a number of
    express members and the missions one would sign (absent = not contracted)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=SimulationInputSerializer,
        responses={200: SimulationResultSerializer, **ERROR_RESPONSES},
        summary="Simuler le financement ACI d'une année",
    )
    def post(self, request):
        data = SimulationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        funding = simulate(
            rule_set=get_rule_set(values["rule_set"]),
            population=values["population"],
            members=values["members"],
            missions_started=values["missions_started"],
            missions=[
                MissionInput(
                    number=item["mission"],
                    achievement=item["achievement"],
                    crisis_plan=item["crisis_plan"],
                    crisis_occurred=item["crisis_occurred"],
                )
                for item in values["missions"]
            ],
        )
        return Response(
            SimulationResultSerializer(funding_data(funding, population=values["population"])).data
        )


class RuleSetListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: RuleSetSerializer(many=True)}, summary="Règles ACI disponibles")
    def get(self, request):
        data = [
            {
                "id": r.id,
                "label": r.label,
                "signed_on": r.signed_on,
                "source": r.source,
                "missions": list(r.missions),
                "operating": [float(a) for a in r.operating],
                "total_possible": [float(a) for a in r.total_possible],
            }
            for r in rule_sets().values()
        ]
        return Response(RuleSetSerializer(data, many=True).data)


class ContractScopedView(APIView):
    """Views under /api/missions/cpts/<cpts_slug>/contract/: `self.contract`, checked (reads for members,
    writes for coordinators and admins)."""

    permission_classes = [permissions.IsAuthenticated]

    @cached_property
    def contract(self):
        for_write = self.request.method not in permissions.SAFE_METHODS
        contract = access_contract(self.request.user, self.kwargs["cpts_slug"], for_write=for_write)
        return selectors.contract_detail(contract)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.contract  # noqa: B018 — resolve (404/403) before any handler runs

    def year(self) -> int:
        year = int(self.kwargs["year"])
        if not 1 <= year <= 5:
            raise Http404
        return year


class ContractView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ContractSerializer, **ERROR_RESPONSES}, summary="Contrat ACI de la CPTS")
    def get(self, request, cpts_slug):
        contract = selectors.contract_detail(access_contract(request.user, cpts_slug))
        return Response(ContractSerializer(selectors.contract_data(contract)).data)

    @extend_schema(
        request=ContractCreateSerializer,
        responses={201: ContractSerializer, **ERROR_RESPONSES},
        summary="Enregistrer le contrat ACI signé",
    )
    def post(self, request, cpts_slug):
        cpts = access_cpts(request.user, cpts_slug, for_write=True)
        data = ContractCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_create(actor=request.user, cpts=cpts, **data.validated_data)
        contract = selectors.contract_detail(contract)
        return Response(
            ContractSerializer(selectors.contract_data(contract)).data, status=status.HTTP_201_CREATED
        )


class AvenantListView(ContractScopedView):
    @extend_schema(
        request=AvenantSerializer,
        responses={201: AvenantSerializer, **ERROR_RESPONSES},
        summary="Ajouter un avenant",
    )
    def post(self, request, cpts_slug):
        data = AvenantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        avenant = services.avenant_add(actor=request.user, contract=self.contract, **data.validated_data)
        return Response(AvenantSerializer(avenant).data, status=status.HTTP_201_CREATED)


class MissionListView(ContractScopedView):
    @extend_schema(
        request=ContractMissionSerializer,
        responses={201: ContractMissionSerializer, **ERROR_RESPONSES},
        summary="Ajouter une mission au contrat",
    )
    def post(self, request, cpts_slug):
        data = ContractMissionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mission = services.mission_add(actor=request.user, contract=self.contract, **data.validated_data)
        return Response(ContractMissionSerializer(mission).data, status=status.HTTP_201_CREATED)


class YearFundingView(ContractScopedView):
    @extend_schema(
        responses={200: FundingSerializer, **ERROR_RESPONSES}, summary="Financement d'une année du contrat"
    )
    def get(self, request, cpts_slug, year):
        result = selectors.contract_year_funding(self.contract, self.year())
        return Response(FundingSerializer(funding_data(result.funding)).data)


class YearIndicatorsView(ContractScopedView):
    @extend_schema(
        responses={200: IndicatorRowSerializer(many=True), **ERROR_RESPONSES},
        summary="Indicateurs d'une année",
    )
    def get(self, request, cpts_slug, year):
        rows = [
            {
                "indicator": row.indicator,
                "value": None
                if row.value is None
                else {
                    "value": row.value.value,
                    "measured_on": row.value.measured_on,
                    "origin": row.value.origin,
                    "source_detail": row.value.source_detail,
                    "comment": row.value.comment,
                    "entered_by": str(row.value.entered_by) if row.value.entered_by else None,
                },
                "achievement": None if row.achievement is None else float(row.achievement),
            }
            for row in selectors.indicator_rows(self.contract, self.year())
        ]
        return Response(IndicatorRowSerializer(rows, many=True).data)


class YearAutofillView(ContractScopedView):
    @extend_schema(
        request=None,
        responses={200: IndicatorRowSerializer(many=True), **ERROR_RESPONSES},
        summary="Recalculer les indicateurs automatiques",
    )
    def post(self, request, cpts_slug, year):
        services.indicators_autofill(contract=self.contract, year=self.year(), actor=request.user)
        self.__dict__.pop("contract", None)  # reload with the new values
        return YearIndicatorsView.get(self, request, cpts_slug, year)


class MissionYearView(ContractScopedView):
    @extend_schema(
        request=MissionYearSerializer,
        responses={200: FundingSerializer, **ERROR_RESPONSES},
        summary="Faits d'une mission pour une année",
    )
    def put(self, request, cpts_slug, year, number):
        mission = selectors.contract_mission(self.contract, int(number))
        if mission is None:
            raise Http404
        data = MissionYearSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mission_year_set(
            actor=request.user,
            mission=mission,
            year=self.year(),
            crisis_occurred=data.validated_data.get("crisis_occurred"),
            agreed_achievement=data.validated_data.get("agreed_achievement", "keep"),
        )
        contract = selectors.contract_detail(self.contract)
        return Response(
            FundingSerializer(
                funding_data(selectors.contract_year_funding(contract, self.year()).funding)
            ).data
        )


class ReviewView(ContractScopedView):
    @extend_schema(
        request=ReviewScheduleSerializer,
        responses={200: ContractSerializer, **ERROR_RESPONSES},
        summary="Fixer la date de la revue annuelle",
    )
    def put(self, request, cpts_slug, year):
        data = ReviewScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_schedule(
            actor=request.user, contract=self.contract, year=self.year(), **data.validated_data
        )
        contract = selectors.contract_detail(self.contract)
        return Response(ContractSerializer(selectors.contract_data(contract)).data)


class ReviewPackRequestView(ContractScopedView):
    @extend_schema(
        request=None,
        responses={202: ReviewPackSerializer, **ERROR_RESPONSES},
        summary="Générer le dossier de revue annuelle",
    )
    def post(self, request, cpts_slug, year):
        pack = services.review_pack_request(actor=request.user, contract=self.contract, year=self.year())
        pack.refresh_from_db()
        return Response(ReviewPackSerializer(pack).data, status=status.HTTP_202_ACCEPTED)


class IndicatorListView(ContractScopedView):
    @extend_schema(
        responses={200: ContractIndicatorSerializer(many=True), **ERROR_RESPONSES},
        summary="Indicateurs du contrat",
    )
    def get(self, request, cpts_slug):
        return Response(
            ContractIndicatorSerializer(selectors.contract_indicators(self.contract), many=True).data
        )

    @extend_schema(
        request=ContractIndicatorCreateSerializer,
        responses={201: ContractIndicatorSerializer, **ERROR_RESPONSES},
        summary="Ajouter un indicateur",
    )
    def post(self, request, cpts_slug):
        data = ContractIndicatorCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        mission = selectors.contract_mission(self.contract, values.pop("mission"))
        if mission is None:
            raise ServiceError(
                _("Cette mission ne figure pas au contrat."), code="mission_not_contracted", field="mission"
            )
        values.pop("national", None)
        indicator = services.indicator_create(actor=request.user, mission=mission, **values)
        return Response(ContractIndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)


class IndicatorDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ContractIndicatorSerializer, **ERROR_RESPONSES}, summary="Un indicateur")
    def get(self, request, pk):
        return Response(ContractIndicatorSerializer(access_indicator(request.user, pk)).data)

    @extend_schema(
        request=ContractIndicatorUpdateSerializer,
        responses={200: ContractIndicatorSerializer, **ERROR_RESPONSES},
        summary="Modifier la cible, le poids ou la source d'un indicateur",
    )
    def patch(self, request, pk):
        indicator = access_indicator(request.user, pk, for_write=True)
        data = ContractIndicatorUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_update(actor=request.user, indicator=indicator, **data.validated_data)
        return Response(ContractIndicatorSerializer(indicator).data)


class IndicatorValueView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=IndicatorValueInSerializer,
        responses={200: IndicatorChangeSerializer, **ERROR_RESPONSES},
        summary="Saisir la valeur d'un indicateur",
    )
    def post(self, request, pk):
        indicator = access_indicator(request.user, pk, for_write=True)
        data = IndicatorValueInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.indicator_value_set(actor=request.user, indicator=indicator, **data.validated_data)
        change = selectors.indicator_history(indicator).first()
        return Response(IndicatorChangeSerializer(change).data)


class IndicatorHistoryView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: IndicatorChangeSerializer(many=True), **ERROR_RESPONSES},
        summary="Historique d'un indicateur",
    )
    def get(self, request, pk):
        indicator = access_indicator(request.user, pk)
        return Response(IndicatorChangeSerializer(selectors.indicator_history(indicator), many=True).data)


class ReviewPackView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: ReviewPackSerializer, **ERROR_RESPONSES}, summary="État d'un dossier de revue"
    )
    def get(self, request, pk):
        return Response(ReviewPackSerializer(access_review_pack(request.user, pk)).data)


class RollupView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: RollupRowSerializer(many=True), **ERROR_RESPONSES},
        summary="Contrats ACI des CPTS membres",
    )
    def get(self, request, federation_slug):
        federation = access_rollup(request.user, federation_slug)
        rows = []
        for row in selectors.federation_rollup(federation, timezone.localdate()):
            rows.append(
                {
                    "cpts": row.cpts.slug,
                    "cpts_name": row.cpts.name,
                    "status": row.status,
                    "has_contract": row.contract is not None,
                    "year": row.year,
                    "next_review": row.next_review.date if row.next_review else None,
                    "funding_expected": float(row.funding.funding.total) if row.funding else None,
                    "max_possible": float(row.funding.funding.max_possible) if row.funding else None,
                    "achievements": {str(k): float(v) for k, v in row.achievements.items()},
                    "indicators_behind": [r.indicator.name for r in row.behind],
                }
            )
        return Response(RollupRowSerializer(rows, many=True).data)
