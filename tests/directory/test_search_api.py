"""The search API's own work around the search: parameters, answer, authentication, throttling."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from directory import api
from directory.serializers import SearchParamsSerializer

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "",
    "q=+kine+lunel+",
    "q=" + "a" * 201,
    "near=34145&radius=10",
    "near=34145&radius=-3",
    "radius=1e2",
    "lat=43.6",
    "lat=43.6&lon=3.8",
    "lat=91&lon=1",
    "lat=nan&lon=1",
    "page=0",
    "page=2&page_size=101",
    "page=x",
    "kind=structure",
    "kind=x",
    "mode=zz&mode=L",
    "profession=70,10&profession=50",
    "profession=12345678901",
    "cpts=pas+un+slug!",
    "accepts_new_patients=yes&snp=0",
    "snp=peut-etre",
    "commune=123456",
    "unknown=1",
]


def _outcome(validate):
    try:
        return "valid", dict(validate())
    except ValidationError as exc:
        return "invalid", exc.detail


@pytest.mark.parametrize("query", PARAMETERS)
def test_search_parameters_validate_as_with_a_serializer_of_their_own(query):
    request = Request(RequestFactory().get(f"/?{query}"))

    def fresh():
        data = {}
        for key in request.query_params:
            values = request.query_params.getlist(key)
            if key in ("profession", "specialty", "cpts", "commune", "mode"):
                data[key] = [v for value in values for v in value.split(",") if v]
            else:
                data[key] = values[-1]
        serializer = SearchParamsSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    for _ in range(2):  # the shared serializer is the same the second time
        assert _outcome(lambda: api.search_params(request)) == _outcome(fresh)


def test_parameter_errors_are_in_the_language_of_each_request(world, api):
    url = reverse("api-directory-search")
    client = api(world.member_a)
    for language, message in [
        ("fr", "Assurez-vous que cette valeur est supérieure ou égale à\xa01."),
        ("en", "Ensure this value is greater than or equal to 1."),
        ("fr", "Assurez-vous que cette valeur est supérieure ou égale à\xa01."),
    ]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url, {"page": "0", "q": "x" * 201})
        assert response.status_code == 400
        assert response.json()["fields"]["page"] == [message]


def test_result_urls_are_the_entries_pages(world, api, imported):
    answer = api(world.member_a).get(reverse("api-directory-search"), {"q": "lunel"}).json()
    assert answer["results"]
    for hit in answer["results"]:
        route = "directory-professional" if hit["kind"] == "professional" else "directory-structure"
        assert hit["url"] == reverse(route, args=[hit["id"]])


def test_with_a_token_federation_visible_skills_stay_within_the_federation(world, api, imported):
    from rest_framework.authtoken.models import Token

    from directory.models import Professional
    from search import indexing
    from tests.directory.factories import ProfessionalCptsFactory

    pro = Professional.objects.order_by("pk").first()
    ProfessionalCptsFactory(professional=pro, cpts=world.cpts_a)
    Professional.objects.filter(pk=pro.pk).update(skills="Hypnose médicale")
    indexing.index_objects("directory", "professional", [pro.pk])

    def search_as(user):
        client = api()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        response = client.get(reverse("api-directory-search"), {"q": "hypnose"})
        assert response.status_code == 200
        return response.json()

    assert [hit["id"] for hit in search_as(world.member_a)["results"]] == [pro.pk]
    assert [hit["id"] for hit in search_as(world.coordinator_b)["results"]] == [pro.pk]  # same federation
    other_federation = search_as(world.member_c)
    assert other_federation["results"] == [] and other_federation["total"] == 0


def test_the_answer_is_what_its_output_serializer_documents(world, api, imported):
    """The search answer is built as a dict on the hot path; the OpenAPI schema documents it with
    SearchAnswerSerializer: both must agree (every key documented, every documented key present)."""
    from directory.serializers import SearchAnswerSerializer, SearchHitSerializer

    answer = api(world.member_a).get(reverse("api-directory-search"), {"q": "lunel"}).json()
    assert answer["results"]
    assert set(answer) == set(SearchAnswerSerializer().fields)
    assert all(set(hit) == set(SearchHitSerializer().fields) for hit in answer["results"])
    serializer = SearchAnswerSerializer(data=answer)
    assert serializer.is_valid(), serializer.errors


def test_no_untyped_answer_in_the_directory_schema(world, api):
    response = api(world.member_a).get("/api/schema/?format=json")
    schema = response.json()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/directory/"):
            continue
        for method, operation in operations.items():
            for code, answer in operation["responses"].items():
                for content in answer.get("content", {}).values():
                    assert content["schema"] != {"type": "object"}, (path, method, code)
                    assert "additionalProperties" not in content["schema"], (path, method, code)
