#!/usr/bin/env bash
# Entry point of the Maillage image (run by tini as PID 1's child).
#
# 1. When the database is PostgreSQL, wait until it accepts connections (up to 60 s), so that daphne, the
#    Celery processes and the migration job do not crash-loop while the database container starts.
# 2. `migrate` as the command is a shortcut for `python manage.py migrate --noinput` (compose `migrate`
#    service, Kubernetes migration Job); anything else is executed as given (daphne by default, celery,
#    `python manage.py ...`, deploy/backup.sh, bash).
set -euo pipefail

log() { printf '[entrypoint] %s\n' "$*" >&2; }

wait_for_database() {
  # The settings module resolves DATABASE_URL / DATABASE_URL_FILE exactly as the application will.
  python - <<'PY'
import sys
import time

import psycopg

from config import settings

db = settings.DATABASES["default"]
if not settings.IS_POSTGRES:
    sys.exit(0)
params = {
    "host": db.get("HOST") or None,
    "port": db.get("PORT") or None,
    "user": db.get("USER") or None,
    "password": db.get("PASSWORD") or None,
    "dbname": db.get("NAME"),
    "connect_timeout": 3,
    **{k: v for k, v in (db.get("OPTIONS") or {}).items() if k in {"sslmode", "sslrootcert"}},
}
deadline = time.monotonic() + 60
while True:
    try:
        psycopg.connect(**{k: v for k, v in params.items() if v is not None}).close()
        break
    except psycopg.OperationalError as exc:
        if time.monotonic() > deadline:
            print(f"[entrypoint] database {db.get('HOST')}:{db.get('PORT')} unreachable after 60 s: {exc}",
                  file=sys.stderr)
            sys.exit(1)
        print(f"[entrypoint] waiting for the database at {db.get('HOST')}:{db.get('PORT')}…", file=sys.stderr)
        time.sleep(2)
PY
}

[ "$#" -gt 0 ] || { log "no command given (the image's CMD runs daphne)"; exit 2; }

wait_for_database

if [ "$1" = "migrate" ]; then
  shift
  log "applying migrations"
  exec python manage.py migrate --noinput "$@"
fi

exec "$@"
