"""Who receives which alert (docs/operations.md#alert-levels-and-recipients), resolved with a fixed number of queries.

| level             | to                                                       |
|-------------------|----------------------------------------------------------|
| due soon          | the assignee (else the stage's handlers in its department) |
| overdue           | the assignee and the department's supervisors            |
| statutory near    | the department's supervisors and the directors           |
| statutory passed  | the department's supervisors and the directors           |
| applicant overdue | the enterprise contact and the acceptance officers       |
| renewal           | the enterprise contact and the acceptance officers       |

Staff are those of the case's office only (docs/offices.md). A department with no supervisor
escalates to every supervisor of the office, so no alert goes unread.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from review.models import User
from review.permissions import DIRECTOR, FILE, MODEL_BACKEND, STAGE_KIND_PERMISSION, SUPERVISE

from .models import AlertLevel

ACCEPT = "review.accept_application"


@dataclass(frozen=True)
class Recipient:
    email: str
    user_id: int | None
    language: str
    staff: bool


def _users_with(perm: str) -> list[User]:
    users = User.objects.with_perm(perm, include_superusers=False, backend=MODEL_BACKEND)
    return [u for u in users.filter(is_active=True) if u.email]


class Directory:
    """Everyone an alert can go to, loaded once per sweep (one query per permission)."""

    def __init__(self):
        self.by_id: dict[int, User] = {}
        self.handlers: dict[str, list[User]] = {}
        for perm in set(STAGE_KIND_PERMISSION.values()):
            self.handlers[perm] = self._remember(_users_with(perm))
        self.supervisors = self._remember(_users_with(SUPERVISE))
        self.directors = self._remember(_users_with(DIRECTOR))
        self.acceptance = self._remember(_users_with(ACCEPT))
        self.enterprise_users: dict[int, list[User]] = defaultdict(list)
        for u in User.objects.with_perm(FILE, include_superusers=False, backend=MODEL_BACKEND).filter(
                is_active=True, enterprise__isnull=False):
            if u.email:
                self.enterprise_users[u.enterprise_id].append(u)

    def _remember(self, users):
        for u in users:
            self.by_id[u.pk] = u
        return users

    def load_assignees(self, ids) -> None:
        missing = set(ids) - set(self.by_id)
        if missing:
            self._remember(User.objects.filter(pk__in=missing, is_active=True).exclude(email=""))

    @staticmethod
    def _staff(user: User) -> Recipient:
        return Recipient(user.email, user.pk, user.language, True)

    @staticmethod
    def _in_office(users, office_id):
        return [u for u in users if u.office_id == office_id]

    def _in_department(self, users, department_id, office_id):
        users = self._in_office(users, office_id)
        mine = [u for u in users if u.department_id == department_id]
        return mine or users

    def for_stage(self, level: str, kind: str, department_id, assignee_id, office_id) -> list[Recipient]:
        perm = STAGE_KIND_PERMISSION[kind]
        if assignee_id and assignee_id in self.by_id:
            handlers = [self.by_id[assignee_id]]
        else:
            handlers = self._in_department(self.handlers.get(perm, []), department_id, office_id)
        supervisors = self._in_department(self.supervisors, department_id, office_id)
        if level == AlertLevel.DUE_SOON:
            people = handlers
        elif level == AlertLevel.OVERDUE:
            people = handlers + supervisors
        else:  # statutory limit near or passed
            people = supervisors + self._in_office(self.directors, office_id)
        return unique([self._staff(u) for u in people])

    def for_enterprise(self, enterprise_id: int, contact_email: str, office_id) -> list[Recipient]:
        """The enterprise contact (else its users), and the acceptance officers."""
        users = self.enterprise_users.get(enterprise_id, [])
        out = []
        if contact_email:
            lang = next((u.language for u in users if u.email == contact_email), "zh-hans")
            out.append(Recipient(contact_email, None, lang, False))
        else:
            out += [Recipient(u.email, u.pk, u.language, False) for u in users]
        return unique(out + [self._staff(u) for u in self._in_office(self.acceptance, office_id)])


def unique(recipients: list[Recipient]) -> list[Recipient]:
    seen, out = set(), []
    for r in recipients:
        if r.email.lower() not in seen:
            seen.add(r.email.lower())
            out.append(r)
    return out
