"""Settings shared by every environment.

Everything that differs between machines comes from the environment through one
``environ.Env`` (https://django-environ.readthedocs.io/en/latest/), as cookiecutter-django does.
"""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.offices import office_for

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# --- Core -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",  # API tokens for integrations
    "django_filters",  # API and portal list filters
    "drf_spectacular",  # OpenAPI schema at /api/schema/
    "drf_spectacular_sidecar",  # Swagger UI assets served locally, no CDN
    "django_celery_beat",
    "csp",  # Content-Security-Policy header
    "web.axes_app.AxesConfig",  # django-axes: failed logins recorded, repeated ones locked out
    # The ground floor: models and reads (review), documents (notices), alerts (notifications).
    "review",
    "notifications",
    "notices",  # official notices (PDF), stored and immutable
    "forecast",  # completion forecasts from the office's own history (docs/forecast.md)
    # The interfaces, one package each (docs/architecture.md#the-house): none imports another.
    "ops",  # the operators' commands
    "staff",  # the staff admin
    "portal",  # enterprises and industry officers
    "api",  # the REST API
    "dashboard",  # the staff performance dashboard
    "kpi",  # the dashboard's figures (read models, exports, kpi_report)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "web.input_guard.RefuseNulMiddleware",  # a NUL anywhere in input is a 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (settings below)
    # Last, as django-axes asks (https://django-axes.readthedocs.io/en/latest/2_installation.html)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "review.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL in django-environ's form (postgres://user@host:5432/name); SQLite when unset,
# which is the embedded demo default. PostgreSQL is the production database.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
# A kept connection is checked before a request reuses it: one the server closed while idle
# (a restart, a killed backend, a proxy's timeout) is replaced instead of costing a 500.
# https://docs.djangoproject.com/en/5.2/ref/settings/#conn-health-checks
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The open stages' covering index (kpi's figures, PostgreSQL's INCLUDE) is a plain index on
    # SQLite, which the demo and quick tests run on; the warning says only that.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# An optional read replica (a PostgreSQL streaming standby of DATABASE_URL): the dashboard, its
# downloads, kpi_report and the public look-up read from it; everything else, and every write,
# uses default (review/replica.py, docs/deployment.md#a-read-replica). Unset: one database.
DATABASE_ROUTERS = ["review.replica.ReplicaRouter"]
READ_REPLICA = ""
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(ATOMIC_REQUESTS=False, CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
                                CONN_HEALTH_CHECKS=True)
    READ_REPLICA = "replica"

# --- Sign-in: brute-force protection --------------------------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html : every sign-in (portal and
# admin both go through django.contrib.auth) is counted per user name *and* address; after
# AXES_FAILURE_LIMIT failures in a row that pair is refused for AXES_COOLOFF_TIME, even with the
# right password. Keyed on the pair so one office behind a shared address is not locked out by
# one mistyping colleague, and nobody can lock a user out from elsewhere. Every failure is kept
# (AccessAttempt, AccessFailureLog; both in the admin under "Axes").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "review.auth.PermissionsBackend",  # ModelBackend, permissions in one query
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
# The same client address as the rate limits (web/client_ip.py, TRUSTED_PROXY_COUNT below).
# https://django-axes.readthedocs.io/en/latest/4_configuration.html (AXES_CLIENT_IP_CALLABLE; it
# wins over the AXES_IPWARE_* settings, which need django-ipware, not installed here).
AXES_CLIENT_IP_CALLABLE = "web.client_ip.client_ip"

# --- Client address behind reverse proxies --------------------------------------------------
# https://www.django-rest-framework.org/api-guide/throttling/#how-clients-are-identified : how
# many reverse proxies of ours stand in front of the app, each appending to X-Forwarded-For.
# 0 (default): the app faces the clients, the header is ignored, the address is REMOTE_ADDR.
# N: the client is the N-th entry from the right. Too high a number lets a client choose its
# own address (and escape the look-up limit and the sign-in lockout); docs/security.md.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT: give the number of reverse proxies in front of the "
                               "app, 0 or more.")
if "AXES_IP_HEADERS" in env:
    # It named a header to read as-is, whoever wrote it (and did nothing without django-ipware).
    raise ImproperlyConfigured("AXES_IP_HEADERS is no longer read: set TRUSTED_PROXY_COUNT to the number "
                               "of reverse proxies in front of the app instead (docs/security.md).")

# --- Content-Security-Policy ----------------------------------------------------------------
# https://django-csp.readthedocs.io/en/latest/configuration.html : scripts, styles, images and
# fonts only from this site (the portal's htmx, the admin's scripts and the Swagger UI's all are
# static files here; the Swagger UI's start-up script is served as a file too, see config/urls.py).
# Inline style *attributes* stay allowed (progress bars, the admin, Swagger UI); inline scripts,
# eval, plugins, framing by other sites and form posts elsewhere are refused.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Cache ----------------------------------------------------------------------------------
# The rate limits' counters (API throttles, the public look-up, document verification) live here:
# Redis when REDIS_URL is set, shared by every web process; else the process's memory (the demo's
# single process). A Redis that hangs must not hang the site: every command gives up after
# REDIS_SOCKET_TIMEOUT seconds (docs/security.md#when-redis-is-down).
# https://docs.djangoproject.com/en/5.2/topics/cache/#redis
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)


def cache_settings(redis_url: str) -> dict:
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                        "KEY_PREFIX": "rt",
                        "OPTIONS": {"socket_timeout": REDIS_SOCKET_TIMEOUT,
                                    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}}}


CACHES = cache_settings(env("REDIS_URL", default=""))

# --- Passwords ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/i18n/ : zh-hans by default, English on request;
# LocaleMiddleware keeps the user's choice (django_language cookie / session).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL in django-environ's form: smtp://user:pass@host:25, consolemail://, filemail:///path
# (filemail:///abs/path is an absolute path, as documented: django-environ drops that slash.)


def email_settings(url: str) -> dict:
    config = env.email_url_config(url)
    if url.startswith("filemail:///"):
        config["EMAIL_FILE_PATH"] = "/" + config["EMAIL_FILE_PATH"].lstrip("/")
    return config


vars().update(email_settings(env("EMAIL_URL", default="consolemail://")))
# A mail server that accepts the connection and then says nothing must not hold a sweep or a
# worker for ever (scan_deadlines hung on one): seconds per SMTP operation.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="review-tracker@localhost")

# --- REST framework -------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with `WWW-Authenticate: Token`.
        "api.authentication.TokenAuthentication",  # the user's permissions in the same statement
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Per-caller request rates (web/throttles.py; API_THROTTLE_RATES below).
    "DEFAULT_THROTTLE_CLASSES": [
        "web.throttles.AnonymousRateThrottle",
        "web.throttles.UserRateThrottle",
    ],
    # Our throttles key on web.client_ip (get_ident); this makes DRF's own classes, should one
    # be used, trust X-Forwarded-For exactly as far (without it they key on the whole header).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # Deeply nested JSON is a 400, not a RecursionError (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # https://drf-spectacular.readthedocs.io/en/latest/readme.html#installation
    "DEFAULT_SCHEMA_CLASS": "api.openapi.AutoSchema",  # names nested serializers
}

# Requests per caller before a 429 with Retry-After: anonymous callers by address, signed-in
# callers (token or session) by user. Generous for people and integrations, fatal to guessing.
API_THROTTLE_RATES = {
    "anon": env("API_THROTTLE_ANON", default="30/min"),
    "user": env("API_THROTTLE_USER", default="600/min"),
}

# Seconds a case's API detail payload is kept in the cache (docs/api.md#the-detail-cache); its
# key changes with every write to the case, so this bounds memory, not staleness. 0 keeps none.
API_DETAIL_CACHE_SECONDS = env.int("API_DETAIL_CACHE_SECONDS", default=600)

# --- API schema, portal and supplement uploads ----------------------------------------------
# https://drf-spectacular.readthedocs.io/en/latest/settings.html ; "SIDECAR": the Swagger UI files
# come from the drf-spectacular-sidecar package through staticfiles (users' networks may block CDNs).
SPECTACULAR_SETTINGS = {
    "TITLE": "Registration-review tracker API",
    "DESCRIPTION": "Applications with their stages, deadlines and pauses, the timeline, supplement "
                   "requests and answers, intents, and staff transitions; scoped to the caller "
                   "exactly like the portal. Guide: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "review.models.enums.CaseState",
        "StageStateEnum": "review.models.enums.StageState",
        "StageKindEnum": "review.models.enums.StageKind",
        "LateLevelEnum": "clock.sla.LATE_LEVELS",
    },
}
# https://docs.djangoproject.com/en/5.2/ref/settings/#login-url : the portal's sign-in page.
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"
# Supplement documents are kept outside the web root (no MEDIA_URL serves them); only the portal's
# and the API's download views hand them out, after checking the case is visible to the caller.
SUPPLEMENT_UPLOAD_ROOT = env.path("DJANGO_UPLOAD_ROOT", default=BASE_DIR / "var" / "uploads")
SUPPLEMENT_MAX_FILE_BYTES = env.int("SUPPLEMENT_MAX_FILE_BYTES", default=20 * 1024 * 1024)
SUPPLEMENT_MAX_FILES = 20

# --- Celery ---------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# REDIS_URL is the broker; unset, the demo uses kombu's filesystem transport under var/broker
# (one machine only, no server). Results are not kept: tasks write what matters to the database.
REDIS_URL = env("REDIS_URL", default="")
BROKER_DIR = BASE_DIR / "var" / "broker"
# Redis as the broker: a publish or a health check that gets no answer gives up within seconds
# (kombu's redis transport options), so a hung Redis never holds a web request.
REDIS_BROKER_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 2, "socket_connect_timeout": 2}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_OPTIONS
else:
    # The demo's broker: folders under var/broker, made when Celery first configures itself
    # (config/celery_app.py), not when these settings are imported.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task is acknowledged after it ran, so a worker killed mid-send leaves it for another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request must not hang when the broker is down: fail fast, the outbox
# keeps the message and the next sweep sends it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- The product ----------------------------------------------------------------------------
# True only in config.settings.production: demo seeding refuses to run there.
PRODUCTION = False
# Which jurisdiction's policy packs bind new applications (national statutory is the fallback).
REVIEW_JURISDICTION = env("REVIEW_JURISDICTION", default="CQ")
# Base address used in links of e-mails: `SITE_URL` in production (required there); otherwise the
# address the demo serves on, http://127.0.0.1:$PORT (`make demo` exports PORT).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

# --- Official notices and the public contact (docs/notices.md) ------------------------------
# The issuing office, its document numbers ({code}: the kind's code below, {year}, {seq}: one
# sequence per code and year) and the body that hears an administrative reconsideration of its
# decisions (Administrative Reconsideration Law Art. 20-24: the people's government at the same level).
# Both follow the jurisdiction unless set (config/offices.py: a Shanghai deployment prints 上海).
NOTICE_OFFICE_NAME = env("NOTICE_OFFICE_NAME", default=office_for(REVIEW_JURISDICTION).name)
NOTICE_NUMBER_PATTERN = env("NOTICE_NUMBER_PATTERN", default="渝药监械{code}〔{year}〕{seq:04d}号")
# A production licence's approval (准予许可, Order 53) is numbered in its own series.
NOTICE_KIND_CODES = {"acceptance": "受", "missing_items": "告", "supplement": "补",
                     "rectification": "改", "refusal": "不", "approval": "准", "approval_licence": "许"}
NOTICE_RECONSIDERATION_BODY = env("NOTICE_RECONSIDERATION_BODY",
                                  default=office_for(REVIEW_JURISDICTION).reconsideration_body)
# docs/notices.md#signatures: every issued document is signed (PAdES) with the
# office's key and certificate, PEM files; the key's passphrase from the environment; the CA
# certificates above the signing certificate (optional: else the certificate itself is trusted).
# Production refuses to start without key and certificate; elsewhere, with none set, a local demo
# CA is made once under NOTICE_SIGNING_DEMO_DIR (its names say it has no legal effect).
NOTICE_SIGNING_KEY = env("NOTICE_SIGNING_KEY", default="")
NOTICE_SIGNING_CERT = env("NOTICE_SIGNING_CERT", default="")
NOTICE_SIGNING_PASSPHRASE = env("NOTICE_SIGNING_PASSPHRASE", default="")
NOTICE_SIGNING_CHAIN = env.list("NOTICE_SIGNING_CHAIN", default=[])
NOTICE_SIGNING_DEMO_DIR = BASE_DIR / "var" / "demo-ca"
# Public document verification (no login): files larger than this are refused (400).
NOTICE_VERIFY_MAX_BYTES = 20 * 1024 * 1024
NOTICE_KIND_CODES.update({"certificate": "证", "change_document": "变", "licence": "照"})
# The handling department's public contact shown to enterprises (never a member of staff's name).
OFFICE_CONTACT = {
    "department": env("OFFICE_CONTACT_DEPARTMENT", default="医疗器械注册受理窗口"),
    "phone": env("OFFICE_CONTACT_PHONE", default=""),
    "address": env("OFFICE_CONTACT_ADDRESS", default=""),
    "hours": env("OFFICE_CONTACT_HOURS", default=""),
}
# Public progress look-up (no login): requests per client and hour, page and API alike. The
# counts live in the cache: Redis when REDIS_URL is set (shared by every web process), else the
# process's memory (the demo's single process).
LOOKUP_RATE = env("LOOKUP_RATE", default="20/hour")
# Public document verification (docs/notices.md): the same default rate, counted apart.
VERIFY_RATE = env("VERIFY_RATE", default=LOOKUP_RATE)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # pyHanko logs every signature that fails to validate with a traceback; on the public
    # verification a forged or edited upload is an answer to its sender, not an operational error.
    "loggers": {"pyhanko": {"level": "CRITICAL"}, "pyhanko_certvalidator": {"level": "CRITICAL"}},
}
if not REDIS_URL:
    # The demo's filesystem broker has no host: kombu warns "No hostname was supplied. Reverting to
    # default 'localhost'" at every publish, which `seed_demo` and `make demo` printed to the user.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
