"""How many other places each document has (`SearchDocument.other_places`): a search around a place looks up
a document's other places only when it has some, instead of probing the SearchPoint index for every match.
Existing rows are counted here."""

from django.db import migrations, models

COUNT = """UPDATE search_searchdocument SET other_places = (
             SELECT count(*) FROM search_searchpoint sp WHERE sp.document_id = search_searchdocument.id)
           WHERE id IN (SELECT document_id FROM search_searchpoint)"""


class Migration(migrations.Migration):
    dependencies = [("search", "0009_walk_in_id_order")]
    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="other_places",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.RunSQL(COUNT, migrations.RunSQL.noop),
    ]
