"""The demo data (`seed_demo`, run by `make demo`) loads every kind of case once, shows the
applicant's time apart from the office's, and can be run again without duplicating anything."""

import io

import pytest
from django.core.management import call_command

from review.models import Application, ClockStop, SupplementDocument
from tests.case_fixtures import uploads  # noqa: F401

pytestmark = pytest.mark.django_db


def test_demo_loads_answered_supplements_once(uploads):  # noqa: F811
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Loaded 40 demo applications." in out.getvalue()
    answered = ClockStop.objects.filter(answered=True, reason="supplement")
    assert answered.exists()
    for stop in answered:
        # Asked during the review, answered before the review was decided, with its document.
        assert stop.started_on < stop.ended_on <= stop.stage.finished_on
        [document] = SupplementDocument.objects.filter(clock_stop=stop)
        with document.file.open("rb") as f:
            assert b"/Type /Page" in f.read()  # a page a viewer can open, not an empty shell
    # Each demo enterprise has a supplement still to answer (the README's walkthrough).
    open_requests = ClockStop.objects.filter(reason="supplement", ended_on__isnull=True)
    assert len(set(open_requests.values_list("stage__application__enterprise", flat=True))) == 2
    # Two offices (docs/offices.md): each case's reference begins with its office's code, the
    # Shanghai staff read Shanghai's cases only, the national reader every case.
    from review.models import Office, User
    from review.selectors import applications_visible_to

    sh = Office.objects.get(code="SH")
    assert {u.office for u in User.objects.filter(username__in=["sh-reviewer", "sh-supervisor"])} == {sh}
    refs = list(Application.objects.values_list("reference", "office__code"))
    assert {code for _ref, code in refs} == {"CQ", "SH"} and all(ref.startswith(code) for ref, code in refs)
    assert applications_visible_to(User.objects.get(username="national")).count() == len(refs)
    sh_cases = set(applications_visible_to(User.objects.get(username="sh-reviewer")))
    assert sh_cases == set(sh.applications.all()) and len(sh_cases) == 12
    cases = Application.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Application.objects.count() == cases
    assert ClockStop.objects.filter(answered=True).count() == answered.count()
