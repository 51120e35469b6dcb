"""The `elasticsearch` backend, built with elasticsearch-dsl.

French analysis (elision, lower case, ASCII folding, French stop words, light stemming); an edge n-gram
sub-field for autocomplete; `geo_distance` filter and sort; facets as terms aggregations over the tags.
Abbreviations are expanded by the shared planner (search.text.expand), like the database backend.
The builders (`index_definition`, `build_search`) are pure and unit-tested; talking to a server
needs ELASTICSEARCH_URL.
"""

from collections.abc import Iterable

from django.conf import settings
from elasticsearch_dsl import Index, Mapping, Q, Search, analyzer, token_filter, tokenizer

from search.backends.base import Plan, SearchBackend, approximate, plan_query, scope_tags, text_only
from search.query import SearchHit, SearchQuery, SearchResult
from search.registry import Document, IndexSpec
from search.text import fold

french_elision = token_filter(
    "french_elision",
    type="elision",
    articles_case=True,
    articles=["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
)
french_stop = token_filter("french_stop", type="stop", stopwords="_french_")
french_light_stem = token_filter("french_light_stem", type="stemmer", language="light_french")
autocomplete_edge = token_filter("autocomplete_edge", type="edge_ngram", min_gram=2, max_gram=20)

french_text = analyzer(
    "french_text",
    tokenizer="standard",
    filter=[french_elision, "lowercase", "asciifolding", french_stop, french_light_stem],
)
folded_text = analyzer("folded_text", tokenizer="standard", filter=["lowercase", "asciifolding"])
autocomplete = analyzer(
    "autocomplete",
    tokenizer=tokenizer("autocomplete_words", type="standard"),
    filter=["lowercase", "asciifolding", autocomplete_edge],
)

MAPPINGS = {
    "properties": {
        "kind": {"type": "keyword"},
        "object_id": {"type": "long"},
        "title": {
            "type": "text",
            "analyzer": "french_text",
            "fields": {
                "folded": {"type": "text", "analyzer": "folded_text"},
                "sort": {"type": "keyword"},
            },
        },
        "subtitle": {"type": "keyword", "index": False},
        "text": {"type": "text", "analyzer": "french_text"},
        "restricted": {"type": "text", "analyzer": "french_text"},
        "suggest": {"type": "text", "analyzer": "autocomplete", "search_analyzer": "folded_text"},
        "tags": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "display": {"type": "object", "enabled": False},
        "sort_key": {"type": "keyword"},
    }
}


def index_name(spec_name: str) -> str:
    return f"{settings.SEARCH_INDEX_PREFIX}-{spec_name}"


def index_definition(spec_name: str) -> Index:
    index = Index(index_name(spec_name))
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.analyzer(french_text)
    index.analyzer(folded_text)
    index.analyzer(autocomplete)
    mapping = Mapping()
    for name, definition in MAPPINGS["properties"].items():
        mapping.field(name, dict(definition))
    index.mapping(mapping)
    return index


def document_body(doc: Document) -> dict:
    body = {
        "kind": doc.kind,
        "object_id": doc.object_id,
        "title": doc.title,
        "subtitle": doc.subtitle,
        "text": doc.text,
        "restricted": doc.restricted_text,
        "suggest": [doc.title, *doc.suggest],
        "tags": [*doc.tags, *(scope_tags(doc.restricted_scopes) if doc.restricted_text else [])],
        "display": doc.display,
        "sort_key": doc.sort_key,
    }
    if doc.latitude is not None and doc.longitude is not None:
        body["location"] = {"lat": doc.latitude, "lon": doc.longitude}
        if doc.points:
            # Every place: geo_distance matches any, the distance sort takes the nearest (mode min).
            body["location"] = [body["location"], *({"lat": la, "lon": lo} for la, lo in doc.points)]
    return body


def _word_query(word: str, scopes: list[str]) -> Q:
    # A word matches as typed (stemmed), as a prefix, or with typos on the folded title; in restricted
    # text only for documents of the viewer's scopes.
    should = [
        Q("multi_match", query=word, fields=["title^3", "text"], fuzziness="AUTO", prefix_length=1),
        Q("match_phrase_prefix", **{"title.folded": {"query": word}}),
        Q("match", suggest={"query": word}),
    ]
    if scopes:
        should.append(
            Q(
                "bool",
                must=[Q("match", restricted={"query": word, "fuzziness": "AUTO", "prefix_length": 1})],
                filter=[Q("terms", tags=scope_tags(scopes))],
            )
        )
    return Q("bool", should=should, minimum_should_match=1)


def build_search(spec: IndexSpec, query: SearchQuery, plan: Plan) -> Search:
    """The elasticsearch-dsl Search for this query (no server needed to build it)."""
    search = Search(index=index_name(spec.name))
    groups = []
    for alternatives in plan.groups:
        options = [
            Q("bool", must=[_word_query(w, query.scopes) for w in alternative])
            for alternative in alternatives
        ]
        groups.append(options[0] if len(options) == 1 else Q("bool", should=options, minimum_should_match=1))
    filters = []
    if query.kinds:
        filters.append(Q("terms", kind=list(query.kinds)))
    for facet, values in plan.filters(query).items():
        if values:
            filters.append(Q("terms", tags=[f"{facet}:{v}" for v in values]))
    for flag in query.flags:
        filters.append(Q("term", tags=flag))
    if plan.place is not None:
        point = {"lat": plan.place.latitude, "lon": plan.place.longitude}
        filters.append(Q("exists", field="location"))
        if plan.radius_km:
            filters.append(Q("geo_distance", distance=f"{plan.radius_km}km", location=point))
    should = []
    if plan.kind_first and groups:
        # The kind the words name (or people, for names) first among equally relevant documents.
        should.append(Q("term", kind={"value": plan.kind_first, "boost": 2.0}))
    if plan.approximate:
        # Any group may match; each one matched adds to the score, so the most words matched rank first.
        must = [Q("bool", should=groups, minimum_should_match=1)]
    else:
        must = groups or [Q("match_all")]
    query_body = Q("bool", must=must, should=should, filter=filters)
    tie = {"sort_key": {"order": "asc", "missing": "_last"}}
    if plan.place is not None:
        distance = {
            "_geo_distance": {"location": point, "order": "asc", "unit": "km", "distance_type": "arc"}
        }
        sort = ["_score", distance, tie] if plan.approximate else [distance, "_score", tie]
        search = search.sort(*sort)
    elif groups:
        search = search.sort("_score", tie)
    else:
        search = search.sort(tie, "title.sort")
    search = search.query(query_body)
    for facet in query.facets:
        search.aggs.bucket(facet, "terms", field="tags", include=f"{facet}:.*", size=50)
    search = search.extra(track_total_hits=True, from_=query.offset, size=query.page_size)
    return search


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self):
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(settings.ELASTICSEARCH_URL)
        return self._client

    def ensure_index(self, spec_name: str) -> None:
        index = index_definition(spec_name)
        if not index.exists(using=self.client):
            index.create(using=self.client)

    def index_documents(self, index: str, documents: Iterable[Document]) -> int:
        from elasticsearch.helpers import bulk

        self.ensure_index(index)
        actions = (
            {
                "_index": index_name(index),
                "_id": f"{doc.kind}-{doc.object_id}",
                "_source": document_body(doc),
            }
            for doc in documents
        )
        done, _errors = bulk(self.client, actions, chunk_size=1000, refresh=False)
        return done

    def delete_documents(self, index: str, kind: str, object_ids: Iterable[int]) -> int:
        from elasticsearch.helpers import bulk

        actions = (
            {"_op_type": "delete", "_index": index_name(index), "_id": f"{kind}-{object_id}"}
            for object_id in object_ids
        )
        done, _errors = bulk(self.client, actions, raise_on_error=False)
        return done

    def clear(self, index: str) -> None:
        definition = index_definition(index)
        definition.delete(using=self.client, ignore_unavailable=True)
        definition.create(using=self.client)

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index_name(index))

    def search(self, spec: IndexSpec, query: SearchQuery) -> SearchResult:
        plan = plan_query(spec, query)
        result = self._run(spec, query, plan)
        if result.total == 0 and plan.place_from_text:
            again = self._run(spec, query, text_only(plan, query, spec))
            if again.total:
                return again
        if result.total == 0 and (relaxed := approximate(plan)) is not None:
            result = self._run(spec, query, relaxed)
        return result

    def _run(self, spec: IndexSpec, query: SearchQuery, plan: Plan) -> SearchResult:
        response = build_search(spec, query, plan).using(self.client).execute()
        hits = []
        for hit in response.hits:
            distance = None
            if plan.place is not None and getattr(hit.meta, "sort", None):
                distance = round(float(hit.meta.sort[1 if plan.approximate else 0]), 2)
            location = getattr(hit, "location", None)
            if location is not None and not hasattr(location, "get"):  # several places: the first
                location = location[0]
            hits.append(
                SearchHit(
                    kind=hit.kind,
                    object_id=int(hit.object_id),
                    title=hit.title,
                    subtitle=getattr(hit, "subtitle", ""),
                    score=float(hit.meta.score or 0),
                    distance_km=distance,
                    latitude=location["lat"] if location else None,
                    longitude=location["lon"] if location else None,
                    display=getattr(hit, "display", None) and hit.display.to_dict() or {},
                )
            )
        facets = {}
        for facet in query.facets:
            buckets = getattr(response.aggregations, facet).buckets
            facets[facet] = [(b.key.partition(":")[2], b.doc_count) for b in buckets]
        return SearchResult(
            hits=hits,
            total=response.hits.total.value,
            facets=facets,
            place=plan.place,
            fuzzy=False,
            approximate=plan.approximate,
            radius_km=plan.radius_km if plan.place is not None else None,
        )

    def suggest(self, spec: IndexSpec, prefix: str, limit: int = 8) -> list[str]:
        if len(fold(prefix)) < 2:
            return []
        search = (
            Search(index=index_name(spec.name))
            .query(Q("match", suggest={"query": prefix, "operator": "and"}))
            .source(["title"])
            .extra(size=limit)
        )
        response = search.using(self.client).execute()
        return list(dict.fromkeys(hit.title for hit in response.hits))[:limit]
