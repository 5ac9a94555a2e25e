"""Issue (or rotate, or revoke) a user's REST API token: `manage.py api_token enterprise-a`."""

from django.core.management.base import BaseCommand, CommandError

from review.models import User
from services import accounts


class Command(BaseCommand):
    help = "Print a user's API token, creating it if needed (--rotate replaces it, --revoke deletes it)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="Replace the token; the old one stops working.")
        group.add_argument("--revoke", action="store_true", help="Delete the token.")

    def handle(self, *args, username, rotate, revoke, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if revoke:
            had = accounts.api_token_revoke(user=user)
            self.stdout.write(f"Token of {username} revoked." if had else f"{username} had no token.")
            return
        if not user.is_active:
            raise CommandError(f"{username} is inactive; activate the account first.")
        token = accounts.api_token_issue(user=user, rotate=rotate)
        self.stdout.write(token.key)
