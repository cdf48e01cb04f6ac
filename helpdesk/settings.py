"""Settings, read from the environment (SPEC §9).

Every name has a default that runs with no services at all (an SQLite file and a
filesystem broker under ``HELPDESK_DATA_DIR``), except that a non-debug process refuses
to start without ``DJANGO_SECRET_KEY``.
"""

import ipaddress
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
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
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "tickets",
    "notifications",
    "anymail",
    "mail",
    "helpcentre",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "helpdesk.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out admin login into the "locked" page.
    "axes.middleware.AxesMiddleware",
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
    # Not a rule: told of every password change, it revokes the user's API tokens.
    {"NAME": "accounts.validators.TokensRevokedOnPasswordChange"},
]

# API tokens (SPEC §4, django-rest-knox): stored as SHA-512 hashes, several per user, each
# expiring TOKEN_TTL_HOURS after it was last used. Moving the expiry on is a write, done at
# most once an hour per token (a TTL under a day: 24 times per TTL).
TOKEN_TTL_HOURS = env.int("TOKEN_TTL_HOURS", default=720)
if TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured("TOKEN_TTL_HOURS must be at least 1.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=TOKEN_TTL_HOURS),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": min(3600, TOKEN_TTL_HOURS * 150),
    "AUTH_HEADER_PREFIX": "Token",
}

# Password guessing (SPEC §4). Per account, whatever the address: LOGIN_FAILURE_LIMIT
# failed logins (admin, API, or a wrong old password at /me/password/) lock the account for
# LOGIN_LOCKOUT_MINUTES, counted by django-axes in the database (no Redis needed). Per
# address: THROTTLE_LOGIN_RATE (helpdesk.throttling), on the API's and the admin's login.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked account before the password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = "accounts.login_limits.failure_limit"  # reads LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "accounts.login_limits.lockout_duration"  # reads LOGIN_LOCKOUT_MINUTES
AXES_LOCKOUT_PARAMETERS = ["username"]
# The lock-out runs from the failure that reached the limit: refused attempts during it do
# not prolong it. A successful login forgets the failures before it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Successful logins are not logged by axes (it would open a session per API login); Django
# keeps `last_login`.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner; failures are still logged (username masked)
AXES_CLIENT_IP_CALLABLE = "accounts.login_limits.client_address"  # NUM_PROXIES, as throttles
AXES_LOCKOUT_CALLABLE = "accounts.login_limits.lockout_response"  # the admin's "locked" page
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 asks to lock addresses too. Here an address is rate-limited instead
    # (THROTTLE_LOGIN_RATE): a lock per address would shut out everyone behind one NAT.
    "axes.W006",
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

# Inbound email (SPEC §10, mail/). Answers to the desk's emails go to this address.
HELPDESK_INBOUND_ADDRESS = env(
    "HELPDESK_INBOUND_ADDRESS", default=parseaddr(DEFAULT_FROM_EMAIL)[1] or "support@localhost"
)
# Other addresses of the desk itself: mail from them is never a ticket (no loops).
EMAIL_DESK_ADDRESSES = env.list("EMAIL_DESK_ADDRESSES", default=[])
# The mailbox Celery beat polls, e.g. imaps://support%40example.com:pw@imap.example.com/INBOX
# (imaps: TLS from the start; imap: STARTTLS, required). Empty: no polling.
EMAIL_INBOX_URL = env("EMAIL_INBOX_URL", default="")
EMAIL_INBOX_CA_FILE = env("EMAIL_INBOX_CA_FILE", default="")  # empty: the system's CAs
EMAIL_PROCESSED_FOLDER = env("EMAIL_PROCESSED_FOLDER", default="Processed")
EMAIL_FAILED_FOLDER = env("EMAIL_FAILED_FOLDER", default="Failed")
EMAIL_POLL_SECONDS = env.float("EMAIL_POLL_SECONDS", default=10.0)
EMAIL_IMAP_TIMEOUT = env.float("EMAIL_IMAP_TIMEOUT", default=30.0)
# The authserv-id of our own mail server's Authentication-Results (e.g. mx.example.com,
# amazonses.com); empty: no DMARC verdict is trusted.
EMAIL_TRUSTED_AUTHSERV_ID = env("EMAIL_TRUSTED_AUTHSERV_ID", default="")
EMAIL_ACK_LIMIT_PER_HOUR = env.int("EMAIL_ACK_LIMIT_PER_HOUR", default=10)
EMAIL_MAX_MESSAGE_BYTES = env.int("EMAIL_MAX_MESSAGE_BYTES", default=50 * 1000 * 1000)
# Providers' inbound webhooks at /inbound/<provider>/ (django-anymail): basic auth with
# ANYMAIL_WEBHOOK_SECRET ("user:password"); Mailgun's own signature with its signing key.
ANYMAIL = {
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}

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
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # A publisher that finds the broker down gives up at once instead of retrying for
        # CELERY_BROKER_CONNECTION_TIMEOUT: the outbox keeps what it had to publish, and a
        # request never waits on a broker outage (a worker's own connection retries on).
        "max_retries": 0,
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
    "sweep-pending-deliveries": {
        "task": "notifications.tasks.sweep_deliveries",
        "schedule": env.float("NOTIFICATION_SWEEP_SECONDS", default=15.0),
    },
    "auto-close-resolved-tickets": {
        "task": "tickets.tasks.auto_close_resolved",
        "schedule": 3600.0,
    },
    "purge-idempotency-keys": {"task": "tickets.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "purge-expired-tokens": {"task": "accounts.tasks.purge_expired_tokens", "schedule": 3600.0},
    "index-resolved-tickets": {
        "task": "helpcentre.tasks.index_resolved_tickets",
        "schedule": 60.0,
    },
}
if EMAIL_INBOX_URL:
    CELERY_BEAT_SCHEDULE["poll-inbox"] = {
        "task": "mail.tasks.poll_inbox",
        "schedule": EMAIL_POLL_SECONDS,
        # a poll that waited longer than a period is superseded by the next one
        "options": {"expires": EMAIL_POLL_SECONDS},
    }

# Helpdesk behaviour (SPEC §3, §4)
REOPEN_WINDOW_DAYS = env.int("REOPEN_WINDOW_DAYS", default=7)
AUTO_CLOSE_DAYS = env.int("AUTO_CLOSE_DAYS", default=7)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# Attachments (SPEC §6)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1000 * 1000)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
# How much of one request's text attachments the sensitive-data guard reads (SPEC §7), the
# files in the order sent: it reads 1 MB of ordinary text in ~0.1 s, of text made to cost it
# most (list words with changing separators) in up to ~1 s.
GUARD_ATTACHMENT_SCAN_BYTES = env.int("GUARD_ATTACHMENT_SCAN_BYTES", default=2 * 1000 * 1000)
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
# What a worker killed outright (kill -9, an OOM) leaves costs at most: the messages it had
# taken, GRACE + the sweep's period (35 s by default); the one it was sending, LEASE + GRACE
# + the period (65 s). A shorter grace re-enqueues more copies while the queues are merely
# behind (each is skipped); a shorter lease risks a second send by a slow but live worker.
NOTIFICATION_SWEEP_GRACE_SECONDS = env.float("NOTIFICATION_SWEEP_GRACE_SECONDS", default=20.0)
NOTIFICATION_SWEEP_BATCH = env.int("NOTIFICATION_SWEEP_BATCH", default=2000)
# /healthz calls notifications overdue past this (the sweep takes them up well before).
NOTIFICATION_OVERDUE_SECONDS = env.float("NOTIFICATION_OVERDUE_SECONDS", default=600.0)
# How long a worker holds a delivery it is sending; past it, the sweep hands it to another.
NOTIFICATION_LEASE_SECONDS = env.float("NOTIFICATION_LEASE_SECONDS", default=30.0)
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
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON bodies only; the two operations that take files add multipart themselves
    # (tickets/api/views.py). One content type per body: what the schema says.
    "DEFAULT_PARSER_CLASSES": ["helpdesk.parsers.JSONParser"],
    # Test clients send JSON unless told otherwise, as the API takes JSON.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "helpdesk.pagination.CursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.throttling.RateLimits"],
    # 0: the client address is REMOTE_ADDR. Unset, DRF would trust X-Forwarded-For as the
    # client sends it, and anyone could dodge the per-address limits.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "helpdesk.openapi.AutoSchema",
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
    "DESCRIPTION": (
        "Support tickets for a cryptocurrency exchange. Authenticate with "
        "`Authorization: Token <token>` (from `POST /api/v1/auth/token/`). Bodies are JSON "
        "(multipart/form-data where files are sent); unknown fields and query parameters are "
        "a 400 naming them. Errors are `{code, detail}` plus the fields their code adds. "
        "Lists are cursor pages: follow `next`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids and tags without the common prefix: `tickets_list`, not
    # `api_v1_tickets_list` (the names of a generated client's functions).
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name for the status choices, whichever field (status, to, from_status) uses them.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tickets.models.Status",
        "AvailabilityEnum": "helpdesk.health.AVAILABILITY",
        "CategoryEnum": "tickets.models.Category",
    },
    # The error bodies, the errors every operation can answer (throttles, auth, ...), and
    # strict objects (helpdesk/openapi.py; docs/api.md "How an endpoint is described").
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.openapi.document_errors",
        "helpdesk.openapi.strict_components",
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

# HTTPS (`manage.py check --deploy` is clean when these are set for production): redirect
# plain HTTP to HTTPS, and tell browsers to use nothing but HTTPS for this long (HSTS; start
# small, e.g. 3600, and raise it to a year once HTTPS is known to work everywhere).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy on every page (django-csp): scripts, styles, images and fonts
# from this site only (the admin, the API docs and the browsable API serve theirs
# locally), no plugins, no framing, forms posting here only. Inline styles are allowed
# (the admin's widgets use style attributes); inline scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
