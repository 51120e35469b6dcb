"""PostgreSQL only: a GiST index on the position (cube + earthdistance) so that "nearest first" is a
KNN index scan and radius filters use `earth_box`. No-op on other databases."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS cube",
    "CREATE EXTENSION IF NOT EXISTS earthdistance",
    # ll_to_earth() calls cube functions unqualified: pin the search_path so index maintenance works
    # under a restricted one.
    """CREATE OR REPLACE FUNCTION maillage_earth(lat float8, lon float8) RETURNS public.earth
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT SET search_path = public
       AS $$ SELECT public.ll_to_earth(lat, lon) $$""",
    """CREATE INDEX search_doc_earth ON search_searchdocument USING gist (maillage_earth(latitude, longitude))
       WHERE latitude IS NOT NULL AND longitude IS NOT NULL""",
]
BACKWARD = ["DROP INDEX IF EXISTS search_doc_earth", "DROP FUNCTION IF EXISTS maillage_earth(float8, float8)"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_search")]
    operations = [migrations.RunPython(forward, backward)]
