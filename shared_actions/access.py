"""Who may see and change the pooled resources: the spaces a user takes part in (`Scope`) and the one
lookup every access helper of the sub-domains goes through (`resolve`).

"Not yours" and "does not exist" both raise Http404; a user who may see but not change something
gets PermissionDenied (403). `Scope` gathers, in a few queries, the spaces a user takes part in.
The helpers themselves live with their sub-domain (`documents/access.py`, `rosters/access.py`, ...).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from federation.access import access_federation
from federation.models import (
    CPTS_MANAGER_ROLES,
    FEDERATION_MANAGER_ROLES,
    Cpts,
    Federation,
    FederationMember,
    FederationRole,
    Membership,
    User,
)

M = TypeVar("M", bound=Model)


@dataclass
class Scope:
    """The spaces a user belongs to, computed lazily (one query per attribute, cached)."""

    user: User

    @property
    def is_staff(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_staff)

    @cached_property
    def _memberships(self) -> list[tuple[int, str]]:
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.filter(user=self.user).values_list("cpts_id", "role"))

    @cached_property
    def cpts_ids(self) -> set[int]:
        return {cpts_id for cpts_id, _role in self._memberships}

    @cached_property
    def managed_cpts_ids(self) -> set[int]:
        return {cpts_id for cpts_id, role in self._memberships if role in CPTS_MANAGER_ROLES}

    @cached_property
    def _federation_roles(self) -> list[tuple[int, str]]:
        if not self.user.is_authenticated:
            return []
        return list(FederationRole.objects.filter(user=self.user).values_list("federation_id", "role"))

    @cached_property
    def managed_federation_ids(self) -> set[int]:
        return {fed for fed, role in self._federation_roles if role in FEDERATION_MANAGER_ROLES}

    @cached_property
    def partner_federation_ids(self) -> set[int]:
        return {fed for fed, role in self._federation_roles if role == FederationRole.Role.PARTNER_DELEGATE}

    @cached_property
    def member_federation_ids(self) -> set[int]:
        """Federations the user's CPTS belong to today."""
        if not self.cpts_ids:
            return set()
        return set(
            FederationMember.objects.filter(cpts_id__in=self.cpts_ids, left_on__isnull=True).values_list(
                "federation_id", flat=True
            )
        )

    @cached_property
    def federation_ids(self) -> set[int]:
        """Every federation the user takes part in (CPTS member, federation staff, partner delegate)."""
        return self.member_federation_ids | self.managed_federation_ids | self.partner_federation_ids

    def manages_cpts(self, cpts_id: int | None) -> bool:
        return self.is_staff or cpts_id in self.managed_cpts_ids

    def manages_federation(self, federation_id: int | None) -> bool:
        return self.is_staff or federation_id in self.managed_federation_ids


def scope_of(user: User) -> Scope:
    return Scope(user)


def resolve(
    user: User,
    queryset: QuerySet[M],
    pk: int,
    visible: Callable[[Scope], Q],
    *,
    for_write: bool = False,
    can_write: Callable[[Scope, M], bool] | None = None,
) -> M:
    """The row `pk` of `queryset` if `user` sees it (`visible(scope)` filters what a user sees; staff see
    everything). The skeleton of every access helper of this app.

    Raises Http404 for an anonymous user, a row that does not exist or one outside what the user sees;
    with `for_write`, PermissionDenied unless `can_write(scope, row)`.
    """
    if not user.is_authenticated:
        raise Http404
    scope = scope_of(user)
    if not scope.is_staff:
        queryset = queryset.filter(visible(scope))
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    if for_write and (can_write is None or not can_write(scope, row)):
        raise PermissionDenied
    return row


def visible_to(user: User, queryset: QuerySet[M], visible: Callable[[Scope], Q]) -> QuerySet[M]:
    """`queryset` limited to what `user` sees (nothing for an anonymous user, everything for staff)."""
    if not user.is_authenticated:
        return queryset.none()
    scope = scope_of(user)
    return queryset if scope.is_staff else queryset.filter(visible(scope))


def access_owner(user: User, value: str) -> tuple[Cpts | None, Federation | None]:
    """The owner chosen in a form ("cpts:<id>" among the user's CPTS, or "federation:<id>" the user
    takes part in): (cpts, None) or (None, federation). Http404 for anything else. Whether the user may
    create there is the service's decision."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        raise Http404
    if kind == "cpts":
        mine = Cpts.objects.all() if user.is_staff else Cpts.objects.filter(memberships__user=user)
        cpts = mine.filter(pk=pk).first()
        if cpts is None:
            raise Http404
        return cpts, None
    if kind == "federation":
        federation = Federation.objects.filter(pk=pk).first()
        if federation is None:
            raise Http404
        return None, access_federation(user, federation.slug)
    raise Http404
