"""PostgreSQL only: unaccent + pg_trgm, an IMMUTABLE unaccent wrapper, the generated tsvector and tags
array with their GIN indexes, and a trigram index on the folded title. No-op on other databases."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # unaccent() is STABLE (it reads a dictionary); generated columns and indexes need IMMUTABLE.
    """CREATE OR REPLACE FUNCTION maillage_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('french'::regconfig, maillage_unaccent(coalesce(title, ''))), 'A')
         || setweight(to_tsvector('french'::regconfig, maillage_unaccent(coalesce(text, ''))), 'B')
       ) STORED""",
    """ALTER TABLE search_searchdocument ADD COLUMN tags_arr text[] GENERATED ALWAYS AS (
         string_to_array(btrim(tags), ' ')) STORED""",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING gin (tsv)",
    "CREATE INDEX search_doc_tags ON search_searchdocument USING gin (tags_arr)",
    "CREATE INDEX search_doc_name_trgm ON search_searchdocument USING gin (name_folded gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_name_trgm",
    "DROP INDEX IF EXISTS search_doc_tags",
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tags_arr",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
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
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
