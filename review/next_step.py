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
from django.utils.translation import ngettext

from review.models.enums import (
    APPLICANT_SIDE_REASONS,
    ApplicationType,
    CaseState,
    Outcome,
    PauseReason,
    StageKind,
    StageState,
)
from services.calendar import WorkingCalendar


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
                t_budget = s.target_days or s.statutory_days
                s_budget = s.statutory_days or s.target_days
                pair = tuple(None if b is None else max(b - (s.consumed_days or 0), 0)
                             for b in (t_budget, s_budget))
            else:
                limits = limits_for(s.kind)
                pair = (limits.target_days or limits.statutory_days, limits.statutory_days or limits.target_days)
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


def case_next_step(app, views, *, today: dt.date, cal: WorkingCalendar, limits_for) -> NextStep:
    state = app.state
    running = [v.stage for v in views if v.stage.state == StageState.RUNNING]
    requests = [v.open_pause for v in views if v.open_pause is not None
                and v.open_pause.reason in APPLICANT_SIDE_REASONS]
    # The office's next date still ahead; a passed one is never offered as "until" (issue B1).
    soonest = min((d for s in running for d in (s.target_due, s.statutory_due) if d and d >= today),
                  default=None)
    until = soonest.isoformat() if soonest else None

    def waiting(text_with_date: str, text_without: str) -> NextStep:
        est = estimate_completion(views, today=today, cal=cal, limits_for=limits_for)
        late = tuple(late_stages(views, today=today, cal=cal))
        # While a step is late, "nothing to do until <a later date>" would read as if all were on
        # schedule: say so plainly, and name the legal deadline.
        text = text_with_date % {"d": until} if until and not late else text_without
        return NextStep(text, False, est, late=late, no_estimate=est is None)

    if state == CaseState.DRAFT:
        if app.needs_testing:
            return NextStep(_("Your intent is a draft. When you submit it, registration testing comes next: "
                              "you will send the samples to the testing centre; the acceptance clock starts "
                              "only when you file the dossier with the test report."), True)
        return NextStep(_("Your intent is a draft. Check the details, then submit it when the dossier is "
                          "ready: the office then has 5 working days to accept it or tell you once what is "
                          "missing (Order 47 Art. 53)."), True)
    if requests:
        stop = requests[0]
        if stop.reason == PauseReason.MISSING_ITEMS:
            text = _("Supply the missing items listed in the one-time notice; the dossier is accepted when "
                     "it is complete.")
            if stop.applicant_deadline:
                text = _("Supply the missing items listed in the one-time notice by %(d)s.") % {
                    "d": stop.applicant_deadline.isoformat()}
        elif stop.reason == PauseReason.RECTIFICATION:
            text = _("Rectify the defects listed in the rectification notice and ask for the re-check "
                     "by %(d)s.") % {"d": stop.applicant_deadline.isoformat() if stop.applicant_deadline else "—"}
        else:
            text = _("Answer the supplement request by %(d)s, in one submission with every item "
                     "(Order 47 Art. 54).") % {"d": stop.applicant_deadline.isoformat() if stop.applicant_deadline
                                               else "—"}
        return NextStep(text, True, None, stop)
    if state == CaseState.TESTING:
        testing = next((v.stage for v in views if v.stage.kind == StageKind.TESTING), None)
        if testing is not None and testing.state == StageState.PENDING:
            return NextStep(_("Send the samples to the testing centre; testing starts when they receive "
                              "them."), True, estimate_completion(views, today=today, cal=cal, limits_for=limits_for))
        return waiting(_("The testing centre is testing your samples: nothing for you to do until %(d)s."),
                       _("The testing centre is testing your samples: nothing for you to do for now."))
    if state == CaseState.PRESUBMISSION:
        return waiting(_("The office's pre-submission service is under way: answer its questions when asked; "
                         "its next answer is due by %(d)s."),
                       _("The office's pre-submission service is under way: answer its questions when asked."))
    if state == CaseState.ACCEPTANCE:
        return waiting(_("The office is checking your dossier for completeness: nothing for you to do "
                         "until %(d)s."),
                       _("The office is checking your dossier for completeness: nothing for you to do."))
    if state == CaseState.DECISION:
        return waiting(_("The office is preparing the administrative decision: nothing for you to do until "
                         "%(d)s."),
                       _("The office is preparing the administrative decision: nothing for you to do for now."))
    if state == CaseState.REVIEW:
        return waiting(_("The office is reviewing: nothing for you to do until %(d)s."),
                       _("The office is reviewing: nothing for you to do for now."))
    if state == CaseState.ISSUANCE:
        return waiting(_("Approved: the office is issuing the certificate, by %(d)s. Nothing for you to do "
                         "until then."),
                       _("Approved: the office is issuing the certificate. Nothing for you to do."))
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
