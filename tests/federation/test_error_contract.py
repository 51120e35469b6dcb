"""The API's one error shape (federation/errors.py): every kind of error answers {detail, code, fields}."""

import pytest
from django.urls import reverse

from federation.errors import ServiceError, service_error_body

SHAPE = {"detail", "code", "fields"}


def _shape(response):
    body = response.json()
    assert set(body) == SHAPE, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and isinstance(body["fields"], dict)
    return body


def test_a_service_error_keeps_its_message_code_and_field():
    plain = service_error_body(ServiceError("Créneau complet.", code="shift_full"))
    assert plain == {"detail": "Créneau complet.", "code": "shift_full", "fields": {}}
    tied = service_error_body(ServiceError("Commune inconnue.", code="unknown_commune", field="near"))
    assert tied == {
        "detail": "Commune inconnue.",
        "code": "unknown_commune",
        "fields": {"near": ["Commune inconnue."]},
    }


def test_a_service_error_through_the_api(world, api):
    url = reverse("api-cpts-territory", kwargs={"cpts_slug": world.cpts_a.slug})
    response = api(world.coordinator_a).post(url, {"add": ["00000"]}, format="json")
    assert response.status_code == 400
    _shape(response)


def test_a_field_error_of_a_serializer(world, api):
    response = api(world.coordinator_a).post(reverse("api-token"), {}, format="json")
    assert response.status_code == 400
    body = _shape(response)
    assert body["code"]


def test_a_body_that_is_not_json_is_a_french_400(world, api):
    client = api(world.coordinator_a)
    url = reverse("api-cpts-territory", kwargs={"cpts_slug": world.cpts_a.slug})
    response = client.post(url, "{pas du json", content_type="application/json")
    assert response.status_code == 400
    body = _shape(response)
    assert body["code"] == "parse_error" and "JSON valide" in body["detail"]


@pytest.mark.parametrize("user", ["outsider", None])
def test_not_found_forbidden_and_unauthenticated_share_the_shape(world, api, user):
    client = api(getattr(world, user) if user else None)
    response = client.get(reverse("api-cpts-detail", kwargs={"cpts_slug": world.cpts_a.slug}))
    assert response.status_code in (401, 403, 404)
    assert _shape(response)["code"] in {"not_found", "not_authenticated", "authentication_failed"}


def test_an_api_url_that_matches_nothing_answers_json(world, api):
    response = api(world.member_a).get("/api/nulle-part/%C2%90/")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_a_write_without_the_right_is_a_403_in_the_shape(world, api):
    url = reverse("api-cpts-territory", kwargs={"cpts_slug": world.cpts_a.slug})
    response = api(world.member_a).post(url, {"add": []}, format="json")
    assert response.status_code == 403
    assert _shape(response)["code"] == "permission_denied"
