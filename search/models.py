"""The database backend's index: one denormalised row per indexed object.

Generic: the apps register what they index (search.registry); this table knows nothing about them.
On PostgreSQL the migration adds a stored generated `tsv` column (french configuration over an IMMUTABLE
unaccent wrapper) with a GIN index and a generated `tags_arr` text[] with a GIN index for filters and
facets; typos are corrected against `SearchWord`, the vocabulary of titles.
"""

from django.db import models


class SearchDocument(models.Model):
    index = models.CharField(max_length=50)
    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    # All searchable text as written (accents kept): the PostgreSQL tsvector is generated from it.
    text = models.TextField(blank=True)
    # Lower-case, accent-folded text framed by spaces (" helene lefevre kine lunel "): word-prefix LIKE
    # matching on SQLite.
    folded = models.TextField(blank=True)
    # Folded title for typo-tolerant matching (SQLite; PostgreSQL corrects words against SearchWord).
    name_folded = models.CharField(max_length=300, blank=True)
    # Space-framed "facet:value" tokens (" profession:70 cpts:pays-de-lunel snp ").
    tags = models.TextField(blank=True)
    # Suggestions for autocomplete (folded, space-framed).
    suggest = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Folded, space-framed text matched only for viewers holding one of the document's " scope:… " tags.
    restricted_text = models.TextField(blank=True, default="", db_default="")
    # Shown with a hit, never searched (Document.display), and the order among equals (Document.sort_key).
    display = models.JSONField(default=dict, blank=True)
    sort_key = models.CharField(max_length=300, blank=True, default="", db_default="")
    # The grid cells of every place of the document (search.text.geo_cells): on PostgreSQL they are words
    # of the tsvector, so words and place are matched by one read of its index.
    cells = models.TextField(blank=True, default="", db_default="")
    # How many other places (SearchPoint) the document has: a distance is looked up among them only for
    # the few documents that have some.
    other_places = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "kind", "object_id"], name="one_document_per_object")
        ]
        # The id last: a place's documents are read in id order (the walk over the nearest places collects
        # the same matches as the text read sorted by distance, then id).
        indexes = [models.Index(fields=["index", "latitude", "longitude", "id"], name="search_doc_place")]

    def __str__(self) -> str:
        return f"{self.index}/{self.kind}/{self.object_id}"


class SearchWord(models.Model):
    """Folded title words of an index (names), with a trigram index on PostgreSQL: a mistyped query word
    is corrected against this small table ("lefvre" → "lefevre") instead of comparing it with every
    document. Words are never removed: a stale word only yields no match."""

    index = models.CharField(max_length=50)
    word = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["index", "word"], name="one_word_per_index")]

    def __str__(self) -> str:
        return f"{self.index}/{self.word}"


class SearchPlace(models.Model):
    """Distinct coordinates of an index's documents (entries share their commune's centroid). Nearest-first
    searches walk these places in order of distance and read each place's documents from the
    (index, latitude, longitude) index, stopping as soon as the page and the counts are filled."""

    index = models.CharField(max_length=50)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "latitude", "longitude"], name="one_place_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.index}/{self.latitude},{self.longitude}"


class SearchPoint(models.Model):
    """Another place of a document (a professional's second practice site): the document is found around
    each of its places and measured from the nearest. The first place stays on the document itself."""

    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="points", db_index=False
    )
    index = models.CharField(max_length=50)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["index", "latitude", "longitude", "document"], name="search_point_place"),
            models.Index(fields=["document"], name="search_point_document"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}@{self.latitude},{self.longitude}"
