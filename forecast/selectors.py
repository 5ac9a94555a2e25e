"""What the interface modules call: one function per place, each a read.

* ``case_forecast(application, stages=None)``: the case's forecast today from the latest refresh
  (``Forecast`` or ``None`` with too little history), for the portal case page, the public
  look-up, the API (``forecast`` on the application detail), the admin case page and the
  acceptance e-mail. Adds one query to a page that loaded the case's stages with their pauses
  (the distributions of the case's keys); two when it loaded the stages alone (their applicant
  pauses), three when it loaded neither.
* ``forecast_words(forecast)``: the sentence people read, the same everywhere (never a promise).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from review.models import ClockStop
from review.models.enums import APPLICANT_SIDE_REASONS, StageState
from review.selectors import calendar_current

from .estimation import (
    EMPTY,
    LEVELS,
    ByRequest,
    Curve,
    Forecast,
    RemainingStage,
    StageHistory,
    choose,
    group_key,
    simulate,
)
from .history import min_basis
from .models import Refresh, StageDistribution

OPEN_CASE_STATES = ("presubmission", "testing", "acceptance", "review", "decision", "issuance")


def _groups(kinds, attrs) -> dict[tuple, StageHistory]:
    """The latest refresh's distributions of those kinds that match the case's keys, with enough
    finished stages (on PostgreSQL only the narrowest of each kind). One query."""
    latest = Refresh.objects.order_by("-version").values("pk")[:1]
    q = Q()
    for key in LEVELS[-1]:
        q &= Q(**{key: ""}) | Q(**{key: attrs[key]})
    rows = StageDistribution.objects.filter(q, refresh_id=latest, kind__in=set(kinds), finished__gte=min_basis())
    if connection.vendor == "postgresql":
        # Only the row ``choose`` takes, the narrowest of each kind: the curves are JSON, and
        # reading every level's would parse five times what the page uses.
        rows = rows.order_by("kind", "-level").distinct("kind")
    out = {}
    for r in rows:
        key_values = {k: getattr(r, k) for k in LEVELS[r.level]}
        h = StageHistory(kind=r.kind, level=r.level, key=key_values, office=Curve.from_json(r.office_curve),
                         supplement_share=r.supplement_share, answer=Curve.from_json(r.answer_curve),
                         season=tuple(r.season) if r.season else (1.0,) * 12,
                         asked=Curve.from_json(r.asked_curve) if r.asked_curve else EMPTY,
                         plain=Curve.from_json(r.plain_curve) if r.plain_curve else EMPTY,
                         with_request=Curve.from_json(r.request_curve) if r.request_curve else EMPTY,
                         by_request=ByRequest.from_json(r.request_bins))
        out[group_key(r.kind, key_values, r.level)] = h
    return out


def case_forecast(application, stages=None, *, today: dt.date | None = None) -> Forecast | None:
    """The forecast of an open case today, or None: not open (a draft, a closed or a suspended
    case: its clocks are stopped), or too little history for one of its remaining stages."""
    if application.state not in OPEN_CASE_STATES:
        return None
    today = today or timezone.localdate()
    stages = list(stages if stages is not None else application.stages.all())
    live = [s for s in stages if s.state in (StageState.PENDING, StageState.RUNNING, StageState.PAUSED)]
    if not live:
        return None
    attrs = {"pack": application.policy_pack.code if application.policy_pack_id else "",
             "device_class": application.device_class, "category": application.category,
             "application_type": application.application_type, "pathway": application.pathway}
    groups = _groups([s.kind for s in live], attrs)
    pauses = _applicant_pauses(live, today)
    cal = calendar_current()
    remaining = []
    for s in live:
        own = pauses.get(s.pk, [])
        elapsed = 0
        if s.started_on and s.started_on <= today:
            elapsed = cal.working_days_between(s.started_on, today)
            for p in own:
                elapsed -= cal.working_days_between(p.started_on, min(p.ended_on or today, today))
        waiting = next(((today - p.started_on).days for p in own if p.ended_on is None), None)
        asked_after = (cal.working_days_between(s.started_on, min(p.started_on for p in own))
                       if own and s.started_on else None)
        remaining.append(RemainingStage(
            kind=s.kind, phase=s.phase, elapsed=max(0, elapsed), waiting=waiting,
            started=s.started_on if s.started_on and s.started_on <= today else None,
            supplemented=any(p.ended_on is not None for p in own), asked_after=asked_after,
            history=choose(groups, s.kind, attrs, min_basis())))
    return simulate(remaining, as_of=today, cal=cal, seed=application.pk)


def _applicant_pauses(live, today) -> dict[int, list]:
    """The applicant's pauses of the live stages: from the pauses the page already loaded with the
    stages (``selectors_cases.case_stages`` prefetches them), else one query."""
    if all("clock_stops" in getattr(s, "_prefetched_objects_cache", {}) for s in live):
        return {s.pk: [c for c in s.clock_stops.all() if c.reason in APPLICANT_SIDE_REASONS and c.started_on <= today]
                for s in live}
    pauses: dict[int, list] = {}
    for stop in ClockStop.objects.filter(stage_id__in=[s.pk for s in live], reason__in=APPLICANT_SIDE_REASONS,
                                         started_on__lte=today).order_by():
        pauses.setdefault(stop.stage_id, []).append(stop)
    return pauses


def forecast_words(forecast: Forecast | None) -> str:
    """预计办结：约 X（五成把握）；Y 前（九成把握）；依据本局近 N 件同类申请 — or, without a forecast,
    that there is too little history (never a guess)."""
    if forecast is None:
        return _("Forecast: too few similar applications have been finished here to estimate when this one "
                 "will be done.")
    text = _("Expected completion: about %(p50)s (50%% likely); before %(p90)s (90%% likely); based on this "
             "office's last %(n)s similar applications") % {
        "p50": forecast.p50.isoformat(), "p90": forecast.p90.isoformat(), "n": forecast.basis_cases}
    if forecast.provisional:
        text += _(" (provisional: the official calendar of a year it reaches is not published yet)")
    return text


def forecast_caveat() -> str:
    return _("An estimate from how long similar applications took, not a promise: the target and "
             "statutory dates remain the office's commitments.")
