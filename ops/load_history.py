"""Generated history for the forecast's backtest: ``generate_load --history-years Y``.

Cloned templates all share their template's dates, so every clone of a route takes the same days
and a forecast has nothing to learn. Here each case is a template's route (its stages, phases,
limits and departments, as the workflow built them) re-timed by draws that vary the way real
durations do:

* **skewed**: office working days are log-normal (a long right tail), with a median and spread by
  stage kind, and by class and category where they differ (testing by category; Class III slower);
* **slower around the Spring Festival**: a stage running over the weeks around it (20 Jan – 10 Mar)
  takes 25% longer, on top of the holiday the calendar already removes;
* **slower under load**: intake follows a monthly load index (a yearly wave and noise), and a
  stage that starts in a busy month takes proportionally longer;
* **a third of reviews with a supplement** (technical and national review), answered in log-normal
  calendar days (median 40, capped at the year Order 47 Art. 54 gives); 15% of QMS verifications
  with a rectification (median 60 calendar days).

None of these figures is a legal number or a measured one: they are the generator's defaults,
chosen to look like a regulator's office, and only for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from review.models.enums import KIND_CASE_STATE, StageKind

# (median office working days, log-normal sigma), by stage kind; testing by category.
OFFICE = {
    StageKind.PRESUBMISSION: (15, 0.6), StageKind.ACCEPTANCE: (3, 0.5), StageKind.LICENCE_ACCEPTANCE: (3, 0.5),
    StageKind.TECHNICAL_REVIEW: (50, 0.4), StageKind.NATIONAL_REVIEW: (75, 0.35),
    StageKind.QMS_VERIFICATION: (20, 0.5), StageKind.LICENCE_INSPECTION: (18, 0.5),
    StageKind.MERGED_INSPECTION: (24, 0.5), StageKind.DECISION: (8, 0.5), StageKind.ISSUANCE: (4, 0.5),
    StageKind.LICENCE_DECISION: (10, 0.5), StageKind.LICENCE_ISSUANCE: (4, 0.5),
}
TESTING = {"passive": (50, 0.35), "ivd": (34, 0.35), "active": (95, 0.35)}
CLASS_III = 1.2  # provincial stages of Class III cases
SUPPLEMENT = {StageKind.TECHNICAL_REVIEW: (1 / 3, 40, 0.6), StageKind.NATIONAL_REVIEW: (1 / 3, 40, 0.6),
              StageKind.QMS_VERIFICATION: (0.15, 60, 0.5), StageKind.MERGED_INSPECTION: (0.15, 60, 0.5)}
SUPPLEMENT_BUDGET_SHARE = 0.6  # share of the office days used before the request
SPRING = 1.25


def spring_festival(d: dt.date) -> bool:
    return (d.month == 1 and d.day >= 20) or d.month == 2 or (d.month == 3 and d.day <= 10)


def runs_over_spring_festival(start: dt.date, end: dt.date) -> bool:
    """Whether a stage from ``start`` to ``end`` runs over some part of the weeks around the
    Spring Festival (20 Jan - 10 Mar): starts or ends in them, or starts before and ends after."""
    return any(start <= dt.date(y, 3, 10) and end >= dt.date(y, 1, 20) for y in range(start.year, end.year + 1))


@dataclass
class TimedStage:
    template: object  # the template Stage
    started: dt.date | None
    finished: dt.date | None
    office: int
    consumed: int
    pause: tuple[dt.date, dt.date | None, dt.date] | None  # (started, ended or None, deadline)
    state: str


class HistoryClock:
    def __init__(self, rng: random.Random, cal, today: dt.date, years: float):
        self.rng, self.cal, self.today = rng, cal, today
        self.first = today - dt.timedelta(days=round(365 * years))
        months = (today.year - self.first.year) * 12 + today.month - self.first.month + 1
        self.load = {}
        for m in range(months):
            y, mo = divmod(self.first.month - 1 + m, 12)
            key = (self.first.year + y, mo + 1)
            # A yearly wave (busier before the year's end) and noise: 0.8 .. 1.3.
            self.load[key] = max(0.8, min(1.3, 1 + 0.15 * math.sin((mo + 1 - 4) / 12 * 2 * math.pi)
                                          + rng.gauss(0, 0.06)))

    def load_of(self, d: dt.date) -> float:
        return self.load.get((d.year, d.month), 1.0)

    def submission_day(self) -> dt.date:
        """A day in the window, more likely in busy months (rejection sampling)."""
        span = (self.today - self.first).days
        while True:
            d = self.first + dt.timedelta(days=self.rng.randrange(span))
            if self.rng.random() * 1.3 <= self.load_of(d) and d.weekday() < 5:
                return d

    def office_days(self, kind: str, category: str, device_class: str, start: dt.date) -> int:
        median, sigma = TESTING.get(category, (50, 0.35)) if kind == StageKind.TESTING else OFFICE.get(kind, (10, 0.5))
        days = median * math.exp(self.rng.gauss(0, sigma))
        if device_class == "III" and kind != StageKind.NATIONAL_REVIEW:
            days *= CLASS_III
        days *= self.load_of(start)
        # A stage running over the weeks around the festival, not only one starting or ending in
        # them (a long testing from November to April runs over all of them).
        if runs_over_spring_festival(start, start + dt.timedelta(days=days * 1.4)):
            days *= SPRING
        return max(1, round(days))

    def time_case(self, stages, *, start: dt.date, category: str, device_class: str) -> list[TimedStage]:
        """Walk the template's phases from ``start``: each phase starts when the slowest stage of the
        one before finished; skipped stages stay skipped."""
        cal, rng, today = self.cal, self.rng, self.today
        phases: dict[int, list] = {}
        for s in stages:
            phases.setdefault(s.phase, []).append(s)
        out = []
        cursor = start
        for phase in sorted(phases):
            end_of_phase = cursor
            for s in phases[phase]:
                if s.state == "skipped":
                    out.append(TimedStage(s, None, None, 0, 0, None, "skipped"))
                    continue
                office = self.office_days(s.kind, category, device_class, cursor)
                pause = None
                consumed = office
                share, median, sigma = SUPPLEMENT.get(s.kind, (0, 0, 0))
                if share and rng.random() < share:
                    before = max(1, round(office * SUPPLEMENT_BUDGET_SHARE))
                    office = round(office * 1.3)
                    asked = cal.add_working_days(cursor, before)
                    answer = min(365, max(3, round(median * math.exp(rng.gauss(0, sigma)))))
                    answered = asked + dt.timedelta(days=answer)
                    consumed = office - before
                    finished = cal.add_working_days(answered, consumed)
                    # The applicant's deadline, roughly: a year for a supplement (Order 47 Art. 54), six
                    # months for a rectification (食药监械管〔2015〕63号 Art. 17); generator data only.
                    months = 12 if s.kind in (StageKind.TECHNICAL_REVIEW, StageKind.NATIONAL_REVIEW) else 6
                    pause = (asked, answered, asked + dt.timedelta(days=round(months * 30.44)))
                else:
                    finished = cal.add_working_days(cursor, office)
                out.append(TimedStage(s, cursor, finished, office, consumed, pause, "done"))
                end_of_phase = max(end_of_phase, finished)
            cursor = end_of_phase
        # Read back to today: what has not happened yet is running, paused or pending.
        for t in out:
            if t.state == "skipped":
                continue
            if t.started > today:
                t.started = t.finished = None
                t.pause = None
                t.state = "pending"
                t.consumed = 0
            elif t.finished > today:
                t.finished = None
                t.state = "running"
                if t.pause and t.pause[0] > today:
                    t.pause = None
                if t.pause and t.pause[1] > today:
                    t.pause = (t.pause[0], None, t.pause[2])
                    t.state = "paused"
                if t.state == "paused":
                    t.consumed = cal.working_days_between(t.started, t.pause[0])
                elif t.pause:
                    t.consumed = cal.working_days_between(t.pause[1], today)
                else:
                    t.consumed = cal.working_days_between(t.started, today)
        return out


def case_state(timed: list[TimedStage]) -> tuple[str, int, dt.date | None]:
    """The case's state, phase and closing day from its timed stages."""
    live = [t for t in timed if t.state in ("running", "paused", "pending")]
    if not live:
        return "approved", max((t.template.phase for t in timed), default=1), max(
            (t.finished for t in timed if t.finished), default=None)
    phase = min(t.template.phase for t in live)
    kind = next(t.template.kind for t in live if t.template.phase == phase)
    return str(KIND_CASE_STATE[kind]), phase, None


def write_history(command, templates: list[int], total: int, years: float) -> None:
    """``generate_load --history-years``: ``total`` cases, each a finished template's route re-timed
    (``HistoryClock``), written in batches with the generator's bulk writer."""
    import time
    from collections import defaultdict

    from django.db import transaction
    from django.utils import timezone

    from ops.management.commands.generate_load import BATCH, MODELS, PREFIX, _insert, _next_ids, _row
    from review.models import Application, ClockStop, Stage
    from review.selectors import calendar_current

    rng, cal, today, now = command.rng, calendar_current(), timezone.localdate(), timezone.now()
    clock = HistoryClock(rng, cal, today, years)
    finished = list(Application.objects.filter(pk__in=templates, state="approved").order_by("pk"))
    if not finished:
        raise ValueError("no finished template to re-time")
    stages = defaultdict(list)
    for s in Stage.objects.filter(application_id__in=[a.pk for a in finished]).order_by("phase", "id"):
        stages[s.application_id].append(s)
    first = Application.objects.filter(reference__startswith=PREFIX).count()
    done, t0 = 0, time.perf_counter()
    while done < total:
        n = min(BATCH, total - done)
        apps, new_stages, new_stops = [], [], []
        app_ids = _next_ids(Application, n)
        plans = []
        for k, app_id in enumerate(app_ids):
            t = finished[rng.randrange(len(finished))]
            start = clock.submission_day()
            timed = clock.time_case(stages[t.pk], start=start, category=t.category, device_class=t.device_class)
            plans.append((t, app_id, first + done + k, start, timed))
        stage_ids = iter(_next_ids(Stage, sum(len(p[4]) for p in plans)))
        stop_ids = iter(_next_ids(ClockStop, sum(1 for p in plans for x in p[4] if x.pause)))
        for t, app_id, number, start, timed in plans:
            state, phase, closed = case_state(timed)
            by_kind = {x.template.kind: x for x in timed}
            acceptance = by_kind.get(StageKind.ACCEPTANCE)
            licence = by_kind.get(StageKind.LICENCE_ACCEPTANCE)
            enterprise, _owner = command.enterprises[rng.randrange(len(command.enterprises))]
            apps.append(_row(
                t, id=app_id, reference=f"{PREFIX}{number:08d}", enterprise_id=enterprise.pk,
                product_name=f"{t.product_name} {MODELS[number % len(MODELS)]}型", created_at=now, updated_at=now,
                state=state, phase=phase, submitted_on=start, closed_on=closed, suspended_from="",
                dossier_received_on=acceptance.started if acceptance else None,
                accepted_on=acceptance.finished if acceptance and t.accepted_on else None,
                licence_accepted_on=licence.finished if licence else None, renewal_of_id=None,
                certificate_number=f"{t.certificate_number}-{number}" if closed and t.certificate_number else ""))
            for x in timed:
                s = x.template
                stage_id = next(stage_ids)
                due = {}
                if x.started:
                    clock_start = x.pause[1] if x.pause and x.pause[1] else x.started
                    due = {"clock_started_on": clock_start,
                           "target_due": cal.add_working_days(clock_start, s.target_days) if s.target_days else None,
                           "statutory_due": (cal.add_working_days(clock_start, s.statutory_days)
                                             if s.statutory_days else None)}
                else:
                    due = {"clock_started_on": None, "target_due": None, "statutory_due": None}
                new_stages.append(_row(
                    s, id=stage_id, application_id=app_id, assignee_id=command._assignee(s), state=x.state,
                    started_on=x.started, finished_on=x.finished, consumed_days=x.consumed, version=1,
                    handed_over_on=None, handover_due=None, handover_days=0, extension_days=0,
                    outcome=s.outcome if x.state == "done" else "", outcome_note=s.outcome_note if x.state == "done"
                    else "", outcome_reference="", deadline_provisional=bool(due.get("target_due")) and
                    cal.is_provisional(due["target_due"]), **due))
                if x.pause:
                    asked, answered, deadline = x.pause
                    reason = "supplement" if s.kind in (StageKind.TECHNICAL_REVIEW, StageKind.NATIONAL_REVIEW) \
                        else "rectification"
                    new_stops.append({"id": next(stop_ids), "stage_id": stage_id, "reason": reason,
                                      "note": "", "items": ["补充资料"], "started_on": asked, "ended_on": answered,
                                      "applicant_deadline": deadline, "response": "已补正" if answered else "",
                                      "answered": bool(answered), "started_by_id": None, "ended_by_id": None})
        with transaction.atomic():
            for model, rows in ((Application, apps), (Stage, new_stages), (ClockStop, new_stops)):
                _insert(model, rows)
        done += n
        command._say(f"  {done:>9,} / {total:,} history cases ({done / (time.perf_counter() - t0):,.0f}/s)")
