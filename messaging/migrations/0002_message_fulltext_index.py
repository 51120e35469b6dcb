"""French full-text GIN index on message bodies, PostgreSQL only (other databases fall back to icontains)."""

from django.db import migrations

INDEX_NAME = "message_body_fts_fr"


def _index():
    from django.contrib.postgres.indexes import GinIndex

    from messaging.models import SEARCH_VECTOR

    return GinIndex(SEARCH_VECTOR, name=INDEX_NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("messaging", "Message"), _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("messaging", "Message"), _index())


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
