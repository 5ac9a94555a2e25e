"""Local development and `make demo`: SQLite unless DATABASE_URL is set, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Static files straight from the apps (no collectstatic), also when the demo runs without DEBUG.
WHITENOISE_USE_FINDERS = True

# Demo only: a made-up public contact so the portal and the notices show where it goes.
OFFICE_CONTACT = {**OFFICE_CONTACT, "phone": env("OFFICE_CONTACT_PHONE", default="023-0000 0000（演示）"),  # noqa: F405
                  "hours": env("OFFICE_CONTACT_HOURS", default="工作日 9:00–17:00（演示）")}
