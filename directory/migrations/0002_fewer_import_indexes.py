"""Indexes the directory never reads, each one written for every imported line (about 8 % of
PostgreSQL's time in a national import):

- the site's own index on its professional: the unique (professional, source_key) constraint starts with it;
- on PostgreSQL, the `varchar_pattern_ops` copies Django adds to indexed text keys for LIKE 'x%' lookups
  (national id, codes, source ids), which nothing does, and the specialty link's index on its
  professional, which its unique (professional, specialty) constraint covers.
"""

from django.db import migrations, models

REDUNDANT = {
    "directory_professional": ["national_id", "profession_id"],
    "directory_practicesite": ["commune_id"],
    "directory_structure": ["commune_id", "source_id"],
    "directory_professional_specialties": ["specialty_id"],
}


def drop_redundant(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # (table, how its index definition ends): the pattern copies, then the link's professional index.
    redundant = [(t, f"({c} varchar_pattern_ops)") for t, columns in REDUNDANT.items() for c in columns]
    redundant.append(("directory_professional_specialties", "btree (professional_id)"))
    with schema_editor.connection.cursor() as cursor:
        for table, definition_end in redundant:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [table, f"%{definition_end}"],
            )
            for (name,) in cursor.fetchall():
                schema_editor.execute(f'DROP INDEX "{name}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in REDUNDANT.items():
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX "{table[:40]}_{column}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
            )
    schema_editor.execute(
        'CREATE INDEX "directory_professional_specialties_pro_id" ON "directory_professional_specialties"'
        ' ("professional_id")'
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="practicesite",
            name="professional",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="sites",
                to="directory.professional",
            ),
        ),
        migrations.RunPython(drop_redundant, restore),
    ]
