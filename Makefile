# Everyday targets. `make run` and `make test` are the README's two set-up commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

# The test suite runs on PostgreSQL and Redis (see .ci/run to start them).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_CACHE_URL ?= redis://127.0.0.1:6379/14

.PHONY: venv run test lint format migrations-check schema messages clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

venv: $(BIN)/activate

run: venv
	bash scripts/run-embedded.sh

test: venv
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) REDIS_URL=$(TEST_CACHE_URL) \
	DJANGO_SECRET_KEY=test-only-secret DJANGO_DEBUG=false \
	DJANGO_STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: venv
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

schema: venv
	DJANGO_DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yaml

clean:
	rm -rf var .pytest_cache .ruff_cache

messages: venv
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv
