"""What the applicant must do next, and when the case should be done (issue 9).

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

from review.models.enums import APPLICANT_SIDE_REASONS, CaseState, PauseReason, StageKind, StageState
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


def _remaining(cal: WorkingCalendar, today: dt.date, due: dt.date | None) -> int:
    return max(cal.working_days_between(today, due), 0) if due and due > today else 0


def estimate_completion(views, *, today: dt.date, cal: WorkingCalendar, limits_for) -> Estimate | None:
    """Both estimated completion dates, or ``None`` while a request waits for the applicant.

    ``limits_for(kind)`` gives a pending stage's ``sla.Limits`` (the caller binds the case).
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
    target_total = statutory_total = 0
    for phase in sorted(by_phase):
        t_days = s_days = 0
        for s in by_phase[phase]:
            if s.state == StageState.RUNNING:
                t = _remaining(cal, today, s.target_due or s.statutory_due)
                st = _remaining(cal, today, s.statutory_due or s.target_due)
            elif s.state == StageState.PAUSED:  # a staff pause (expert, hearing): the budget left
                t = max((s.target_days or s.statutory_days or 0) - (s.consumed_days or 0), 0)
                st = max((s.statutory_days or s.target_days or 0) - (s.consumed_days or 0), 0)
            else:
                limits = limits_for(s.kind)
                t = limits.target_days or limits.statutory_days or 0
                st = limits.statutory_days or limits.target_days or 0
            t_days, s_days = max(t_days, t), max(s_days, st)
        target_total += t_days
        statutory_total += s_days
    by_target = cal.add_working_days(today, target_total)
    by_statutory = cal.add_working_days(today, statutory_total)
    return Estimate(by_target, by_statutory, cal.is_provisional(by_target) or cal.is_provisional(by_statutory))


def case_next_step(app, views, *, today: dt.date, cal: WorkingCalendar, limits_for) -> NextStep:
    state = app.state
    running = [v.stage for v in views if v.stage.state == StageState.RUNNING]
    requests = [v.open_pause for v in views if v.open_pause is not None
                and v.open_pause.reason in APPLICANT_SIDE_REASONS]
    soonest = min((s.target_due or s.statutory_due for s in running if s.target_due or s.statutory_due),
                  default=None)
    until = soonest.isoformat() if soonest else None

    def waiting(text_with_date: str, text_without: str) -> NextStep:
        est = estimate_completion(views, today=today, cal=cal, limits_for=limits_for)
        if until:
            return NextStep(text_with_date % {"d": until}, False, est)
        return NextStep(text_without, False, est)

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
    if state in (CaseState.REVIEW, CaseState.DECISION):
        return waiting(_("The office is reviewing: nothing for you to do until %(d)s."),
                       _("The office is reviewing: nothing for you to do for now."))
    if state == CaseState.ISSUANCE:
        return waiting(_("Approved: the office is issuing the certificate, by %(d)s. Nothing for you to do "
                         "until then."),
                       _("Approved: the office is issuing the certificate. Nothing for you to do."))
    if state == CaseState.SUSPENDED:
        return NextStep(_("The case is suspended (Order 47 Art. 56): every clock is stopped. The office "
                          "tells you when it resumes."), False)
    if state == CaseState.APPROVED:
        return NextStep(_("Approved. Collect your certificate %(n)s with the approval notice below.")
                        % {"n": app.certificate_number or ""}, True)
    if state == CaseState.REFUSED:
        return NextStep(_("Refused. The refusal decision below gives the reasons and your rights: "
                          "administrative reconsideration within 60 days, or a lawsuit within 6 months."), False)
    if state == CaseState.WITHDRAWN:
        return NextStep(_("Withdrawn on %(d)s. Nothing more to do.") % {
            "d": app.closed_on.isoformat() if app.closed_on else "—"}, False)
    if state == CaseState.TERMINATED:
        return NextStep(_("The procedure was terminated on %(d)s without a decision.") % {
            "d": app.closed_on.isoformat() if app.closed_on else "—"}, False)
    return NextStep("", False)
