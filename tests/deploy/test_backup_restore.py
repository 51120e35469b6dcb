"""Round trip of deploy/backup.sh and deploy/restore.sh on a populated database and media folder.

The scripts run as subprocesses against a scratch database of their own, never the pytest-django test database:
- SQLite (always): a file in tmp_path, migrated and populated, in WAL mode;
- PostgreSQL (when DATABASE_URL is PostgreSQL): a scratch database `maillage_backup_test_<random>` created on the
  same server and dropped at the end, whatever happens.
Each test migrates the real schema, adds rows (Django users and a table of awkward types), backs up, damages
or wipes database and media, restores and checks that schema, rows, sequences and files are equal.
"""

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"
CREATE_USERS = (
    "from django.contrib.auth import get_user_model\n"
    "User = get_user_model()\n"
    "for i in range(5):\n"
    "    User.objects.create_user(email=f'sauvegarde{i}@example.org', password='Mot-de-passe-123')\n"
)


def env_for(database_url: str, media: Path) -> dict[str, str]:
    """Environment of the scripts: only our scratch database and media folder (no secrets inherited)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "MEDIA_ROOT", "S3_BUCKET"} and not key.startswith("PYTEST_")
    }
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    env.pop("REDIS_URL", None)
    return env


def run(args: list, env: dict, *, ok: bool = True, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, stdin=stdin
    )
    if ok:
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env)


def populate_media(media: Path) -> None:
    (media / "documents" / "cpts-alpha").mkdir(parents=True)
    (media / "documents" / "cpts-alpha" / "procès-verbal AG 2026.pdf").write_bytes(
        b"%PDF-1.7\n" + os.urandom(4096)
    )
    (media / "documents" / "cpts-alpha" / "vide.txt").write_bytes(b"")
    (media / "pieces-jointes").mkdir()
    (media / "pieces-jointes" / "photo.png").write_bytes(os.urandom(70_000))
    (media / ".cache-file").write_text("hidden files are kept too", encoding="utf-8")


def media_tree(media: Path) -> dict[str, str]:
    return {
        str(path.relative_to(media)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media.rglob("*"))
        if path.is_file()
    } | {str(path.relative_to(media)) + "/": "dir" for path in media.rglob("*") if path.is_dir()}


def damage_media(media: Path) -> None:
    shutil.rmtree(media / "documents")
    (media / "pieces-jointes" / "photo.png").write_bytes(b"overwritten")
    (media / "intrus.txt").write_text("must disappear", encoding="utf-8")


def backup(env: dict, destination: Path) -> Path:
    result = run([BACKUP, destination], env)
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert folder.parent == destination and folder.name.startswith("maillage-")
    assert not list(destination.glob("*.partial"))
    assert (folder / "SHA256SUMS").is_file() and (folder / "media.tar.gz").is_file()
    assert oct(folder.stat().st_mode & 0o777) == "0o700", "backups hold personal data: owner only"
    return folder


# --- SQLite -------------------------------------------------------------------------------------------------------
def sqlite_snapshot(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_sqlite_round_trip(tmp_path):
    database, media, backups = (
        tmp_path / "data" / "maillage.sqlite3",
        tmp_path / "media",
        tmp_path / "backups",
    )
    database.parent.mkdir()
    media.mkdir()
    env = env_for(f"sqlite:///{database}", media)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "shell", "-c", CREATE_USERS)
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE backup_probe (id INTEGER PRIMARY KEY, label TEXT, payload BLOB, ratio REAL)"
        )
        connection.executemany(
            "INSERT INTO backup_probe (label, payload, ratio) VALUES (?, ?, ?)",
            [
                ("Hérault — Pays de l'Or", os.urandom(64), 0.5),
                (None, b"", None),
                ("ligne\nsuivante", b"\x00", -1.0),
            ],
        )
    populate_media(media)
    expected_db, expected_media = sqlite_snapshot(database), media_tree(media)
    assert any("sauvegarde3@example.org" in line for line in expected_db)

    folder = backup(env, backups)
    assert (folder / "database.sqlite3").is_file()
    assert "engine=sqlite" in (folder / "MANIFEST").read_text(encoding="utf-8")

    # Damage everything, leave a stale WAL file behind, then restore.
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM backup_probe")
        connection.execute("DROP TABLE django_session")
        connection.execute("CREATE TABLE intrus (x)")
    damage_media(media)
    assert sqlite_snapshot(database) != expected_db and media_tree(media) != expected_media

    refused = run([RESTORE, folder], env, ok=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr  # no confirmation, nothing touched
    assert sqlite_snapshot(database) != expected_db

    run([RESTORE, "--yes", folder], env)
    assert sqlite_snapshot(database) == expected_db
    assert media_tree(media) == expected_media
    assert not Path(f"{database}-wal").exists() or Path(f"{database}-wal").stat().st_size == 0
    manage(env, "migrate", "--check", "-v", "0")  # the restored schema is complete

    # Restore onto nothing at all: a fresh machine.
    database.unlink()
    shutil.rmtree(media)
    run([RESTORE, "--yes", folder], env)
    assert sqlite_snapshot(database) == expected_db
    assert media_tree(media) == expected_media


def test_damaged_backup_is_refused_before_anything_changes(tmp_path):
    database, media, backups = tmp_path / "db.sqlite3", tmp_path / "media", tmp_path / "backups"
    media.mkdir()
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    (media / "a.txt").write_text("a", encoding="utf-8")
    env = env_for(f"sqlite:///{database}", media)
    folder = backup(env, backups)
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO t VALUES (2)")
    before = sqlite_snapshot(database)

    with open(folder / "database.sqlite3", "r+b") as dump:
        dump.seek(200)
        dump.write(b"corruption")
    result = run([RESTORE, "--yes", folder], env, ok=False)
    assert result.returncode != 0 and "checksum" in result.stderr
    assert sqlite_snapshot(database) == before
    assert (media / "a.txt").read_text(encoding="utf-8") == "a"

    # A PostgreSQL target cannot take a SQLite backup.
    other = env_for("postgres://nobody@127.0.0.1:1/none", media)
    result = run([RESTORE, "--yes", folder], other, ok=False)
    assert result.returncode != 0 and "sqlite" in result.stderr


def test_backup_reports_clear_errors(tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'missing.sqlite3'}", tmp_path / "media")
    result = run([BACKUP, tmp_path / "backups"], env, ok=False)
    assert result.returncode != 0 and "not found" in result.stderr
    assert not list((tmp_path / "backups").glob("*")), "no half-written backup is left behind"
    env = env_for("mysql://u@h/db", tmp_path / "media")
    result = run([BACKUP, tmp_path / "backups"], env, ok=False)
    assert "unsupported DATABASE_URL scheme" in result.stderr


# --- PostgreSQL -----------------------------------------------------------------------------------------------------
SERVER_URL = os.environ.get("DATABASE_URL", "")
IS_POSTGRES = SERVER_URL.startswith(("postgres://", "postgresql://", "pgsql://"))

PROBE_SQL = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TABLE backup_probe (
    id bigserial PRIMARY KEY,
    label text NOT NULL,
    details jsonb,
    payload bytea,
    happened_at timestamptz DEFAULT now(),
    search tsvector GENERATED ALWAYS AS (to_tsvector('french', label)) STORED
);
CREATE INDEX backup_probe_search ON backup_probe USING gin (search);
INSERT INTO backup_probe (label, details, payload) VALUES
    ('Communauté Professionnelle Territoriale de Santé', '{"taille": 2, "communes": ["Lunel", "Mauguio"]}', '\\x00ff10'),
    ('ligne
suivante', NULL, NULL),
    ('apostrophe '' et "guillemets"', '[]', '\\x');
SELECT setval('backup_probe_id_seq', 1000);
CREATE VIEW backup_probe_labels AS SELECT id, unaccent(label) AS label FROM backup_probe;
"""


def pg_url(database: str) -> str:
    config = dj_database_url.parse(SERVER_URL)
    auth = config["USER"] + (f":{config['PASSWORD']}" if config.get("PASSWORD") else "")
    return f"postgresql://{auth}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{database}"


def psql(database: str, sql: str) -> None:
    run(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-q", "-d", pg_url(database), "-c", sql],
        dict(os.environ),
    )


def pg_snapshot(database: str) -> dict:
    import psycopg

    with psycopg.connect(pg_url(database)) as connection:
        cursor = connection.cursor()
        tables = [
            row[0]
            for row in cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        rows = {
            table: cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            for table in tables
        }
        return {
            "rows": rows,
            "sequences": cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
            ).fetchall(),
            "indexes": cursor.execute(
                # A partial index's predicate is re-deparsed by the restore (same meaning, other text).
                "SELECT indexname, regexp_replace(indexdef, ' WHERE .*$', ' WHERE …') FROM pg_indexes "
                "WHERE schemaname = 'public' ORDER BY 1"
            ).fetchall(),
            "constraints": cursor.execute(
                "SELECT conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1, 2"
            ).fetchall(),
            "views": cursor.execute(
                "SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = 'public'"
            ).fetchall(),
            "extensions": cursor.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall(),
        }


def assert_same_database(actual: dict, expected: dict) -> None:
    """Readable difference between two pg_snapshot() results."""
    problems = []
    for key in expected:
        if actual[key] != expected[key]:
            if isinstance(expected[key], dict):
                wrong = {
                    t
                    for t in expected[key].keys() | actual[key].keys()
                    if actual[key].get(t) != expected[key].get(t)
                }
                problems.append(f"{key}: {sorted(wrong)}")
            else:
                problems.append(
                    f"{key}: missing {sorted(set(expected[key]) - set(actual[key]))}, "
                    f"unexpected {sorted(set(actual[key]) - set(expected[key]))}"
                )
    assert not problems, "\n".join(problems)


@pytest.fixture
def scratch_pg_database():
    if not IS_POSTGRES:
        pytest.skip("DATABASE_URL is not PostgreSQL")
    if not all(shutil.which(tool) for tool in ("psql", "pg_dump", "pg_restore")):
        pytest.skip("postgresql-client (psql, pg_dump, pg_restore) is not installed")
    name = f"maillage_backup_test_{secrets.token_hex(4)}"
    psql("postgres", f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_round_trip(scratch_pg_database, tmp_path):
    name = scratch_pg_database
    media, backups = tmp_path / "media", tmp_path / "backups"
    media.mkdir()
    env = env_for(pg_url(name), media)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "shell", "-c", CREATE_USERS)
    psql(name, PROBE_SQL)
    populate_media(media)
    expected_db, expected_media = pg_snapshot(name), media_tree(media)
    assert expected_db["rows"]["backup_probe"][0] == 3
    assert ("backup_probe_id_seq", 1000) in expected_db["sequences"]

    folder = backup(env, backups)
    assert (folder / "database.pgdump").read_bytes()[:5] == b"PGDMP"  # pg_dump custom format
    manifest = (folder / "MANIFEST").read_text(encoding="utf-8")
    assert "engine=postgresql" in manifest and f"/{name}" in manifest

    # Restore over a damaged database: rows deleted, a table dropped, an extra table created.
    psql(
        name,
        "DELETE FROM backup_probe WHERE id = 1; DROP TABLE django_session; CREATE TABLE intrus (x int);"
        "SELECT setval('backup_probe_id_seq', 5000);",
    )
    damage_media(media)
    assert pg_snapshot(name) != expected_db
    run([RESTORE, "--yes", folder], env)
    assert_same_database(pg_snapshot(name), expected_db)
    assert media_tree(media) == expected_media
    manage(env, "migrate", "--check", "-v", "0")

    # Drop the database entirely and restore into a new empty one.
    psql("postgres", f'DROP DATABASE "{name}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{name}"')
    shutil.rmtree(media)
    run([RESTORE, "--yes", folder], env)
    assert_same_database(pg_snapshot(name), expected_db)
    assert media_tree(media) == expected_media


def test_postgresql_failed_restore_changes_nothing(scratch_pg_database, tmp_path):
    name = scratch_pg_database
    media, backups = tmp_path / "media", tmp_path / "backups"
    media.mkdir()
    env = env_for(pg_url(name), media)
    # Incompressible rows, so that the table data sits at the end of the archive, after its table of contents.
    psql(
        name,
        "CREATE TABLE t (id int PRIMARY KEY, label text);"
        "INSERT INTO t SELECT i, md5(random()::text) || md5(random()::text) FROM generate_series(1, 20000) i;",
    )
    folder = backup(env, backups)
    psql(name, "INSERT INTO t VALUES (0, 'written after the backup');")
    before = pg_snapshot(name)

    # Cut the archive's last data block (its table of contents stays readable) and rewrite the checksums, as
    # if the file had been damaged before they were computed: pg_restore fails half-way through the script.
    dump = folder / "database.pgdump"
    dump.write_bytes(dump.read_bytes()[:-4000])
    sums = subprocess.run(
        ["sha256sum", "database.pgdump", "media.tar.gz", "MANIFEST"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    (folder / "SHA256SUMS").write_text(sums.stdout, encoding="utf-8")
    result = run([RESTORE, "--yes", folder], env, ok=False)
    assert result.returncode != 0 and "rolled back" in result.stderr
    assert pg_snapshot(name) == before
