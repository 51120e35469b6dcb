#!/usr/bin/env bash
# Back up Maillage: the database and the uploaded files, into one timestamped folder.
#
#   deploy/backup.sh [DESTINATION]        (default: ./backups)
#
# Reads the same environment as the application: DATABASE_URL (or DATABASE_URL_FILE; unset = the SQLite file
# db.sqlite3 of the project), MEDIA_ROOT (unset = media/ of the project) and S3_BUCKET (uploads in object
# storage are not copied: rely on the bucket's versioning/replication).
#
# Produces DESTINATION/maillage-<UTC timestamp>/ with
#   database.pgdump   PostgreSQL, pg_dump custom format (restore with restore.sh or pg_restore)
#   database.sqlite3  SQLite, online copy made with the SQLite backup API (consistent while the app runs)
#   media.tar.gz      the MEDIA_ROOT folder
#   MANIFEST          what was saved, from where, when;  SHA256SUMS  checksums checked by restore.sh
# The folder is written as <name>.partial and renamed only when complete; it is readable by its owner only
# (it contains personal data). Prints the folder's path on stdout; messages go to stderr.
set -euo pipefail
umask 077

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[backup] %s\n' "$*" >&2; }
die() { printf '[backup] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ "$#" -le 1 ] || { usage; exit 2; }

# --- settings, read like config/settings.py does (NAME, or the file named by NAME_FILE) --------------------
setting() {
  local name="$1" default="${2:-}" file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then
    tr -d '\r\n' <"${!file_var}"
  elif [ -n "${!name:-}" ]; then
    printf '%s' "${!name}"
  else
    printf '%s' "$default"
  fi
}

DATABASE_URL_VALUE="$(setting DATABASE_URL "sqlite:///${PROJECT_DIR}/db.sqlite3")"
MEDIA_DIR="$(setting MEDIA_ROOT "${PROJECT_DIR}/media")"
S3_BUCKET_VALUE="$(setting S3_BUCKET "")"

scheme="${DATABASE_URL_VALUE%%://*}"
case "$scheme" in
  postgres|postgresql|pgsql|postgis) ENGINE=postgresql ;;
  sqlite|spatialite) ENGINE=sqlite ;;
  *) die "unsupported DATABASE_URL scheme '$scheme' (expected postgres:// or sqlite://)" ;;
esac

# --- destination -----------------------------------------------------------------------------------------------
DEST_ROOT="${1:-backups}"
mkdir -p "$DEST_ROOT" || die "cannot create the destination folder $DEST_ROOT"
DEST_ROOT="$(cd "$DEST_ROOT" && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
NAME="maillage-$STAMP"
n=1
while [ -e "$DEST_ROOT/$NAME" ] || [ -e "$DEST_ROOT/$NAME.partial" ]; do
  n=$((n + 1)); NAME="maillage-$STAMP-$n"
done
WORK="$DEST_ROOT/$NAME.partial"
mkdir "$WORK"
cleanup() { [ -d "$WORK" ] && rm -rf "$WORK"; }
trap cleanup EXIT
log "writing $DEST_ROOT/$NAME"

# --- database ----------------------------------------------------------------------------------------------------
if [ "$ENGINE" = postgresql ]; then
  command -v pg_dump >/dev/null || die "pg_dump not found (install postgresql-client, same major version as the server or newer)"
  # libpq understands postgres:// and postgresql:// URLs (user, password, host, port, ?sslmode=...).
  PG_URL="postgresql://${DATABASE_URL_VALUE#*://}"
  log "dumping PostgreSQL database (pg_dump, custom format)"
  pg_dump --dbname="$PG_URL" --format=custom --compress=6 --no-password --file="$WORK/database.pgdump" \
    || die "pg_dump failed"
  pg_restore --list "$WORK/database.pgdump" >/dev/null || die "the dump cannot be read back (pg_restore --list)"
  DB_FILE=database.pgdump
  DB_SOURCE="$(printf '%s' "$PG_URL" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#')"
else
  DB_PATH="${DATABASE_URL_VALUE#*://}"
  DB_PATH="${DB_PATH#/}"
  [ "$DB_PATH" != ":memory:" ] || die "an in-memory SQLite database cannot be backed up"
  [ -f "$DB_PATH" ] || die "SQLite database not found: $DB_PATH"
  DB_PATH="$(cd "$(dirname "$DB_PATH")" && pwd)/$(basename "$DB_PATH")"
  log "copying SQLite database $DB_PATH (online backup)"
  if command -v sqlite3 >/dev/null; then
    (cd "$WORK" && sqlite3 "$DB_PATH" ".timeout 20000" ".backup database.sqlite3") || die "sqlite3 .backup failed"
    check="$(sqlite3 "$WORK/database.sqlite3" "PRAGMA integrity_check;")"
  else
    python3 - "$DB_PATH" "$WORK/database.sqlite3" <<'PY' || die "SQLite backup failed"
import sqlite3
import sys

source = sqlite3.connect(sys.argv[1], timeout=20)
target = sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PY
    check="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$WORK/database.sqlite3")"
  fi
  [ "$check" = ok ] || die "integrity check of the copy failed: $check"
  DB_FILE=database.sqlite3
  DB_SOURCE="$DB_PATH"
fi

# --- media -------------------------------------------------------------------------------------------------------
if [ -n "$S3_BUCKET_VALUE" ]; then
  log "uploads are in the S3 bucket '$S3_BUCKET_VALUE': not copied (use bucket versioning or replication)"
  MEDIA_NOTE="s3:$S3_BUCKET_VALUE (not copied)"
  MEDIA_FILE=""
else
  if [ -d "$MEDIA_DIR" ]; then
    count="$(find "$MEDIA_DIR" -type f | wc -l | tr -d ' ')"
    log "archiving media folder $MEDIA_DIR ($count files)"
    tar -C "$MEDIA_DIR" -czf "$WORK/media.tar.gz" . || die "tar of $MEDIA_DIR failed"
  else
    log "media folder $MEDIA_DIR does not exist: saving an empty archive"
    empty="$(mktemp -d)"
    tar -C "$empty" -czf "$WORK/media.tar.gz" .
    rmdir "$empty"
  fi
  MEDIA_NOTE="$MEDIA_DIR"
  MEDIA_FILE=media.tar.gz
fi

# --- manifest and checksums -----------------------------------------------------------------------------------
{
  echo "format=maillage-backup-1"
  echo "created_at=$STAMP"
  echo "engine=$ENGINE"
  echo "database_file=$DB_FILE"
  echo "database_source=$DB_SOURCE"
  echo "media_file=$MEDIA_FILE"
  echo "media_source=$MEDIA_NOTE"
  echo "git_commit=$(git -C "$PROJECT_DIR" rev-parse HEAD 2>/dev/null || echo unknown)"
} >"$WORK/MANIFEST"
(cd "$WORK" && sha256sum -- $DB_FILE $MEDIA_FILE MANIFEST >SHA256SUMS)

mv "$WORK" "$DEST_ROOT/$NAME"
trap - EXIT
log "done: $(du -sh "$DEST_ROOT/$NAME" | cut -f1) in $DEST_ROOT/$NAME"
printf '%s\n' "$DEST_ROOT/$NAME"
