"""Re-project running cases onto the current rules of the pack they are bound to.

Run after a migration corrected the shipped packs (review.0006: testing has no statutory limit,
Shanghai has no decision target, Lishui has no stage targets ...): cases already running keep the
numbers they were given until an administrator re-projects them (docs/policy-packs.md#upgrading-running-cases), and each
re-projection is logged on the case with the old and new deadlines. It also moves open applicant
deadlines ending on a rest day (Civil Code Art. 203), parallel licences counted from the
registration's approval (Order 53 Art. 10(1)) and technical reviews whose statutory limit counted from
the acceptance instead of the hand-over (Order 47 Arts. 91, 92), each move logged.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from review.exceptions import ApplicationError
from review.models import Application, PolicyPack
from review.models.enums import OPEN_STATES, StageState
from services import policy


class Command(BaseCommand):
    help = "Re-project the running and paused stages of open cases onto their pack's current rules (logged)."

    def add_arguments(self, parser):
        parser.add_argument("--actor", required=True,
                            help="Username of the administrator answerable for the re-projection (logged).")
        parser.add_argument("--pack", action="append", default=[],
                            help="Only cases bound to this pack code (repeatable); default: every pack.")
        parser.add_argument("--dry-run", action="store_true", help="Count the cases, change nothing.")

    def handle(self, *args, actor, pack, dry_run, **options):
        try:
            user = get_user_model().objects.get(username=actor, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"--actor: no active user {actor!r}.") from None
        if not user.has_perm(policy.REPROJECT_PERMISSION):
            raise CommandError(f"--actor: {actor} may not re-project cases (needs {policy.REPROJECT_PERMISSION}).")
        unknown = set(pack) - set(PolicyPack.objects.filter(code__in=pack).values_list("code", flat=True))
        if unknown:
            raise CommandError(f"--pack: unknown pack code(s) {', '.join(sorted(unknown))}.")
        cases = (Application.objects.filter(state__in=OPEN_STATES, policy_pack__isnull=False)
                 .filter(Q(stages__state__in=[StageState.RUNNING, StageState.PAUSED]))
                 .select_related("policy_pack").distinct().order_by("pk"))
        if pack:
            cases = cases.filter(policy_pack__code__in=pack)
        total = cases.count()
        if dry_run:
            self.stdout.write(f"{total} open cases would be re-projected.")
            return
        changed_cases = changed_stages = 0
        for app in cases.iterator():
            try:
                moved = policy.application_rebind_policy(application=app, actor=user, pack=app.policy_pack)
            except ApplicationError as exc:
                self.stderr.write(f"{app.reference}: {exc.message}")
                continue
            changed_stages += moved
            changed_cases += bool(moved)
        self.stdout.write(self.style.SUCCESS(
            f"{total} open cases checked; {changed_cases} had deadlines re-projected ({changed_stages} stage or "
            "applicant deadlines, each logged with its old and new dates)."))
