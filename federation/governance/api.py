"""Governance API (thin): /api/governance/federations/<federation_slug>/...

Reads are open to the federation's participants (another federation → 404); managing is for the
federation's coordinators/admins and the bureau (→ 403 otherwise); voting is for delegates (→ 403).
Errors are the project's one shape (`federation.api_base.exception_handler`). The sub-domains' views
live in `<sub-domain>/api.py`; this module holds their common base, the overview and the audit log.
"""

from functools import cached_property

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.governance import selectors
from federation.governance.access import access_governance, can_manage_governance
from federation.governance.serializers import (
    AuditEntrySerializer,
    BureauMandateSerializer,
    DelegateSerializer,
    StatutesSerializer,
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class GovernanceScopedMixin:
    """`self.federation` from the `federation_slug` URL kwarg, checked for the user; writes need a
    governance manager unless the view says otherwise (`write_requires_manager = False`)."""

    permission_classes = [permissions.IsAuthenticated]
    write_requires_manager = True

    @cached_property
    def federation(self):
        for_write = self.write_requires_manager and self.request.method in WRITE_METHODS
        return access_governance(self.request.user, self.kwargs["federation_slug"], for_write=for_write)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.federation  # noqa: B018 — resolve (404/403) before any handler runs


OverviewSerializer = inline_serializer(
    "GovernanceOverview",
    {
        "federation": serializers.CharField(),
        "statutes": StatutesSerializer(),
        "bureau": BureauMandateSerializer(many=True),
        "delegates": DelegateSerializer(many=True),
        "can_manage": serializers.BooleanField(),
    },
)


class OverviewView(GovernanceScopedMixin, APIView):
    """Statutes settings, bureau in office and delegates of a federation."""

    @extend_schema(responses=OverviewSerializer)
    def get(self, request, federation_slug):
        return Response(
            {
                "federation": self.federation.name,
                "statutes": StatutesSerializer(selectors.statutes_of(self.federation)).data,
                "bureau": BureauMandateSerializer(selectors.bureau(self.federation), many=True).data,
                "delegates": DelegateSerializer(selectors.active_delegates(self.federation), many=True).data,
                "can_manage": can_manage_governance(request.user, self.federation),
            }
        )


class AuditListView(GovernanceScopedMixin, generics.ListAPIView):
    """The hash-chained audit log (governance managers only)."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        if not can_manage_governance(self.request.user, self.federation):
            raise PermissionDenied
        return selectors.audit_entries(self.federation)
