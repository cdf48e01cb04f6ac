# Everyday targets. `make run` and `make test` are the README's two set-up commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

# The test suite runs on PostgreSQL and Redis (see .ci/run to start them).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_CACHE_URL ?= redis://127.0.0.1:6379/14

.PHONY: venv dev run test chromium lint format migrations-check schema messages lock clean

# One virtualenv: the service's locked requirements for `make run`, and the tests' and
# tools' on top for the targets that need them. Installed from the hash-checked locks.
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.lock | $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

venv: $(VENV)/.runtime

dev: $(VENV)/.dev

run: venv
	bash scripts/run-embedded.sh

# The desk's browser test drives Debian's Chromium (Playwright never downloads a browser)
# with Debian's CJK fonts, so that Chinese pages and screenshots show characters, not
# boxes: both found, or installed with apt-get. Without them `make test` stops here rather
# than skip the test.
CHROMIUM ?= /usr/bin/chromium
CJK_FONT ?= /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
chromium:
	@test -x $(CHROMIUM) && test -f $(CJK_FONT) || { \
		echo "Installing Debian's Chromium and CJK fonts for the browser test"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q chromium fonts-noto-cjk; }

test: dev chromium
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) REDIS_URL=$(TEST_CACHE_URL) \
	DJANGO_SECRET_KEY=test-only-secret DJANGO_DEBUG=false \
	DJANGO_STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: dev
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

schema: dev
	DJANGO_DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yaml

# The locks, from requirements.txt and requirements-dev.txt (PyPI's hashes, whatever local
# indexes pip is configured with). Run after changing either file.
PIP_COMPILE = PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: dev
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock -o requirements-dev.lock requirements-dev.txt

clean:
	rm -rf var .pytest_cache .ruff_cache

messages: dev
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv
