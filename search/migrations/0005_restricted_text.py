"""Restricted text: matched only for viewers in its scopes. On PostgreSQL a partial index on the few
documents that carry some lets a search OR them in cheaply (their tsvector is computed on the fly)."""

from django.db import migrations, models


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_doc_restricted ON search_searchdocument (index) WHERE restricted_text <> ''"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_doc_restricted")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_vocabulary")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="restricted_text",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.RunPython(forward, backward),
    ]
