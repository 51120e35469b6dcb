"""Published results are immutable in the database itself, not only in the services: triggers refuse
any UPDATE of a published poll and any new or changed ballot or participation of a published poll
(deleting a whole federation still cascades). SQLite and PostgreSQL."""

from django.db import migrations

MESSAGE = "governance: published results are immutable"

SQLITE = [
    f"""CREATE TRIGGER governance_poll_published_immutable BEFORE UPDATE ON governance_poll
    WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER governance_ballot_published_insert BEFORE INSERT ON governance_ballot
    WHEN (SELECT status FROM governance_poll WHERE id = NEW.poll_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER governance_ballot_published_update BEFORE UPDATE ON governance_ballot
    WHEN (SELECT status FROM governance_poll WHERE id = OLD.poll_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER governance_participation_published_insert BEFORE INSERT ON governance_participation
    WHEN (SELECT status FROM governance_poll WHERE id = NEW.poll_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER governance_participation_published_update BEFORE UPDATE ON governance_participation
    WHEN (SELECT status FROM governance_poll WHERE id = OLD.poll_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS governance_poll_published_immutable;",
    "DROP TRIGGER IF EXISTS governance_ballot_published_insert;",
    "DROP TRIGGER IF EXISTS governance_ballot_published_update;",
    "DROP TRIGGER IF EXISTS governance_participation_published_insert;",
    "DROP TRIGGER IF EXISTS governance_participation_published_update;",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION governance_refuse_published() RETURNS trigger AS $$
    DECLARE poll_status text;
    BEGIN
      IF TG_TABLE_NAME = 'governance_poll' THEN
        poll_status := OLD.status;
      ELSIF TG_OP = 'INSERT' THEN
        SELECT status INTO poll_status FROM governance_poll WHERE id = NEW.poll_id;
      ELSE
        SELECT status INTO poll_status FROM governance_poll WHERE id = OLD.poll_id;
      END IF;
      IF poll_status = 'published' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER governance_poll_published_immutable BEFORE UPDATE ON governance_poll
    FOR EACH ROW EXECUTE FUNCTION governance_refuse_published();""",
    """CREATE TRIGGER governance_ballot_published_immutable BEFORE INSERT OR UPDATE ON governance_ballot
    FOR EACH ROW EXECUTE FUNCTION governance_refuse_published();""",
    """CREATE TRIGGER governance_participation_published_immutable BEFORE INSERT OR UPDATE
    ON governance_participation FOR EACH ROW EXECUTE FUNCTION governance_refuse_published();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS governance_poll_published_immutable ON governance_poll;",
    "DROP TRIGGER IF EXISTS governance_ballot_published_immutable ON governance_ballot;",
    "DROP TRIGGER IF EXISTS governance_participation_published_immutable ON governance_participation;",
    "DROP FUNCTION IF EXISTS governance_refuse_published();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_meeting_status_label")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
