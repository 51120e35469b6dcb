"""The cross-tenant probe's machinery: every operation of the OpenAPI schema, its path filled with the
OTHER tenant's ids and slugs, a plausible body built from the schema, and the rows it points at."""

import datetime as dt
import re
from dataclasses import dataclass

from django.apps import apps
from django.forms.models import model_to_dict
from django.utils import timezone

from federation import tokens

METHODS = ("get", "post", "put", "patch", "delete")
PARAM = re.compile(r"{(\w+)}")
# The apps whose rows a refused write must leave as they were.
PROJECT_APPS = (
    "authtoken",
    "federation",
    "governance",
    "directory",
    "shared_actions",
    "messaging",
    "missions",
    "projet",
)


@dataclass
class Operation:
    method: str
    path: str  # template, e.g. /api/cpts/{cpts_slug}/
    params: list
    body: dict | None
    multipart: bool

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(spec) -> list[Operation]:
    found = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body, multipart = None, False
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                body = sample(content["application/json"]["schema"], spec)
            elif "multipart/form-data" in content:
                body, multipart = sample(content["multipart/form-data"]["schema"], spec), True
                body = {k: v for k, v in (body or {}).items() if not isinstance(v, (dict, list))}
            found.append(Operation(method, path, PARAM.findall(path), body, multipart))
    return found


def sample(node, spec, depth=0):
    """A plausible value for a JSON schema node (every writable property filled)."""
    if depth > 4 or node is None:
        return None
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return sample(spec["components"]["schemas"][name], spec, depth + 1)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            options = [n for n in node[key] if n.get("type") != "null"]
            return sample(options[0], spec, depth + 1) if options else None
    if "enum" in node:
        values = [v for v in node["enum"] if v not in (None, "")]
        return values[0] if values else None
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in node:
        return {
            name: sample(prop, spec, depth + 1)
            for name, prop in node.get("properties", {}).items()
            if not prop.get("readOnly") and prop.get("format") != "binary"
        }
    if kind == "array":
        item = sample(node.get("items", {}), spec, depth + 1)
        return [] if item is None else [item]
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date":
            return (timezone.localdate() + dt.timedelta(days=10)).isoformat()
        if fmt == "date-time":
            return (timezone.now() + dt.timedelta(days=10)).isoformat()
        if fmt == "email":
            return "sonde@example.org"
        if fmt == "uri":
            return "https://example.org/"
        if fmt == "decimal":
            return "1.00"
        return "Sonde"
    return None


# What each {parameter} becomes, given the operation's path: (kind of object, attribute) or a constant.
ACTIONS = (
    ("/governance/federations/{federation_slug}/meetings/", "convene"),
    ("/governance/federations/{federation_slug}/polls/", "open"),
    ("/register/", "accept"),
    ("/swaps/", "approve"),
)
ID_KINDS = (
    ("/api/directory/professionals/", "professional"),
    ("/api/directory/cpts/", "professional"),
    ("/api/directory/structures/", "structure"),
    ("/api/messaging/conversations/", "conversation"),
    ("/api/messaging/messages/", "message"),
    ("/api/missions/indicators/", "indicator"),
    ("/api/missions/review-packs/", "review_pack"),
)
SIMPLE = {
    "invitation_id": "invitation",
    "delegate_id": "delegate",
    "fee_id": "fee",
    "poll_id": "poll",
    "proxy_id": "proxy",
    "fiche_id": "fiche",
    "member_id": "register_member",
    "assignment_id": "assignment",
    "action_id": "campaign_action",
    "campaign_id": "campaign",
    "indicator_id": "campaign_indicator",
    "document_id": "document",
    "feed_id": "feed",
    "roster_id": "roster",
    "shift_id": "shift",
    "swap_id": "swap",
    "task_id": "task",
}


# Path parameters that are not object ids: under one's own slug they designate one's own rows.
NOT_IDS = {"cpts_slug", "federation_slug", "year", "number", "fmt", "action"}


class NotFillableError(Exception):
    """An operation the probe cannot fill for this tenant (the reason is the message)."""


def fill(op: Operation, tenant, scope=None) -> tuple[str, list]:
    """The URL with the tenant's ids, and the rows it designates. With `scope` (the caller's own tenant),
    the slugs are the caller's and only the ids are the other tenant's: a foreign id under one's own CPTS
    or federation must not be found either."""
    o, url, rows = tenant.objects, op.path, []
    scope = scope or tenant
    for name in op.params:
        instance = None
        if name == "cpts_slug":
            instance, value = scope.cpts, scope.cpts.slug
        elif name == "federation_slug":
            instance, value = scope.fed, scope.fed.slug
        elif name == "meeting_id" and "{proxy_id}" in op.path:
            instance = o["proxy_meeting"]
            value = instance.pk
        elif name == "meeting_id":
            instance = o["gov_meeting"] if "/governance/" in op.path else o["sa_meeting"]
            value = instance.pk
        elif name == "user_id":
            instance, value = tenant.member, tenant.member.pk
        elif name == "token_id":
            instance, value = tenant.token, tokens.token_public_id(tenant.token)
        elif name == "year":
            value = 1
        elif name == "number":
            value = 1
        elif name == "fmt":
            value = "xlsx"
        elif name == "action":
            value = next((a for prefix, a in ACTIONS if prefix in op.path), None)
            if value is None:
                raise NotFillableError(f"no known action for {op.path}")
        elif name == "id":
            kind = next((k for prefix, k in ID_KINDS if op.path.startswith(prefix)), None)
            if kind is None:
                raise NotFillableError("no tenant object behind {id} (staff-only import runs)")
            instance = o[kind]
            value = instance.pk
        elif name == "member_id" and "/governance/" in op.path:
            instance = tenant.fed.members.get(cpts=tenant.cpts)
            value = instance.pk
        elif name in SIMPLE:
            instance = o[SIMPLE[name]]
            value = instance.pk
        else:
            raise NotFillableError(f"no object of the tenant for {{{name}}}")
        url = url.replace("{" + name + "}", str(value), 1)
        if instance is not None:
            rows.append(instance)
    return url, rows


def row_state(instances) -> list:
    """model_to_dict of each designated row, read again from the database (None once deleted)."""
    state = []
    for instance in instances:
        fresh = type(instance).objects.filter(pk=instance.pk).first()
        state.append(None if fresh is None else model_to_dict(fresh))
    return state


# Audit trails that a refused request may rightly add to.
AUDIT_MODELS = {"federation.SecurityEvent"}


def row_counts() -> dict:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and not model._meta.proxy
        and model._meta.label not in AUDIT_MODELS
    }
