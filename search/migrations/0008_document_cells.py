"""The grid cells of a document's places (search.text.geo_cells) become words of its tsvector: a search
around a place reads the matches in the cells covering its circle from the one GIN index, instead of every
match of the country. Existing rows get their cells here (the same formula in SQL); on PostgreSQL the
generated tsvector is redefined (a generated column's expression cannot be altered: dropped and added
again, with its index)."""

from django.db import migrations, models

CELL = "'zg' || floor(({lat} + 90) * 10)::int || 'z' || floor(({lon} + 180) * 10)::int"
TSV = """ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('french'::regconfig, maillage_unaccent(coalesce(title, ''))), 'A')
         || setweight(to_tsvector('french'::regconfig, maillage_unaccent(coalesce(text, ''))), 'B'){cells}
       ) STORED"""
FORWARD = [
    # The tsvector goes first: the backfill would compute it again for every row.
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN tsv",
    f"""UPDATE search_searchdocument d SET cells = c.cells FROM (
          SELECT id, array_to_string(ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[{CELL.format(lat="d2.latitude", lon="d2.longitude")}]
            || ARRAY(SELECT {CELL.format(lat="sp.latitude", lon="sp.longitude")} FROM search_searchpoint sp
                     WHERE sp.document_id = d2.id)) x WHERE x IS NOT NULL ORDER BY x), ' ') AS cells
          FROM search_searchdocument d2) c
        WHERE c.id = d.id AND c.cells <> ''""",
    TSV.format(cells="\n         || to_tsvector('simple'::regconfig, coalesce(cells, ''))"),
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING gin (tsv)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN tsv",
    TSV.format(cells=""),
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING gin (tsv)",
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
    dependencies = [("search", "0007_document_points")]
    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="cells",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.RunPython(forward, backward),
    ]
