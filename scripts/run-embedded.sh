#!/usr/bin/env bash
# `make run`: the web app and a Celery worker (with beat) on the embedded default —
# an SQLite file and a filesystem broker under var/ — with demo data. No other service.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PORT=${PORT:-8000}
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
export HELPDESK_DATA_DIR=${HELPDESK_DATA_DIR:-$PWD/var}
mkdir -p "$HELPDESK_DATA_DIR"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py load_demo

"$BIN/celery" -A helpdesk worker --beat --loglevel=INFO --concurrency=2 \
    --schedule "$HELPDESK_DATA_DIR/celerybeat-schedule" >"$HELPDESK_DATA_DIR/worker.log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

cat <<MSG

Helpdesk is starting on http://127.0.0.1:$PORT/
  API docs      http://127.0.0.1:$PORT/api/docs/
  Agents' desk  http://127.0.0.1:$PORT/admin/   (bob or carol, password helpdesk-demo)
  Health        http://127.0.0.1:$PORT/healthz
  Worker log    $HELPDESK_DATA_DIR/worker.log
Try:  curl -H "Authorization: Token <alice's token above>" http://127.0.0.1:$PORT/api/v1/tickets/
Stop with Ctrl-C.

MSG
"$BIN/python" manage.py runserver "127.0.0.1:$PORT" --noreload
