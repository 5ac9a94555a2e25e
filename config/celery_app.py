"""The Celery application: Redis in production (REDIS_URL), kombu's filesystem transport for the
demo when REDIS_URL is unset, so `make demo` needs no server.

Deadlines are never Celery ETA/countdown tasks (Redis redelivers long ETAs and they are lost on a
purge): they are dates in the database that the periodic sweep compares with today.
https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery

# A worker or beat started without DJANGO_SETTINGS_MODULE runs on production settings, which stop
# start-up without EMAIL_URL and REDIS_URL: a stray worker never "sends" mail to the console or
# queues on the demo's folder broker. `make demo` and manage.py set config.settings.local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("review_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _broker_folders(sender, **kwargs):
    """The demo's filesystem broker needs its folders; made on first use, not at import."""
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem:"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)
