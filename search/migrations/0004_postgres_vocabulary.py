"""PostgreSQL only: typos are corrected against the vocabulary (trigram index on SearchWord.word) rather
than by trigram similarity over every document title; the per-document trigram index goes (it was the
largest index and slowed every insert); statistics of the coordinates. No-op on other databases."""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS search_doc_name_trgm",
    "CREATE INDEX search_word_trgm ON search_searchword USING gin (word gin_trgm_ops)",
    # Documents crowd on their communes' centroids: multivariate statistics of the coordinates let the
    # planner estimate how many documents a box holds (independent columns underestimate a city 100x).
    "CREATE STATISTICS search_doc_point (mcv) ON latitude, longitude FROM search_searchdocument",
    "ALTER STATISTICS search_doc_point SET STATISTICS 300",
    # Documents indexed before this migration: their words and places.
    """INSERT INTO search_searchword (index, word)
       SELECT DISTINCT d.index, w FROM search_searchdocument d,
         regexp_split_to_table(lower(maillage_unaccent(d.title)), '[^a-z0-9]+') w
       WHERE length(w) BETWEEN 2 AND 100 ON CONFLICT DO NOTHING""",
    """INSERT INTO search_searchplace (index, latitude, longitude)
       SELECT DISTINCT index, latitude, longitude FROM search_searchdocument
       WHERE latitude IS NOT NULL AND longitude IS NOT NULL ON CONFLICT DO NOTHING""",
]
BACKWARD = [
    "DROP STATISTICS IF EXISTS search_doc_point",
    "DROP INDEX IF EXISTS search_word_trgm",
    "CREATE INDEX search_doc_name_trgm ON search_searchdocument USING gin (name_folded gin_trgm_ops)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vocabulary_and_places")]
    operations = [migrations.RunPython(forward, backward)]
