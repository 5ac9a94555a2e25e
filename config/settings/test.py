"""Tests: the real PostgreSQL when DATABASE_URL is set (CI), SQLite otherwise."""

from .base import *  # noqa: F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Hashing demo/test passwords with PBKDF2 costs seconds per test; MD5 is fine for throwaway users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected static files in tests: WhiteNoise would warn on every request.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
# Tasks run in-process (after commit) unless a test starts a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
SITE_URL = "http://testserver"
# Throttle counters per test process, not in the shared Redis; rates high enough never to bite
# unless a test lowers them (tests/security/test_logins.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
API_THROTTLE_RATES = {"anon": "100000/min", "user": "100000/min"}
# the tests' own demo CA (made once, kept between runs), apart from the demo's.
NOTICE_SIGNING_DEMO_DIR = BASE_DIR / "var" / "test-demo-ca"  # noqa: F405
# A second alias on the same test database, as a replica would be: the routing tests
# (tests/review/test_replica.py) turn READ_REPLICA on to prove which reads go to it.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA = ""
