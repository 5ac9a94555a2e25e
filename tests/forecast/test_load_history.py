"""``generate_load --history-years``: generated history whose durations vary as real ones do."""

import datetime as dt
import statistics
from collections import defaultdict
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from ops.load_history import runs_over_spring_festival, spring_festival
from review.models import Application, ClockStop, Stage
from review.models.enums import KIND_CASE_STATE


def test_history_spreads_cases_over_the_years_with_varied_skewed_durations(db, settings, tmp_path):
    settings.SUPPLEMENT_UPLOAD_ROOT = tmp_path / "uploads"
    out = StringIO()
    call_command("generate_load", applications=400, rounds=1, history_years=2, no_sweep=True, stdout=out)
    assert "400 / 400 history cases" in out.getvalue()
    today = timezone.localdate()
    cases = Application.objects.filter(reference__startswith="LD")
    assert cases.count() == 400
    submitted = list(cases.values_list("submitted_on", flat=True))
    assert min(submitted) < today - dt.timedelta(days=600) and max(submitted) > today - dt.timedelta(days=60)
    reviews = Stage.objects.filter(application__in=cases, kind="technical_review", state="done")
    days = defaultdict(list)
    for s in reviews.select_related("application"):
        days[s.application.device_class].append((s.finished_on - s.started_on).days)
    review_days = [d for ds in days.values() for d in ds]
    assert len(set(review_days)) > 20  # not one template's single duration
    assert statistics.mean(review_days) > statistics.median(review_days)  # skewed to the right
    supplemented = ClockStop.objects.filter(stage__in=reviews, reason="supplement").count()
    assert 0.2 < supplemented / reviews.count() < 0.47  # about a third
    # States agree with the stages: an approved case has every stage done or skipped; an open one
    # is in the state of its first unfinished phase; nothing has started after today.
    for app in cases.prefetch_related("stages"):
        states = {s.state for s in app.stages.all()}
        assert all(s.started_on is None or s.started_on <= today for s in app.stages.all())
        if app.state == "approved":
            assert states <= {"done", "skipped"} and app.closed_on <= today
        else:
            live = [s for s in app.stages.all() if s.state in ("running", "paused", "pending")]
            first = min(s.phase for s in live)
            assert app.state == KIND_CASE_STATE[next(s.kind for s in live if s.phase == first)]


def test_the_spring_festival_window():
    assert spring_festival(dt.date(2026, 2, 17)) and spring_festival(dt.date(2026, 1, 20))
    assert not spring_festival(dt.date(2026, 3, 11)) and not spring_festival(dt.date(2026, 1, 19))


def test_a_stage_running_over_the_whole_festival_is_slowed_too():
    """Not only a stage starting or ending in the weeks around it: one from November to April ran
    over all of them."""
    assert runs_over_spring_festival(dt.date(2025, 11, 3), dt.date(2026, 4, 20))
    assert runs_over_spring_festival(dt.date(2026, 3, 2), dt.date(2026, 5, 1))
    assert not runs_over_spring_festival(dt.date(2026, 3, 11), dt.date(2026, 12, 31))
    assert not runs_over_spring_festival(dt.date(2025, 4, 1), dt.date(2026, 1, 19))
