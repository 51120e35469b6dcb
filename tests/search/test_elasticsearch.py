"""The Elasticsearch backend: queries and mappings it builds (no server here); integration tests run
when ELASTICSEARCH_URL is set."""

import json
import os
import re

import pytest

from search.backends.base import Plan, Vocabulary
from search.backends.elasticsearch import build_search, document_body, index_definition
from search.query import Place, SearchQuery
from search.registry import Document, IndexSpec

SPEC = IndexSpec(name="test", sources={}, synonyms={"kine": ["kinesitherapeute"]}, facets=["profession"])
LUNEL = Place(label="Lunel", latitude=43.6756, longitude=4.1358, code="34145")


def test_index_definition_has_french_analysis_and_autocomplete(settings):
    settings.SEARCH_INDEX_PREFIX = "maillage"
    body = index_definition("directory").to_dict()
    analysis = body["settings"]["analysis"]
    french = analysis["analyzer"]["french_text"]
    assert french["filter"] == [
        "french_elision",
        "lowercase",
        "asciifolding",
        "french_stop",
        "french_light_stem",
    ]
    assert analysis["filter"]["french_light_stem"] == {"type": "stemmer", "language": "light_french"}
    assert analysis["filter"]["french_elision"]["type"] == "elision"
    assert analysis["filter"]["autocomplete_edge"] == {"type": "edge_ngram", "min_gram": 2, "max_gram": 20}
    props = body["mappings"]["properties"]
    assert props["location"] == {"type": "geo_point"}
    assert (
        props["suggest"]["analyzer"] == "autocomplete"
        and props["suggest"]["search_analyzer"] == "folded_text"
    )
    assert props["tags"] == {"type": "keyword"}


def test_text_query_with_abbreviation_filters_facets_and_pages():
    query = SearchQuery(
        text="kine",
        filters={"profession": ["70"]},
        flags=["snp"],
        facets=["profession"],
        page=2,
        page_size=10,
    )
    plan = Plan(words=["kine"], groups=[[["kine"], ["kinesitherapeute"]]], place=None, radius_km=None)
    body = build_search(SPEC, query, plan).to_dict()
    must = body["query"]["bool"]["must"]
    assert len(must) == 1 and len(must[0]["bool"]["should"]) == 2  # kine OR kinesitherapeute
    word = must[0]["bool"]["should"][0]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]
    assert word["fuzziness"] == "AUTO" and word["query"] == "kine"
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"tags": ["profession:70"]}} in filters and {"term": {"tags": "snp"}} in filters
    assert body["aggs"]["profession"]["terms"] == {"field": "tags", "include": "profession:.*", "size": 50}
    assert body["from"] == 10 and body["size"] == 10 and body["track_total_hits"] is True


def test_radius_query_filters_and_sorts_by_distance():
    query = SearchQuery(text="", near=LUNEL, radius_km=8)
    plan = Plan(words=[], groups=[], place=LUNEL, radius_km=8)
    body = build_search(SPEC, query, plan).to_dict()
    geo = next(f for f in body["query"]["bool"]["filter"] if "geo_distance" in f)["geo_distance"]
    assert geo["distance"] == "8km" and geo["location"] == {"lat": 43.6756, "lon": 4.1358}
    assert body["sort"][0]["_geo_distance"]["order"] == "asc"
    assert body["sort"][0]["_geo_distance"]["unit"] == "km"


def test_document_body():
    doc = Document(
        kind="professional", object_id=3, title="Hélène", tags=["profession:70"], latitude=1.0, longitude=2.0
    )
    body = document_body(doc)
    assert body["location"] == {"lat": 1.0, "lon": 2.0} and body["suggest"][0] == "Hélène"
    assert "location" not in document_body(Document(kind="x", object_id=1, title="t"))


# Issue 15: the query understanding is shared (search.backends.base.plan_query); what the Elasticsearch
# backend builds from a plan is checked here.
DIRECTORY_LIKE = IndexSpec(
    name="test",
    sources={},
    synonyms={"kine": ["kinesitherapeute"], "infirmiere": ["infirmier"]},
    facets=["profession"],
    ignored=frozenset({"dr", "docteur"}),
    identifier=re.compile(r"^(?:\d{14}|8?\d{11}|0?\d[\da-z]\d{7})$"),
    kind_words={"pharmacie": "structure", "cabinet": "structure"},
    default_kind="professional",
)


@pytest.fixture
def no_places(monkeypatch):
    """Plans built without the commune tables (no database here)."""
    from search import places

    tables = {"names": {"lunel": LUNEL}, "codes": {"34145": LUNEL}, "postal": {"34400": LUNEL_POSTAL}}
    monkeypatch.setattr(places, "_tables", lambda: tables)
    monkeypatch.setattr(
        "search.backends.base.vocabulary",
        lambda spec: Vocabulary(
            complete=frozenset({"kine", "infirmier"}), forms={"infirmieres": "infirmier", "kines": "kine"}
        ),
    )


LUNEL_POSTAL = Place(
    label="34400", latitude=43.6756, longitude=4.1358, code="34400", communes=("34145", "34146")
)


def _plan(text):
    from search.backends.base import plan_query

    return plan_query(DIRECTORY_LIKE, SearchQuery(text=text))


def test_stop_words_titles_and_forms_never_reach_the_query(no_places):
    plan = _plan("Dr infirmières à Lunel")
    assert plan.place == LUNEL and plan.radius_km == 10.0
    assert plan.groups == [[["infirmier"]]]  # "dr" and "à" dropped, the plural folded
    body = build_search(DIRECTORY_LIKE, SearchQuery(text="x"), plan).to_dict()
    words = json.dumps(body["query"])
    assert '"a"' not in words and "dr" not in words and "infirmieres" not in words
    assert "kine" in json.dumps(
        build_search(DIRECTORY_LIKE, SearchQuery(), _plan("kinés près de lunel")).to_dict()
    )


def test_national_ids_are_exact_tag_filters(no_places):
    plan = _plan("kine 10001234567")
    assert plan.identifiers == ["10001234567"] and plan.groups == [[["kine"], ["kinesitherapeute"]]]
    body = build_search(DIRECTORY_LIKE, SearchQuery(), plan).to_dict()
    assert {"terms": {"tags": ["id:10001234567"]}} in body["query"]["bool"]["filter"]


def test_a_postal_code_filters_on_its_communes_without_radius(no_places):
    plan = _plan("kine 34400")
    assert plan.place is LUNEL_POSTAL and plan.radius_km is None
    body = build_search(DIRECTORY_LIKE, SearchQuery(), plan).to_dict()
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"tags": ["commune:34145", "commune:34146"]}} in filters
    assert not any("geo_distance" in f for f in filters)
    assert "_geo_distance" in body["sort"][0]


def test_people_first_on_names_structures_first_on_kinds(no_places):
    people = build_search(DIRECTORY_LIKE, SearchQuery(), _plan("chretien")).to_dict()
    assert {"term": {"kind": {"value": "professional", "boost": 2.0}}} in people["query"]["bool"]["should"]
    kinds = build_search(DIRECTORY_LIKE, SearchQuery(), _plan("pharmacie chretien")).to_dict()
    assert {"term": {"kind": {"value": "structure", "boost": 2.0}}} in kinds["query"]["bool"]["should"]
    assert people["sort"] == ["_score", {"sort_key": {"order": "asc", "missing": "_last"}}]


def test_approximate_plans_match_any_group_and_keep_the_place(no_places):
    from search.backends.base import approximate

    plan = approximate(_plan("infirmiere domicile lunel"))
    body = build_search(DIRECTORY_LIKE, SearchQuery(), plan).to_dict()
    must = body["query"]["bool"]["must"]
    assert len(must) == 1 and must[0]["bool"]["minimum_should_match"] == 1
    assert len(must[0]["bool"]["should"]) == 2  # infirmiere (| infirmier), domicile
    assert any("geo_distance" in f for f in body["query"]["bool"]["filter"])  # the place still filters
    assert body["sort"][0] == "_score" and "_geo_distance" in body["sort"][1]  # most words first
    assert approximate(_plan("kine")) is None  # one group: nothing to relax


def test_empty_query_sorted_by_sort_key():
    plan = Plan(words=[], groups=[], place=None, radius_km=None)
    body = build_search(DIRECTORY_LIKE, SearchQuery(), plan).to_dict()
    assert body["sort"][0] == {"sort_key": {"order": "asc", "missing": "_last"}}


def test_every_place_of_a_document_is_a_location():
    doc = Document(
        kind="professional", object_id=1, title="t", latitude=1.0, longitude=2.0, points=[(3.0, 4.0)]
    )
    assert document_body(doc)["location"] == [{"lat": 1.0, "lon": 2.0}, {"lat": 3.0, "lon": 4.0}]


def test_document_body_carries_display_and_sort_key():
    doc = Document(
        kind="professional", object_id=1, title="t", display={"national_id": "8100"}, sort_key="b a"
    )
    body = document_body(doc)
    assert body["display"] == {"national_id": "8100"} and body["sort_key"] == "b a"
    assert index_definition("x").to_dict()["mappings"]["properties"]["display"] == {
        "type": "object",
        "enabled": False,
    }


@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="needs ELASTICSEARCH_URL")
@pytest.mark.django_db
def test_elasticsearch_integration(settings):
    from search.backends import get_backend

    settings.SEARCH_INDEX_PREFIX = "maillage-test"
    backend = get_backend("elasticsearch")
    backend.clear("test")
    backend.index_documents(
        "test",
        [
            Document(
                kind="professional",
                object_id=1,
                title="Hélène Lefèvre",
                text="Masseur-Kinésithérapeute Lunel",
                tags=["profession:70"],
                latitude=43.6756,
                longitude=4.1358,
            ),
            Document(
                kind="professional",
                object_id=2,
                title="Paul Durand",
                text="Infirmier Sète",
                tags=["profession:60"],
                latitude=43.40,
                longitude=3.69,
            ),
        ],
    )
    backend.refresh("test")
    for text in ("helene lefevre", "Hélène Lefèvre", "helen lefevr", "kine"):
        result = backend.search(SPEC, SearchQuery(text=text, detect_place=False, facets=["profession"]))
        assert [h.object_id for h in result.hits][:1] == [1], text
    near = backend.search(SPEC, SearchQuery(near=LUNEL, radius_km=10, detect_place=False))
    assert [h.object_id for h in near.hits] == [1]
