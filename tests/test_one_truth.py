"""One truth about every case: on the demo data, the admin, the portal, the API, the public look-up
and every digest say the same of each case: whether a date has passed and which (the statutory
limit before the target), the next date still ahead, and the level a digest lists it under."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from notifications.digests import digests_send
from notifications.sweep import deadlines_sweep
from review import deadlines
from review.models import Application, Stage, User
from review.selectors import calendar_current
from review.selectors_lookup import application_lookup
from tests.case_fixtures import token_client, uploads  # noqa: F401

pytestmark = pytest.mark.django_db
RANK = {level: i for i, level in enumerate(("breach", "statutory_near", "overdue", "due_soon"))}
HEADINGS = {"已超法定时限": "breach", "临近法定时限": "statutory_near", "已超目标时限": "overdue",
            "临近目标时限": "due_soon"}


def _truth(today, cal):
    """From the stored dates, by review.deadlines: each case's worst passed date (late), its
    earliest office date still ahead, and its worst level."""
    late, ahead, level = {}, {}, {}
    for s in Stage.objects.filter(state="running"):
        statutory = None if s.statutory_reference else s.statutory_due
        passed = deadlines.case_late_level(s.target_due, statutory, today)
        if passed and (late.get(s.application_id) is None or passed == "breach"):
            late[s.application_id] = passed
        for day in (s.target_due, statutory):
            if day and day >= today:
                ahead[s.application_id] = min(day, ahead.get(s.application_id, day))
        lv = deadlines.stage_level(s, today, cal)
        if lv in RANK and (s.application_id not in level or RANK[lv] < RANK[level[s.application_id]]):
            level[s.application_id] = lv
    return late, ahead, level


def test_every_interface_agrees_on_every_demo_case(uploads):  # noqa: F811
    call_command("seed_demo", stdout=io.StringIO())
    today, cal = timezone.localdate(), calendar_current()
    late, ahead, level = _truth(today, cal)
    cases = list(Application.objects.exclude(state="draft").select_related("enterprise"))
    # The demo has cases of every kind, so agreement below means something.
    assert set(late.values()) == {"breach", "overdue"} and len(late) < len(cases)

    # API, as staff who read every office (the national reader; the demo has two offices): the
    # list's late_level and the detail's late_date and next date.
    staff = token_client(User.objects.get(username="national"))
    listed = {}
    url = "/api/v1/applications/?page_size=100"
    while url:
        page = staff.get(url).json()
        listed.update({item["id"]: item for item in page["results"]})
        url = page["next"]
    compared_next = 0
    for app in cases:
        assert listed[app.pk]["late_level"] == late.get(app.pk), app.reference
        detail = staff.get(f"/api/v1/applications/{app.pk}/").json()
        assert (detail["late_date"] or {}).get("level") == late.get(app.pk), app.reference
        nxt = detail["next_date"]
        if nxt and nxt["unit"] == "working_days":
            assert nxt["date"] == ahead[app.pk].isoformat(), app.reference
            compared_next += 1
        else:  # the applicant's answer is due first, or nothing is ahead
            assert app.pk not in ahead or nxt["date"] <= ahead[app.pk].isoformat(), app.reference

        # The public look-up: the same passed date and the same office date ahead.
        found = application_lookup(reference=app.reference, credit_code=app.enterprise.credit_code, today=today)
        assert found.late == late.get(app.pk), app.reference
        assert found.next_date == ahead.get(app.pk), app.reference

    assert compared_next >= 5

    # The admin's filters, computed from the same dates.
    admin = Client()
    admin.force_login(User.objects.get(username="national"))
    for value, expected in (("overdue", set(late)), ("breach", {k for k, v in late.items() if v == "breach"})):
        html = admin.get(f"/admin/review/application/?deadline={value}&all=").content.decode()
        shown = {app.pk for app in cases if f">{app.reference}<" in html}
        assert shown == expected and expected, value

    # The portal: each enterprise's cards and each case page say the same passed date.
    for username in ("enterprise-a", "enterprise-b", "enterprise-sh"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for app in (a for a in cases if a.enterprise_id == user.enterprise_id):
            page = client.get(f"/portal/applications/{app.pk}/").content.decode()
            card = re.search(r'id="late-date".*?</section>', page, re.S)
            if late.get(app.pk):
                label = "已超法定时限" if late[app.pk] == "breach" else "已超目标时限"
                assert card and label in card.group(0), app.reference
            else:
                assert card is None, app.reference

    # Every digest lists each case under the case's own level, whoever reads it.
    mail.outbox.clear()
    deadlines_sweep(today=today)
    digests_send(today=today, force=True)
    by_ref = {app.reference: app.pk for app in cases}
    checked = 0
    for message in mail.outbox:
        heading = None
        for line in message.body.splitlines():
            if line.startswith("== "):
                heading = HEADINGS.get(line[3:].split("（")[0])
            elif line.startswith("- ") and heading:
                ref = line[2:].split(" ")[0]
                assert heading == level[by_ref[ref]], (message.to, line)
                checked += 1
    assert checked >= 10
