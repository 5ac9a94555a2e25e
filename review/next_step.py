"""What the applicant must do next, and when the case should be done.

``case_next_step`` turns the case's state and its stage views into one plain instruction
("send the samples to the testing centre", "answer the supplement request by …", "nothing for
you to do until …", "collect your certificate") and an estimated completion date.

The estimate walks the route still ahead: the running phase ends when its slowest running stage
reaches its target (or statutory) date; each later phase takes its slowest stage's target (or
statutory) working days, from the pack the case is bound to. Two dates come out: by the targets
(what the office commits to) and by the statutory limits (the legal latest). A date in a year
whose official calendar is not published yet is provisional. While the applicant holds the clock
(supplement, missing items, rectification) no date is promised: it depends on their answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clock import sla
from clock.calendar import WorkingCalendar
from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    ApplicationType,
    CaseState,
    Outcome,
    PauseReason,
    StageKind,
    StageState,
)
from review.routes import plan_stages


@dataclass(frozen=True)
class Estimate:
    by_target: dt.date | None
    by_statutory: dt.date | None
    provisional: bool


@dataclass(frozen=True)
class NextStep:
    instruction: str
    yours: bool  # the applicant must act
    estimate: Estimate | None = None
    request: object | None = None  # the open request to answer, if any
    late: tuple[str, ...] = ()  # the office's steps past a date, one sentence each
    no_estimate: bool = False  # the office holds the case but no completion date can be given


def _left(cal: WorkingCalendar, today: dt.date, due: dt.date | None) -> int | None:
    """Working days left until ``due``; ``None`` when there is no date, ``-1`` once it has passed
    (how late does not matter here: a passed date gives no estimate)."""
    if due is None:
        return None
    return cal.working_days_between(today, due) if due >= today else -1


UNKNOWN, PASSED = object(), object()


def _phase_days(values: list) -> object:
    """The working days a phase still takes: its slowest stage. A passed date makes the phase's
    end unknowable (``PASSED``); a stage without any date is left out, and a phase in which no
    stage gives a number is ``UNKNOWN``."""
    if PASSED in values:
        return PASSED
    known = [v for v in values if v is not UNKNOWN]
    return max(known) if known else UNKNOWN


def estimate_completion(views, *, today: dt.date, cal: WorkingCalendar, limits_for) -> Estimate | None:
    """Both estimated completion dates, or ``None`` while a request waits for the applicant.

    ``limits_for(kind)`` gives a pending stage's ``sla.Limits`` (the caller binds the case).

    A running stage already past its target gives no date "at the target pace", and one past its
    statutory limit none "at the latest": the office has not met that date, and nothing stored
    says when it will finish (issue B1: a late stage counted as 0 days left made today, or a
    date in the past, look like the estimate). Either date is then ``None``; both ``None`` is no
    estimate at all. A phase in which no stage has a date or a limit (the national review, run
    outside the province) is unknown too.
    """
    live = [v for v in views if v.stage.state not in (StageState.SKIPPED, StageState.CANCELLED)]
    if any(v.open_pause is not None and v.open_pause.reason in APPLICANT_SIDE_REASONS for v in live):
        return None
    by_phase: dict[int, list] = {}
    for v in live:
        if v.stage.state != StageState.DONE:
            by_phase.setdefault(v.stage.phase, []).append(v.stage)
    if not by_phase:
        return None
    totals = {"target": 0, "statutory": 0}
    for phase in sorted(by_phase):
        days: dict[str, list] = {"target": [], "statutory": []}
        for s in by_phase[phase]:
            if s.state == StageState.RUNNING:
                pair = (_left(cal, today, s.target_due or s.statutory_due),
                        _left(cal, today, s.statutory_due or s.target_due))
            elif s.state == StageState.PAUSED:  # a staff pause (expert, hearing): the budget left
                t_budget = (s.target_days + sla.target_handover_days(
                    target_days=s.target_days, statutory_days=s.statutory_days, handover_days=s.handover_days)
                ) if s.target_days else s.statutory_days
                # The review's statutory limit counts from the hand-over (docs/regulatory-basis.md#o47-91).
                s_budget = (s.statutory_days + s.handover_days) if s.statutory_days else s.target_days
                pair = tuple(None if b is None else max(b - (s.consumed_days or 0), 0)
                             for b in (t_budget, s_budget))
            else:
                limits = limits_for(s.kind)
                pair = ((limits.target_days + sla.target_handover_days(
                            target_days=limits.target_days, statutory_days=limits.statutory_days,
                            handover_days=limits.handover_days)) if limits.target_days else limits.statutory_days,
                        (limits.statutory_days + limits.handover_days) if limits.statutory_days
                        else limits.target_days)
            for key, value in zip(("target", "statutory"), pair, strict=True):
                days[key].append(UNKNOWN if value is None else PASSED if value < 0 else value)
        for key in totals:
            if totals[key] is None:
                continue
            phase_days = _phase_days(days[key])
            totals[key] = None if phase_days in (UNKNOWN, PASSED) else totals[key] + phase_days
    by_target = None if totals["target"] is None else cal.add_working_days(today, totals["target"])
    by_statutory = None if totals["statutory"] is None else cal.add_working_days(today, totals["statutory"])
    if by_target is None and by_statutory is None:
        return None
    return Estimate(by_target, by_statutory,
                    any(d is not None and cal.is_provisional(d) for d in (by_target, by_statutory)))


def late_stages(views, *, today: dt.date, cal: WorkingCalendar) -> list[str]:
    """One sentence per running stage past a date, the statutory limit (the legal deadline) named
    as such when that is the one passed; the rule of ``review.deadlines`` (and the badges')."""
    out = []
    for v in views:
        s = v.stage
        if s.state != StageState.RUNNING:
            continue
        statutory = None if s.statutory_reference else s.statutory_due
        stage = s.get_kind_display()
        if statutory and statutory < today:
            n = cal.working_days_between(statutory, today)
            out.append(ngettext(
                "%(stage)s: the statutory limit, the legal deadline for this step, was %(d)s. It passed "
                "%(n)s working day ago and the office is still handling the step.",
                "%(stage)s: the statutory limit, the legal deadline for this step, was %(d)s. It passed "
                "%(n)s working days ago and the office is still handling the step.", n)
                % {"stage": stage, "d": statutory.isoformat(), "n": n})
        elif s.target_due and s.target_due < today:
            n = cal.working_days_between(s.target_due, today)
            values = {"stage": stage, "d": s.target_due.isoformat(), "n": n,
                      "s": statutory.isoformat() if statutory else ""}
            if statutory:
                out.append(ngettext(
                    "%(stage)s: the office's target date was %(d)s. It passed %(n)s working day ago and the "
                    "office is still handling the step. The legal deadline is the statutory limit, %(s)s.",
                    "%(stage)s: the office's target date was %(d)s. It passed %(n)s working days ago and the "
                    "office is still handling the step. The legal deadline is the statutory limit, %(s)s.", n)
                    % values)
            else:
                out.append(ngettext(
                    "%(stage)s: the office's target date was %(d)s. It passed %(n)s working day ago and the "
                    "office is still handling the step. This step has no statutory limit here.",
                    "%(stage)s: the office's target date was %(d)s. It passed %(n)s working days ago and the "
                    "office is still handling the step. This step has no statutory limit here.", n) % values)
    return out


# What a draft's submission starts, by the first phase its route will run (review.routes plans it
# from the application's attributes: a key project or complex product goes to the pre-submission
# service first, a product that needs testing to the testing centre, the rest to acceptance).
DRAFT_STEP = {
    StageKind.PRESUBMISSION: gettext_lazy(
        "Your intent is a draft. When you submit it, the office's pre-submission service comes first "
        "(for key projects, complex products and products registered elsewhere in China): it answers your "
        "questions before you file the dossier, and the acceptance clock starts only when you file it."),
    StageKind.TESTING: gettext_lazy(
        "Your intent is a draft. When you submit it, registration testing comes next: you will send the "
        "samples to the testing centre; the acceptance clock starts only when you file the dossier with "
        "the test report."),
    StageKind.ACCEPTANCE: gettext_lazy(
        "Your intent is a draft. Check the details, then submit it when the dossier is ready: the office "
        "then has 5 working days to accept it or tell you once what is missing (Order 47 Art. 53)."),
    StageKind.LICENCE_ACCEPTANCE: gettext_lazy(
        "Your intent is a draft. Check the details, then submit it when the dossier is ready: the office "
        "then has 5 working days to accept it or tell you once what is missing (Order 53 Art. 11)."),
}

# What the portal says right after a submission, by the state the case went to.
SUBMITTED = {
    CaseState.PRESUBMISSION: gettext_lazy(
        "Application %(ref)s submitted. The office's pre-submission service comes first; the acceptance "
        "clock starts only when you file the dossier."),
    CaseState.TESTING: gettext_lazy(
        "Application %(ref)s submitted. Registration testing comes next: send the samples to the testing "
        "centre. The acceptance clock starts only when the dossier with the test report is filed."),
    CaseState.ACCEPTANCE: gettext_lazy("Application %(ref)s submitted; the acceptance clock is running."),
}

# While the office holds the case: what it is doing, with the next date still ahead and without.
WAITING = {
    CaseState.PRESUBMISSION: (
        gettext_lazy("The office's pre-submission service is under way: answer its questions when asked; its next "
              "answer is due by %(d)s."),
        gettext_lazy("The office's pre-submission service is under way: answer its questions when asked.")),
    CaseState.TESTING: (
        gettext_lazy("The testing centre is testing your samples: nothing for you to do until %(d)s."),
        gettext_lazy("The testing centre is testing your samples: nothing for you to do for now.")),
    CaseState.ACCEPTANCE: (
        gettext_lazy("The office is checking your dossier for completeness: nothing for you to do until %(d)s."),
        gettext_lazy("The office is checking your dossier for completeness: nothing for you to do.")),
    CaseState.REVIEW: (
        gettext_lazy("The office is reviewing: nothing for you to do until %(d)s."),
        gettext_lazy("The office is reviewing: nothing for you to do for now.")),
    CaseState.DECISION: (
        gettext_lazy("The office is preparing the administrative decision: nothing for you to do until %(d)s."),
        gettext_lazy("The office is preparing the administrative decision: nothing for you to do for now.")),
    CaseState.ISSUANCE: (
        gettext_lazy("Approved: the office is issuing the certificate, by %(d)s. Nothing for you to do until then."),
        gettext_lazy("Approved: the office is issuing the certificate. Nothing for you to do.")),
}

# What the applicant must do about an open request, by its reason.
REQUEST_STEP = {
    PauseReason.MISSING_ITEMS: (
        gettext_lazy("Supply the missing items listed in the one-time notice by %(d)s."),
        gettext_lazy("Supply the missing items listed in the one-time notice; the dossier is accepted when it is "
              "complete.")),
    PauseReason.RECTIFICATION: (
        gettext_lazy("Rectify the defects listed in the rectification notice and ask for the re-check by %(d)s."),
        gettext_lazy("Rectify the defects listed in the rectification notice and ask for the re-check by %(d)s.")),
    PauseReason.SUPPLEMENT: (
        gettext_lazy("Answer the supplement request by %(d)s, in one submission with every item (Order 47 Art. 54)."),
        gettext_lazy("Answer the supplement request by %(d)s, in one submission with every item (Order 47 Art. 54).")),
}


def first_kinds(application, steps) -> set[str]:
    """The stage kinds of the first phase a draft will run once submitted (its route planned)."""
    planned = [p for p in plan_stages(application, steps) if not p.skip_reason]
    first = min((p.phase for p in planned), default=None)
    return {p.kind for p in planned if p.phase == first}


def draft_step(application, steps) -> NextStep:
    kinds = first_kinds(application, steps)
    for kind in (StageKind.PRESUBMISSION, StageKind.TESTING, StageKind.LICENCE_ACCEPTANCE):
        if kind in kinds:
            return NextStep(str(DRAFT_STEP[kind]), True)
    return NextStep(str(DRAFT_STEP[StageKind.ACCEPTANCE]), True)


def submitted_message(application) -> str:
    """The portal's message after a submission, by where the case went."""
    text = SUBMITTED.get(application.state, SUBMITTED[CaseState.ACCEPTANCE])
    return str(text) % {"ref": application.reference}


def case_next_step(app, views, *, today: dt.date, cal: WorkingCalendar, limits_for, steps=()) -> NextStep:
    """What the applicant must do next: a table per state (``WAITING``, ``REQUEST_STEP``,
    ``DRAFT_STEP``), the closed states below. ``steps``: the route's steps, for a draft."""
    state = app.state
    if state == CaseState.DRAFT:
        return draft_step(app, steps)
    requests = [v.open_pause for v in views if v.open_pause is not None
                and v.open_pause.reason in APPLICANT_SIDE_REASONS]
    if requests:
        stop = requests[0]
        with_date, without = REQUEST_STEP.get(stop.reason, REQUEST_STEP[PauseReason.SUPPLEMENT])
        text = (str(with_date) % {"d": stop.applicant_deadline.isoformat()} if stop.applicant_deadline
                else str(without) % {"d": "—"})
        return NextStep(text, True, None, stop)
    if state == CaseState.TESTING:
        testing = next((v.stage for v in views if v.stage.kind == StageKind.TESTING), None)
        if testing is not None and testing.state == StageState.PENDING:
            return NextStep(_("Send the samples to the testing centre; testing starts when they receive "
                              "them."), True, estimate_completion(views, today=today, cal=cal, limits_for=limits_for))
    if state in WAITING:
        running = [v.stage for v in views if v.stage.state == StageState.RUNNING]
        # The office's next date still ahead; a passed one is never offered as "until".
        soonest = min((d for s in running for d in (s.target_due, s.statutory_due) if d and d >= today),
                      default=None)
        est = estimate_completion(views, today=today, cal=cal, limits_for=limits_for)
        late = tuple(late_stages(views, today=today, cal=cal))
        # While a step is late, "nothing to do until <a later date>" would read as if all were on
        # schedule: say so plainly, and name the legal deadline.
        with_date, without = WAITING[state]
        text = str(with_date) % {"d": soonest.isoformat()} if soonest and not late else str(without)
        return NextStep(text, False, est, late=late, no_estimate=est is None)
    return closed_step(app, views)


def closed_step(app, views) -> NextStep:
    """A suspended or closed case: what it came to, and what is left for the applicant."""
    state = app.state
    if state == CaseState.SUSPENDED:
        return NextStep(_("The case is suspended (Order 47 Art. 56): every clock is stopped. The office "
                          "tells you when it resumes."), False)
    # Who decided: this office (a decision stage of its own, which issues the notice shown below)
    # or the national administration (a Class III registration: its certificate and decision are
    # the NMPA's; only a production licence decided here has a notice on this page).
    decided_here = {v.stage.kind for v in views if v.stage.state == StageState.DONE
                    and v.stage.kind in (StageKind.DECISION, StageKind.LICENCE_DECISION)}
    if state == CaseState.APPROVED:
        n = {"n": app.certificate_number or ""}
        if StageKind.DECISION in decided_here and app.application_type == ApplicationType.LICENCE:
            return NextStep(_("Approved. Collect your production licence %(n)s with the approval notice below.")
                            % n, True)
        if StageKind.DECISION in decided_here and app.application_type == ApplicationType.RENEWAL:
            return NextStep(_("Renewal approved. Collect your certificate %(n)s with the approval notice below.")
                            % n, True)
        if StageKind.DECISION in decided_here:
            return NextStep(_("Approved. Collect your certificate %(n)s with the approval notice below.") % n, True)
        if StageKind.LICENCE_DECISION in decided_here:
            return NextStep(_("Approved by the National Medical Products Administration, which issues the "
                              "registration certificate %(n)s. Collect the production licence with the approval "
                              "notice below.") % n, True)
        return NextStep(_("Approved by the National Medical Products Administration, which issues the "
                          "registration certificate %(n)s: collect it as its notice says.") % n, True)
    if state == CaseState.REFUSED:
        nationally = any(v.stage.kind == StageKind.NATIONAL_REVIEW and v.stage.outcome == Outcome.REFUSE for v in views)
        if not nationally:  # a decision here, or a refusal for a lapsed supplement: its notice is below
            return NextStep(_("Refused. The refusal decision below gives the reasons and your rights: "
                              "administrative reconsideration within 60 days, or a lawsuit within 6 months."),
                            False)
        return NextStep(_("Refused by the National Medical Products Administration: its decision gives the "
                          "reasons and your rights (administrative reconsideration within 60 days, or a "
                          "lawsuit within 6 months)."), False)
    if state == CaseState.WITHDRAWN and app.submitted_on is None:
        return NextStep(_("Draft discarded on %(d)s; it was never submitted. Nothing more to do.") % {
            "d": app.closed_on.isoformat() if app.closed_on else "—"}, False)
    if state == CaseState.WITHDRAWN:
        return NextStep(_("Withdrawn on %(d)s. Nothing more to do.") % {
            "d": app.closed_on.isoformat() if app.closed_on else "—"}, False)
    if state == CaseState.TERMINATED:
        return NextStep(_("The procedure was terminated on %(d)s without a decision.") % {
            "d": app.closed_on.isoformat() if app.closed_on else "—"}, False)
    return NextStep("", False)
