"""The Celery application: Redis in production (REDIS_URL), kombu's filesystem transport for the
demo when REDIS_URL is unset, so `make demo` needs no server.

Deadlines are never Celery ETA/countdown tasks (Redis redelivers long ETAs and they are lost on a
purge): they are dates in the database that the periodic sweep compares with today.
https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("review_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
