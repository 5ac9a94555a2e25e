"""One deadline sweep, synchronously (docs/operations.md#the-sweep-by-hand)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications.digests import digests_send
from notifications.emails import outbound_send_pending
from notifications.models import AlertLevel
from notifications.sweep import deadlines_sweep


class Command(BaseCommand):
    help = ("Run one deadline sweep now: raise the alerts that are due, then send the digests owed "
            "(working days only, unless --force-digest) and any case e-mail still pending.")

    def add_arguments(self, parser):
        parser.add_argument("--no-email", action="store_true", help="Raise alerts but send nothing.")
        parser.add_argument("--force-digest", action="store_true",
                            help="Send digests even if today is not a working day.")
        parser.add_argument("--today", help="Sweep as of this date (YYYY-MM-DD), for trials.")

    def handle(self, *args, no_email, force_digest, today, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today: use the form YYYY-MM-DD, e.g. 2026-11-24.") from None
        result = deadlines_sweep(today=day)
        self.stdout.write(f"Sweep of {result.today}:")
        for level in AlertLevel:
            self.stdout.write(f"  {level.value:18} {result.raised.get(level.value, 0):6d} new alerts")
        self.stdout.write(f"  {result.deliveries} deliveries queued")
        if no_email:
            self.stdout.write("E-mail not sent (--no-email).")
            return
        sent, failed = outbound_send_pending()
        self.stdout.write(f"Case e-mails: {sent} sent, {failed} failed (kept for the next sweep).")
        digests = digests_send(today=result.today, force=force_digest)
        if digests.held:
            self.stdout.write(f"Digests held: {result.today} is not a working day (--force-digest sends).")
        else:
            self.stdout.write(f"Digests: {len(digests.sent)} sent, {len(digests.failed)} failed.")
            for email, error in digests.failed.items():
                self.stderr.write(f"  {email}: {error}")
        if failed or (not digests.held and digests.failed):
            # cron and systemd see the failure (exit status 1); the e-mails stay owed and the next
            # sweep sends them.
            raise CommandError(f"{failed} case e-mail(s) and {0 if digests.held else len(digests.failed)} "
                               "digest(s) could not be sent; they are kept for the next sweep.")
