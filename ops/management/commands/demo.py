"""`make demo`'s last step: run the product's processes in the foreground and print where it is.

Web server, one Celery worker and exactly one beat (the scheduler): one command starts them all and
Ctrl-C stops them all. The broker is Redis when REDIS_URL is set, else kombu's filesystem transport
(no server). E-mail goes to the console unless EMAIL_URL says otherwise.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from ops.management.commands.seed_demo import PASSWORD


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the demo: web server (and its companions) on 127.0.0.1:PORT until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))

    def processes(self, port: int) -> dict[str, list[str]]:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "config"]
        return {
            "web": [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            # Exactly one beat: two would run every periodic task twice.
            "beat": [*celery, "beat", "--loglevel", "INFO"],
        }

    @staticmethod
    def environment(port: int) -> dict[str, str]:
        """What the children run with, beside the caller's environment."""
        return {
            # The worker and beat write the e-mails: their links must name this port (SITE_URL).
            "PORT": str(port),
            # Celery alone defaults to production settings (config/celery_app.py): the demo's
            # worker and beat run on the settings this command runs on.
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
            # The demo shows the product as its users see it: the product's own 404 and 500 pages
            # in their language, not Django's debug pages (which list every URL). DJANGO_DEBUG=true
            # brings those back for development.
            "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "false"),
        }

    def handle(self, *args, port, **options):
        base = f"http://127.0.0.1:{port}"
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(self.style.SUCCESS(f"\nRegistration-review tracker running on {base}"))
        self.stdout.write(
            f"  Admin (staff):       {base}/admin/\n"
            f"  Portal (enterprises, industry officers): {base}/portal/\n"
            f"  API docs:            {base}/api/docs/   (schema: {base}/api/schema/)\n"
            f"  Calendar API:        {base}/api/v1/calendar/add-working-days?start=2026-09-30&days=5\n"
            f"  Health:              {base}/healthz\n"
            f"  Database:            {db}\n"
            f"  Broker:              {settings.CELERY_BROKER_URL.split('@')[-1]}\n"
            "  Deadline sweep now:  .venv/bin/python manage.py scan_deadlines --force-digest\n"
            f"  Logins (password {PASSWORD}): admin, acceptance, reviewer, inspector, tester,\n"
            f"    approver, supervisor, director, officer, enterprise-a, enterprise-b\n"
            "  Stop with Ctrl-C.\n"
        )
        # SIGTERM (e.g. from a supervisor or `timeout`) stops the children too, like Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        os.environ.update(self.environment(port))
        children = {name: subprocess.Popen(cmd) for name, cmd in self.processes(port).items()}
        try:
            while all(p.poll() is None for p in children.values()):
                time.sleep(0.5)
            dead = [n for n, p in children.items() if p.poll() is not None]
            self.stderr.write(f"demo: {', '.join(dead)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for p in children.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in children.values():
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
