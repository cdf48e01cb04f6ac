#!/usr/bin/env bash
# `make run`: the web app and a Celery worker (with beat) on the embedded default —
# an SQLite file and a filesystem broker under var/ — with demo data. No other service.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PORT=${PORT:-8000}
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
export HELPDESK_DATA_DIR=${HELPDESK_DATA_DIR:-$PWD/var}
# The emails the worker "sends": one file per message in var/mail/ (Django's file backend),
# unless a real mail server is configured.
if [ -z "${EMAIL_HOST:-}" ]; then
    export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
    export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$HELPDESK_DATA_DIR/mail}
fi
mkdir -p "$HELPDESK_DATA_DIR" "${EMAIL_FILE_PATH:-$HELPDESK_DATA_DIR/mail}"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py load_demo
"$BIN/python" manage.py load_help_demo

"$BIN/celery" -A helpdesk worker --beat --loglevel=INFO --concurrency=2 \
    --schedule "$HELPDESK_DATA_DIR/celerybeat-schedule" >"$HELPDESK_DATA_DIR/worker.log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

cat <<MSG

Helpdesk is starting on http://127.0.0.1:$PORT/
  API docs      http://127.0.0.1:$PORT/api/docs/
  Agents' desk  http://127.0.0.1:$PORT/admin/   (bob or carol, password helpdesk-demo)
  Health        http://127.0.0.1:$PORT/healthz
  Help centre   http://127.0.0.1:$PORT/api/v1/help/articles/  (no login needed)
  Emails sent   ${EMAIL_FILE_PATH:-$HELPDESK_DATA_DIR/mail}/   (one file per message)
  Worker log    $HELPDESK_DATA_DIR/worker.log
Try:  curl -H "Authorization: Token <alice's token above>" http://127.0.0.1:$PORT/api/v1/tickets/
Stop with Ctrl-C.

MSG
"$BIN/python" manage.py runserver "127.0.0.1:$PORT" --noreload
