"""Delete stored supplement files that no document row points to (left by a rolled-back answer)."""

from django.core.management.base import BaseCommand

from services.documents import uploads_prune_orphans


class Command(BaseCommand):
    help = "Delete orphaned supplement uploads older than --hours (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours, **options):
        removed = uploads_prune_orphans(older_than_seconds=hours * 3600)
        for name in removed:
            self.stdout.write(f"removed {name}")
        self.stdout.write(f"{len(removed)} orphaned file(s) removed.")
