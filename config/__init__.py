"""Settings (``base``, ``local`` for the demo, ``test``, ``production``), URLs, WSGI and the Celery
app: the composition root, which may import every room.
"""

# Load Celery with Django so that @shared_task binds to this app.
from .celery_app import app as celery_app

__all__ = ("celery_app",)
