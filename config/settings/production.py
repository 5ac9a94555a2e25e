"""Production: every secret from the environment with no default, so a missing one stops start-up.

Passes `manage.py check --deploy` (https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/).
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_BROKER_OPTIONS, cache_settings, email_settings, env

DEBUG = False
PRODUCTION = True
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Links in e-mails point here (e.g. https://review.example.gov.cn); no default in production.
SITE_URL = env("SITE_URL")
DATABASES = {"default": env.db("DATABASE_URL")}
# the office's signing key and certificate (PEM files), no default: without them no
# document could be signed, so start-up stops. The passphrase comes from the environment too.
NOTICE_SIGNING_KEY = env("NOTICE_SIGNING_KEY")
NOTICE_SIGNING_CERT = env("NOTICE_SIGNING_CERT")
for _setting, _path in (("NOTICE_SIGNING_KEY", NOTICE_SIGNING_KEY), ("NOTICE_SIGNING_CERT", NOTICE_SIGNING_CERT)):
    if not Path(_path).exists():
        raise ImproperlyConfigured(f"{_setting}: no file at {_path}; give the path of the office's PEM file.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # as in base.py: a dead kept connection is replaced
if READ_REPLICA:  # noqa: F405 (base.py's DATABASE_REPLICA_URL; DATABASES was replaced above)
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"], CONN_HEALTH_CHECKS=True)

# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header : X-Forwarded-Proto
# says "this came over HTTPS" only when our own proxy wrote it. With no proxy in front
# (TRUSTED_PROXY_COUNT=0) a client could send it itself over plain HTTP and be taken for secure.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None  # noqa: F405
# https://docs.djangoproject.com/en/5.2/ref/middleware/#http-strict-transport-security
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise to browsers' built-in lists that every subdomain speaks HTTPS for good,
# hard to take back; the office opts in (DJANGO_SECURE_HSTS_PRELOAD=true) once it has checked
# (https://hstspreload.org/#removal). Not preloading is then a decision, not an oversight.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# No silent fallbacks in production. The console e-mail backend and the filesystem
# broker are for `make demo` on one machine; without EMAIL_URL and REDIS_URL start-up stops.
vars().update(email_settings(env("EMAIL_URL")))
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_OPTIONS
CACHES = cache_settings(REDIS_URL)
