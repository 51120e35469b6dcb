"""REST API of prevention campaigns (/api/shared-actions/campaigns/, campaign-actions/, tasks/).
Thin: access helpers resolve, services write, selectors read; errors propagate to the global handler."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_actions import params
from shared_actions.campaigns import selectors, services
from shared_actions.campaigns.access import access_action_task, access_campaign, access_campaign_action
from shared_actions.campaigns.serializers import (
    ActionTaskSerializer,
    CampaignActionSerializer,
    CampaignMaterialSerializer,
    CampaignSerializer,
    IndicatorProgressSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
)
from shared_actions.documents.access import access_document


class CampaignListView(generics.ListCreateAPIView):
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.visible_campaigns(self.request.user).prefetch_related("materials")

    def create(self, request, *args, **kwargs):
        data = CampaignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        campaign = services.campaign_create(
            actor=request.user,
            federation=params.federation_or_none(request.user, values["federation"]["slug"]),
            title=values["title"],
            theme=values["theme"],
            start_date=values["start_date"],
            end_date=values["end_date"],
            lead_cpts=values["lead_cpts"],
            participants=values["participants"],
            target_population=values.get("target_population", ""),
            objectives=values.get("objectives", ""),
        )
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailView(APIView):
    @extend_schema(responses=CampaignSerializer)
    def get(self, request, campaign_id):
        return Response(CampaignSerializer(access_campaign(request.user, campaign_id)).data)


class CampaignActionsView(generics.ListCreateAPIView):
    serializer_class = CampaignActionSerializer

    def get_queryset(self):
        return selectors.campaign_actions(access_campaign(self.request.user, self.kwargs["campaign_id"]))

    def create(self, request, *args, **kwargs):
        campaign = access_campaign(request.user, self.kwargs["campaign_id"])
        data = CampaignActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        action = services.campaign_action_create(
            actor=request.user,
            campaign=campaign,
            title=values["title"],
            date=values["date"],
            cpts=values["cpts"],
            commune=values.get("commune"),
            place=values.get("place", ""),
            person_in_charge=params.person(values.get("person_in_charge_id"), field="person_in_charge"),
            resources=values.get("resources", ""),
            tasks=values.get("task_labels", []),
        )
        return Response(CampaignActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionTasksView(APIView):
    @extend_schema(request=ActionTaskSerializer, responses={201: ActionTaskSerializer})
    def post(self, request, action_id):
        action = access_campaign_action(request.user, action_id)
        data = ActionTaskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.action_task_add(actor=request.user, action=action, label=data.validated_data["label"])
        return Response(ActionTaskSerializer(task).data, status=status.HTTP_201_CREATED)


class ActionTaskDetailView(APIView):
    @extend_schema(request=ActionTaskSerializer, responses=ActionTaskSerializer)
    def patch(self, request, task_id):
        task = access_action_task(request.user, task_id)
        data = ActionTaskSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task = services.action_task_set_done(
            actor=request.user, task=task, done=data.validated_data.get("done", False)
        )
        return Response(ActionTaskSerializer(task).data)


class CampaignIndicatorsView(generics.ListCreateAPIView):
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        return selectors.campaign_indicators(access_campaign(self.request.user, self.kwargs["campaign_id"]))

    def create(self, request, *args, **kwargs):
        campaign = access_campaign(request.user, self.kwargs["campaign_id"], for_write=True)
        data = IndicatorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_create(actor=request.user, campaign=campaign, **data.validated_data)
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)


class IndicatorValuesView(generics.ListCreateAPIView):
    """Values reported per CPTS over time; POST reports (or corrects) the value of one CPTS at a date."""

    serializer_class = IndicatorValueSerializer

    def _indicator(self):
        campaign = access_campaign(self.request.user, self.kwargs["campaign_id"])
        indicator = selectors.campaign_indicator(campaign, self.kwargs["indicator_id"])
        if indicator is None:
            raise Http404
        return indicator

    def get_queryset(self):
        return selectors.indicator_values(self._indicator())

    def create(self, request, *args, **kwargs):
        indicator = self._indicator()
        data = IndicatorValueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.indicator_value_report(actor=request.user, indicator=indicator, **data.validated_data)
        return Response(IndicatorValueSerializer(row).data, status=status.HTTP_201_CREATED)


class CampaignDashboardView(APIView):
    """Progress of each indicator against its target, per CPTS and overall (the chart data)."""

    @extend_schema(responses=IndicatorProgressSerializer(many=True))
    def get(self, request, campaign_id):
        campaign = access_campaign(request.user, campaign_id)
        return Response(IndicatorProgressSerializer(selectors.campaign_dashboard(campaign), many=True).data)


class CampaignMaterialsView(APIView):
    @extend_schema(request=CampaignMaterialSerializer, responses={201: CampaignSerializer})
    def post(self, request, campaign_id):
        campaign = access_campaign(request.user, campaign_id)
        data = CampaignMaterialSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = access_document(request.user, data.validated_data["document"])
        services.campaign_add_material(actor=request.user, campaign=campaign, document=document)
        return Response(CampaignSerializer(access_campaign(request.user, campaign.pk)).data, status=201)
