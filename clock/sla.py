"""Deadlines: which limits apply to a stage, and where they fall on the calendar.

Pure Python: functions of dates, day counts, rule rows and a ``WorkingCalendar``, with ``today``
passed in. No ORM here, so the sweep and the admin can call them for thousands of stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from clock.calendar import WorkingCalendar

DEFAULT_WARNING_DAYS = 5  # docs/operations.md#alert-levels-and-recipients: "due soon" default lead time
# docs/operations.md#alert-levels-and-recipients: statutory limit within 3 WD is already a breach alert
BREACH_LEAD_DAYS = 3

_KEYS = ("device_class", "category", "pathway", "application_type", "complex_product")
_NUMBERS = ("statutory_days", "target_days", "after_supplement_days", "after_rectification_days",
            "rectification_months", "baseline_days", "warning_days", "anchor")


@dataclass(frozen=True)
class Limits:
    statutory_days: int | None = None
    target_days: int | None = None
    after_supplement_days: int | None = None
    after_rectification_days: int | None = None
    rectification_months: int | None = None
    baseline_days: int | None = None  # the plan's "from" figure (60 -> 45): shown, never a deadline
    target_is_default: bool = False  # no law or plan gives the target: a labelled default
    warning_days: int = DEFAULT_WARNING_DAYS
    anchor: str = "stage"
    statutory_reference: bool = False
    source: str = ""
    # Working days after the stage's start that its statutory limit does not count: the hand-over
    # to technical review (``HANDOVER_DAYS``), 0 for every other stage.
    handover_days: int = 0


# docs/regulatory-basis.md#o47-91. Order 47 Art. 91: the accepted dossier is handed over to the technical
# review body within 3 WD of acceptance; Art. 92's review limit is the review body's, so it counts
# from the hand-over. Whether it counts from the acceptance or the hand-over, the text leaves open:
# the tracker takes the hand-over, the reading that never raises a statutory alert early, and the
# hand-over at its latest (acceptance + 3 WD) unless an earlier one is recorded. A plan's own target
# keeps counting from the stage's start (no plan says otherwise); a target that is the statutory limit
# itself follows the limit (``target_handover_days``).
HANDOVER_DAYS = 3
HANDOVER_KINDS = frozenset({"technical_review"})
HANDOVER_SOURCE = ("《医疗器械注册与备案管理办法》（国家市场监督管理总局令第47号）第91条："
                   "自受理之日起3个工作日内移交技术审评，法定审评时限自移交之日起计算"
                   "（未记录更早的移交日期的，自受理后第3个工作日起计算）")


def handover_days(cal: WorkingCalendar, *, started_on: date | None, handover_due: date | None,
                  handed_over_on: date | None) -> int:
    """The working days from the stage's start to the hand-over, not counted in the statutory review
    limit: to the hand-over recorded, or to its last day (acceptance + 3 WD) when none is recorded or
    the one recorded is later (a late hand-over is the office's own delay, Art. 91, and does not
    lengthen the review's limit)."""
    if started_on is None or handover_due is None:
        return 0
    handover = min(handed_over_on, handover_due) if handed_over_on else handover_due
    return max(0, cal.working_days_between(started_on, handover))


def _matches(rule, attrs: dict) -> bool:
    for key in _KEYS:
        wanted = getattr(rule, key)
        if wanted not in ("", None) and wanted != attrs[key]:
            return False
    return True


def _specificity(rule) -> int:
    return sum(getattr(rule, k) not in ("", None) for k in _KEYS)


def resolve_limits(levels: Sequence[Iterable], *, kind: str, attrs: dict) -> Limits:
    """The limits for one stage from a pack and its ancestors (``levels``: child first).

    At each level the most specific matching rule counts; a number the child leaves empty comes
    from the parent, so a regional pack states only what it shortens.
    """
    found: dict = {}
    sources: list[str] = []
    reference = False
    target_is_default = False
    for rules in levels:
        candidates = [r for r in rules if r.stage_kind == kind and _matches(r, attrs)]
        if not candidates:
            continue
        best = max(candidates, key=_specificity)
        for name in _NUMBERS:
            value = getattr(best, name)
            if name not in found and value not in (None, ""):
                found[name] = value
                if name == "target_days":  # the flag belongs to the rule that gave the number
                    target_is_default = bool(getattr(best, "target_is_default", False))
        reference = reference or best.statutory_reference
        sources.append(best.source)
    handover = kind in HANDOVER_KINDS and found.get("statutory_days") is not None and not reference
    if handover:
        sources.insert(0, HANDOVER_SOURCE)
    target = found.get("target_days", found.get("statutory_days"))
    if "target_days" not in found:
        target_is_default = False  # the target is the statutory limit itself
    if target is not None and found.get("statutory_days") is not None and target > found["statutory_days"]:
        target, target_is_default = found["statutory_days"], False
    return Limits(
        statutory_days=found.get("statutory_days"),
        target_days=target,
        after_supplement_days=found.get("after_supplement_days"),
        after_rectification_days=found.get("after_rectification_days"),
        rectification_months=found.get("rectification_months"),
        baseline_days=found.get("baseline_days"),
        target_is_default=target_is_default,
        warning_days=found.get("warning_days", DEFAULT_WARNING_DAYS),
        anchor=found.get("anchor", "stage"),
        statutory_reference=reference,
        source="；".join(dict.fromkeys(s for s in sources if s)),  # the sources are Chinese citations
        handover_days=HANDOVER_DAYS if handover else 0,
    )


def due_date(cal: WorkingCalendar, *, clock_start: date, budget: int | None,
             consumed: int = 0, extension: int = 0) -> date | None:
    """The day a budget of working days runs out, ``consumed`` of it already used.

    A budget already overrun gives a day before ``clock_start`` (negative shift), so that a
    resumed stage that was late stays late by the same number of working days.
    """
    if budget is None:
        return None
    return cal.add_working_days(clock_start, budget + extension - consumed)


def elapsed_days(cal: WorkingCalendar, *, clock_start: date | None, consumed: int,
                 running: bool, today: date) -> int:
    """Working days used so far: those before the last pause plus the current run."""
    if not running or clock_start is None or today <= clock_start:
        return consumed
    return consumed + cal.working_days_between(clock_start, today)


# Stages a renewal must finish before the renewed certificate expires (Order 47 Art. 82; Regulations
# Art. 22; Licensing Law Art. 50): everything up to and including the decision.
# The certificate or licence follows the decision within 10 WD (Order 47 Art. 95), after the expiry
# if need be; the national review is decided outside the province.
NOT_CAPPED_BY_EXPIRY = frozenset({"issuance", "licence_issuance", "national_review"})


def capped_by_expiry(kind: str) -> bool:
    return kind not in NOT_CAPPED_BY_EXPIRY


def expiry_cap(statutory_due: date | None, decide_by: date) -> date:
    """The statutory deadline of a renewal's stage: its own, or the old certificate's expiry if earlier."""
    return min(d for d in (statutory_due, decide_by) if d is not None)


def extension_swallowed(statutory_due: date | None, decide_by: date | None, kind: str) -> bool:
    """An extension cannot move a renewal's stage already held at the certificate's expiry: the law
    does not let the decision pass the expiry (Order 47 Art. 82), whatever Art. 96 allows."""
    return bool(decide_by and statutory_due and capped_by_expiry(kind) and statutory_due >= decide_by)


def max_extension(original_days: int | None) -> int:
    """Order 47 Art. 96: an extension is at most half of the original limit."""
    return (original_days or 0) // 2


# The deadline levels of a running stage, worst first (docs/architecture.md#one-status-model), in
# the order of the escalation (docs/operations.md#alert-levels-and-recipients): the statutory limit
# near goes to supervisors and directors, a passed target to the assignee and supervisors. A stage
# has exactly one: the first whose condition holds (a stage past its target and three days from its
# statutory limit is "statutory limit near").
BREACH, STATUTORY_NEAR, OVERDUE, DUE_SOON, ON_TRACK = (
    "breach", "statutory_near", "overdue", "due_soon", "on_track")
RUNNING_LEVELS = (BREACH, STATUTORY_NEAR, OVERDUE, DUE_SOON, ON_TRACK)
LATE_LEVELS = [BREACH, OVERDUE]  # past a date: the statutory limit, or the target


def running_level(cal: WorkingCalendar, *, target_due: date | None, statutory_due: date | None,
                  statutory_reference: bool, warning_days: int, today: date) -> str:
    """The level of a running stage as of ``today``: past its statutory limit (a reference-only
    limit, the national review's, never counts), the statutory limit within ``BREACH_LEAD_DAYS``
    working days, past its target, the target within the stage's own warning lead time, or on
    track. Date bounds, not day counts, so that ``review.deadlines``' SQL forms, which can only
    compare dates, say exactly the same of a deadline that falls on a rest day."""
    statutory = statutory_due if not statutory_reference else None
    if statutory is not None and statutory < today:
        return BREACH
    if statutory is not None and statutory <= cal.add_working_days(today, BREACH_LEAD_DAYS):
        return STATUTORY_NEAR
    if target_due is not None and target_due < today:
        return OVERDUE
    if target_due is not None and target_due <= cal.add_working_days(today, warning_days):
        return DUE_SOON
    return ON_TRACK


def target_handover_days(*, target_days: int | None, statutory_days: int | None, handover_days: int) -> int:
    """The hand-over days a target does not count either: a target that is the statutory limit itself
    (the pack sets none of its own) counts from the hand-over like the limit; a plan's own target
    (Chongqing's 40 WD, Shanghai's 30) from the stage's start, as before: the plans do not say
    otherwise (docs/regulatory-basis.md#o47-91)."""
    return handover_days if target_days is not None and target_days == statutory_days else 0


def finished_late(*, consumed_days: int, statutory_days: int | None, target_days: int | None,
                  extension_days: int, statutory_reference: bool, handover_days: int = 0) -> str:
    """A finished stage that used more than its budget: BREACH (past the statutory limit, the
    worse), OVERDUE (past its target) or "" (on time). ``handover_days``: the days before the
    hand-over, which the statutory limit does not count (``handover_days()``)."""
    if (statutory_days is not None and not statutory_reference
            and consumed_days > statutory_days + extension_days + handover_days):
        return BREACH
    if target_days is not None and consumed_days > target_days + extension_days + target_handover_days(
            target_days=target_days, statutory_days=statutory_days, handover_days=handover_days):
        return OVERDUE
    return ""


@dataclass(frozen=True)
class DeadlineStatus:
    level: str  # one of RUNNING_LEVELS, or the stage state: paused | pending | done | skipped | cancelled
    remaining_target: int | None
    remaining_statutory: int | None


def deadline_status(cal: WorkingCalendar, *, state: str, target_due: date | None,
                    statutory_due: date | None, statutory_reference: bool,
                    warning_days: int, today: date) -> DeadlineStatus:
    """The badge of a stage: the worst of its two deadlines, as of ``today``."""
    if state in ("done", "skipped", "cancelled"):
        return DeadlineStatus(state, None, None)
    if state in ("paused", "pending"):
        return DeadlineStatus(state, None, None)
    rem_t = cal.working_days_between(today, target_due) if target_due else None
    rem_s = cal.working_days_between(today, statutory_due) if statutory_due else None
    level = running_level(cal, target_due=target_due, statutory_due=statutory_due,
                          statutory_reference=statutory_reference, warning_days=warning_days, today=today)
    return DeadlineStatus(level, rem_t, rem_s)
