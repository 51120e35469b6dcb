"""The database backend's index: one denormalised row per indexed object.

Generic: the apps register what they index (search.registry); this table knows nothing about them.
On PostgreSQL the migration adds a stored generated `tsv` column (french configuration over an IMMUTABLE
unaccent wrapper) with a GIN index, a generated `tags_arr` text[] with a GIN index for filters and facets,
and a trigram GIN index on `name_folded` for typo-tolerant matching.
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
    # Folded title for trigram similarity (typos).
    name_folded = models.CharField(max_length=300, blank=True)
    # Space-framed "facet:value" tokens (" profession:70 cpts:pays-de-lunel snp ").
    tags = models.TextField(blank=True)
    # Suggestions for autocomplete (folded, space-framed).
    suggest = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "kind", "object_id"], name="one_document_per_object")
        ]
        indexes = [models.Index(fields=["index", "latitude", "longitude"], name="search_doc_geo")]

    def __str__(self) -> str:
        return f"{self.index}/{self.kind}/{self.object_id}"
