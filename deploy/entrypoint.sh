#!/usr/bin/env bash
# The one way Hamyan is served for real: `make serve`, the systemd units and the containers run this.
#   deploy/entrypoint.sh serve      checks, migrations, then the scheduler and gunicorn side by side (default)
#   deploy/entrypoint.sh web        checks, migrations, then gunicorn only (one per app server)
#   deploy/entrypoint.sh scheduler  checks, then `flask scheduler run` only (one or more per site)
#   deploy/entrypoint.sh migrate    migrations only
# Settings come from the environment (HAMYAN_DATABASE_URL, HAMYAN_SECRET_KEY, HAMYAN_RATELIMIT_STORAGE_URI,
# HAMYAN_BIND, HAMYAN_WORKERS, ...; README "Serving for real").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${HAMYAN_VENV:-.venv}/bin
export FLASK_APP=wsgi:app
role=${1:-serve}

case "$role" in
  serve|web|scheduler|migrate) ;;
  *) echo "usage: $0 [serve|web|scheduler|migrate]" >&2; exit 2 ;;
esac

if [ "$role" != migrate ]; then
  "$BIN/python" deploy/preflight.py "$([ "$role" = scheduler ] && echo scheduler || echo web)"
fi
if [ "$role" != scheduler ]; then
  "$BIN/python" deploy/migrate.py
fi

# Web processes leave the jobs to the scheduler process.
web() { HAMYAN_SCHEDULER_ENABLED=false exec "$BIN/gunicorn" -c deploy/gunicorn.conf.py; }
case "$role" in
  migrate) exit 0 ;;
  web) web ;;
  scheduler) exec "$BIN/flask" scheduler run ;;
esac

# serve: both in the foreground's care; when either stops, stop the other (gunicorn finishes the
# requests in flight on SIGTERM).
"$BIN/flask" scheduler run &
scheduler=$!
web &
web=$!
trap 'kill -TERM $web $scheduler 2>/dev/null' TERM INT
status=0
wait -n $web $scheduler || status=$?
kill -TERM $web $scheduler 2>/dev/null || true
wait || true
exit $status
