"""The Elasticsearch backend: queries and mappings it builds (no server here); integration tests run
when ELASTICSEARCH_URL is set."""

import os

import pytest

from search.backends.base import Plan
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
