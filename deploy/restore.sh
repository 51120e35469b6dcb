#!/usr/bin/env bash
# Restore a Maillage backup made by backup.sh: the database and the uploaded files.
#
#   deploy/restore.sh [--yes] BACKUP_FOLDER
#
# DESTRUCTIVE: the target database (DATABASE_URL, or the project's db.sqlite3) and MEDIA_ROOT are REPLACED by
# the backup's content. Stop web, worker and beat first (docker compose stop web worker beat / kubectl scale
# --replicas=0), then start them again; run `manage.py migrate` afterwards if the code is newer than the backup.
#   PostgreSQL: schema `public` is dropped and recreated, then the dump is loaded, all in ONE transaction:
#               on any error nothing changes. The role in DATABASE_URL must own
#               the database (it does when it created the tables). Objects are owned by that role.
#   SQLite:     the copy replaces the database file (its -wal/-shm files are removed).
#   Media:      MEDIA_ROOT is emptied and the archive extracted into it (skipped when S3_BUCKET is set).
# Checksums (SHA256SUMS) are verified before anything is touched. Asks for confirmation unless --yes.
set -euo pipefail
umask 027

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[restore] %s\n' "$*" >&2; }
die() { printf '[restore] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

ASSUME_YES=0
ARGS=()
for arg in "$@"; do
  case "$arg" in
    -y|--yes) ASSUME_YES=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage; die "unknown option $arg" ;;
    *) ARGS+=("$arg") ;;
  esac
done
[ "${#ARGS[@]}" -eq 1 ] || { usage; exit 2; }
SRC="${ARGS[0]%/}"
[ -d "$SRC" ] || die "backup folder not found: $SRC"
if [ ! -f "$SRC/MANIFEST" ] || [ ! -f "$SRC/SHA256SUMS" ]; then
  die "$SRC is not a backup made by backup.sh (no MANIFEST / SHA256SUMS)"
fi
case "$SRC" in *.partial) die "$SRC is an incomplete backup (.partial)";; esac

manifest() { sed -n "s/^$1=//p" "$SRC/MANIFEST" | head -1; }
[ "$(manifest format)" = maillage-backup-1 ] || die "unknown backup format in $SRC/MANIFEST"

# --- settings, read like config/settings.py does -------------------------------------------------------------
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

BACKUP_ENGINE="$(manifest engine)"
DB_FILE="$(manifest database_file)"
MEDIA_FILE="$(manifest media_file)"
[ "$BACKUP_ENGINE" = "$ENGINE" ] \
  || die "the backup holds a $BACKUP_ENGINE database but DATABASE_URL is $ENGINE (convert with dumpdata/loaddata instead)"

# --- verify before touching anything ------------------------------------------------------------------------------
log "verifying checksums of $SRC"
(cd "$SRC" && sha256sum --check --quiet SHA256SUMS) || die "checksum mismatch: the backup is damaged"
if [ "$ENGINE" = postgresql ]; then
  for tool in psql pg_restore; do
    command -v "$tool" >/dev/null || die "$tool not found (install postgresql-client)"
  done
  PG_URL="postgresql://${DATABASE_URL_VALUE#*://}"
  TARGET_DESC="$(printf '%s' "$PG_URL" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#')"
  pg_restore --list "$SRC/$DB_FILE" >/dev/null || die "$DB_FILE is not a readable pg_dump archive"
  psql --dbname="$PG_URL" --no-password --quiet --tuples-only --command="SELECT 1" >/dev/null \
    || die "cannot connect to the target database $TARGET_DESC"
else
  DB_PATH="${DATABASE_URL_VALUE#*://}"
  DB_PATH="${DB_PATH#/}"
  [ "$DB_PATH" != ":memory:" ] || die "cannot restore into an in-memory SQLite database"
  mkdir -p "$(dirname "$DB_PATH")"
  DB_PATH="$(cd "$(dirname "$DB_PATH")" && pwd)/$(basename "$DB_PATH")"
  TARGET_DESC="$DB_PATH"
fi
RESTORE_MEDIA=0
if [ -n "$MEDIA_FILE" ]; then
  if [ -n "$S3_BUCKET_VALUE" ]; then
    log "S3_BUCKET is set: the media archive is NOT restored (uploads live in the bucket)"
  else
    tar -tzf "$SRC/$MEDIA_FILE" >/dev/null || die "$MEDIA_FILE is not a readable archive"
    RESTORE_MEDIA=1
  fi
else
  log "this backup has no media archive ($(manifest media_source))"
fi

# --- confirm ------------------------------------------------------------------------------------------------------
log "backup:   $SRC (made $(manifest created_at) from $(manifest database_source))"
log "replaces: database $TARGET_DESC$([ "$RESTORE_MEDIA" = 1 ] && printf ' and media folder %s' "$MEDIA_DIR")"
if [ "$ASSUME_YES" != 1 ]; then
  [ -t 0 ] || die "refusing to overwrite without confirmation: pass --yes"
  read -r -p "[restore] type 'yes' to replace the current data: " answer
  [ "$answer" = yes ] || die "cancelled"
fi

# --- database -----------------------------------------------------------------------------------------------------
if [ "$ENGINE" = postgresql ]; then
  log "restoring PostgreSQL database (one transaction)"
  # COMMIT is sent only if pg_restore produced the whole script: a failure on either side ends the session
  # inside the transaction, which PostgreSQL rolls back.
  {
    echo "SET client_min_messages = warning;"
    echo "BEGIN;"
    echo "DROP SCHEMA IF EXISTS public CASCADE;"
    echo "CREATE SCHEMA public;"
    pg_restore --no-owner --no-privileges --file=- "$SRC/$DB_FILE" && echo "COMMIT;"
  } | psql --dbname="$PG_URL" --no-password --quiet --set=ON_ERROR_STOP=1 --output=/dev/null \
    || die "restore failed and was rolled back: the database is unchanged"
  psql --dbname="$PG_URL" --no-password --quiet --command="ANALYZE" >/dev/null || log "warning: ANALYZE failed"
else
  log "restoring SQLite database $DB_PATH"
  tmp="$(mktemp "$DB_PATH.restore.XXXXXX")"
  cp "$SRC/$DB_FILE" "$tmp"
  rm -f "$DB_PATH-wal" "$DB_PATH-shm" "$DB_PATH-journal"
  mv -f "$tmp" "$DB_PATH"
fi

# --- media --------------------------------------------------------------------------------------------------------
if [ "$RESTORE_MEDIA" = 1 ]; then
  log "restoring media folder $MEDIA_DIR"
  mkdir -p "$MEDIA_DIR"
  # Empty the folder (it may be a mount point, so it is kept), then extract.
  find "$MEDIA_DIR" -mindepth 1 -delete
  tar -C "$MEDIA_DIR" -xzf "$SRC/$MEDIA_FILE" --no-same-owner
fi

log "done. Start web, worker and beat again (and run migrate if the code is newer than the backup)."
