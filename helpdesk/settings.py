"""Settings, read from the environment (SPEC §9).

Every name has a default that runs with no services at all (an SQLite file and a
filesystem broker under ``HELPDESK_DATA_DIR``), except that a non-debug process refuses
to start without ``DJANGO_SECRET_KEY``.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATA_DIR = Path(env("HELPDESK_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=true for a local run."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "tickets",
    "notifications",
    "helpcentre",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "helpdesk.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL in production and in the tests; an SQLite file for the embedded run.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'helpdesk.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write to the same file: take the write lock at the
    # start of each transaction (no deadlock on upgrade) and wait for it instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.bool("DATABASE_POOL", default=True):
    # A pool of connections per process (Django's psycopg pool): a request or a task takes
    # one, checked with a `SELECT 1`, and gives it back; nothing connects per request or
    # per task (Celery closes a task's connections, which here returns them to the pool).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool's check
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8)}
    }
else:
    # Kept connections, checked (`SELECT 1`) before each request or task first uses one.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, process memory otherwise. `local` is always this
# process's memory: the rate limits count there while Redis is down.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    # Attachments live outside any public URL: MEDIA_URL is deliberately unset and files
    # are only served by the permission-checked API endpoint.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(env("HELPDESK_MEDIA_ROOT", default=str(DATA_DIR / "media"))))
        },
    },
    # Hashed, compressed files after `collectstatic` in production; plain files in debug
    # runs and in the tests (which never run collectstatic).
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# S3-compatible object storage for attachments (AWS S3, MinIO, Ceph...), when a bucket is
# named. The bucket must stay private: files are only served through the API.
if env("HELPDESK_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("HELPDESK_S3_BUCKET"),
            "endpoint_url": env("HELPDESK_S3_ENDPOINT_URL", default=None),
            "region_name": env("HELPDESK_S3_REGION", default=None),
            "access_key": env("HELPDESK_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("HELPDESK_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("HELPDESK_S3_PREFIX", default=""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# Mail: Django's own names (SPEC §9). The embedded run prints mail to the console.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (what `make run` sets),
# each message is a file in EMAIL_FILE_PATH.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(DATA_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Helpdesk <support@localhost>")

# Celery: Redis in production; a filesystem broker (works across processes, needs no
# server) for the embedded run.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        # The transport polls its folder; kombu's default second would cap a worker at
        # about one message a second.
        "polling_interval": 0.05,
        "store_processed": False,
    }
else:
    # Redis: kombu's own transport, with its emulation of acknowledgements. A task is
    # acknowledged when it ends (ACKS_LATE below); one taken by a worker that dies is given
    # to another worker once `visibility_timeout` has passed. Every task here is safe to run
    # twice, and deliveries do not wait that long: the sweep re-enqueues them
    # (notifications/services.py). Countdowns (a delivery's retry) stay under this timeout.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A delivery waits on the database, SMTP or a webhook far longer than it computes: one
# worker process runs them on threads (each with its own database connection and SMTP
# session). Two cores: 4 threads deliver ~175/s where 2 prefork processes managed ~155/s
# (bench/README.md). For another pool set CELERY_WORKER_POOL: with this setting in place
# Celery takes `--pool prefork` for "no --pool given" and keeps threads.
CELERY_WORKER_POOL = env("CELERY_WORKER_POOL", default="threads")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=4)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# After a failed publish, a web process leaves the broker alone this long (the deliveries
# wait in the database for the sweep); after a Redis failure, likewise for REDIS_URL.
BROKER_RETRY_SECONDS = env.float("BROKER_RETRY_SECONDS", default=5.0)
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=5.0)
# The default queue for periodic work; each notification channel has a queue of its own
# (notifications/channels), so a slow SMTP server never holds back in-site notifications or
# webhooks. A plain `celery -A helpdesk worker` consumes all of them.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-deliveries": {"task": "notifications.tasks.sweep_deliveries", "schedule": 30.0},
    "auto-close-resolved-tickets": {
        "task": "tickets.tasks.auto_close_resolved",
        "schedule": 3600.0,
    },
    "purge-idempotency-keys": {"task": "tickets.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "index-resolved-tickets": {
        "task": "helpcentre.tasks.index_resolved_tickets",
        "schedule": 60.0,
    },
}

# Helpdesk behaviour (SPEC §3, §4)
REOPEN_WINDOW_DAYS = env.int("REOPEN_WINDOW_DAYS", default=7)
AUTO_CLOSE_DAYS = env.int("AUTO_CLOSE_DAYS", default=7)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# Attachments (SPEC §6)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1000 * 1000)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
# Files go to temporary files on disk, never all into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# A whole request may carry the files of one message and its text, no more (413 above).
MAX_REQUEST_BYTES = env.int(
    "MAX_REQUEST_BYTES", default=ATTACHMENT_MAX_FILES * ATTACHMENT_MAX_BYTES + 1_000_000
)

# Notifications (SPEC §5)
HELPDESK_BASE_URL = env("HELPDESK_BASE_URL", default="http://127.0.0.1:8000")
# The exchange's page for a ticket, linked from requesters' emails: "{reference}", "{id}".
HELPDESK_REQUESTER_TICKET_URL = env("HELPDESK_REQUESTER_TICKET_URL", default="")
try:  # a mistake here must stop the start, not fail every requester's email
    HELPDESK_REQUESTER_TICKET_URL.format(reference="HD-000001", id=1)
except (KeyError, IndexError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"HELPDESK_REQUESTER_TICKET_URL may name only {{reference}} and {{id}}: {exc!r}"
    ) from None
HELPDESK_EMAIL_DOMAIN = env("HELPDESK_EMAIL_DOMAIN", default="helpdesk.localhost")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", default=30.0)
NOTIFICATION_RETRY_MAX_SECONDS = env.float("NOTIFICATION_RETRY_MAX_SECONDS", default=900.0)
NOTIFICATION_SWEEP_GRACE_SECONDS = env.float("NOTIFICATION_SWEEP_GRACE_SECONDS", default=60.0)
NOTIFICATION_SWEEP_BATCH = env.int("NOTIFICATION_SWEEP_BATCH", default=2000)
# How long a worker holds a delivery it is sending; past it, the sweep hands it to another.
NOTIFICATION_LEASE_SECONDS = env.float("NOTIFICATION_LEASE_SECONDS", default=60.0)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
# Where webhooks may not go (notifications/channels/webhook.py): loopback, link-local and
# the like always, private networks too when this is on; the allowed networks (CIDR) pass.
WEBHOOK_BLOCK_PRIVATE_ADDRESSES = env.bool("WEBHOOK_BLOCK_PRIVATE_ADDRESSES", default=False)
try:  # parsed here, so that a mistake stops the start instead of failing every webhook
    WEBHOOK_ALLOWED_NETWORKS = [
        ipaddress.ip_network(network.strip(), strict=False)
        for network in env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
        if network.strip()
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {exc}") from None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "tickets.api.pagination.CursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.throttling.RateLimits"],
    # 0: the client address is REMOTE_ADDR. Unset, DRF would trust X-Forwarded-For as the
    # client sends it, and anyone could dodge the per-address limits.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.errors.exception_handler",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

HELPDESK_THROTTLE_RATES = {
    "user": env("THROTTLE_USER_RATE", default="600/min"),
    "ip": env("THROTTLE_IP_RATE", default="1200/min"),
    "login": env("THROTTLE_LOGIN_RATE", default="10/min"),
    "ticket_create": env("THROTTLE_TICKET_CREATE_RATE", default="20/hour"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Support tickets for a cryptocurrency exchange. See README.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for the status choices, whichever field (status, to, from_status) uses them.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tickets.models.Status",
        "CategoryEnum": "tickets.models.Category",
    },
    # The error shape, and the errors every operation can answer (throttles, auth, ...).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.openapi.document_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Celery's two INFO lines per task ("received", "succeeded") are 400 lines a second at
    # 200 deliveries a second, and the Delivery rows already record every attempt (a
    # failed attempt is also logged, by notifications.services, as a warning or an error).
    # WORKER_TASK_LOG_LEVEL=INFO brings Celery's lines back.
    "loggers": {
        name: {"level": env("WORKER_TASK_LOG_LEVEL", default="WARNING")}
        for name in ("celery.app.trace", "celery.worker.strategy")
    },
}

# Behind a proxy that terminates TLS: DJANGO_SECURE_PROXY_SSL_HEADER=true trusts its
# X-Forwarded-Proto, so links (Location, attachment URLs) and CSRF checks use https.
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
