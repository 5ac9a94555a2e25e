"""Every route end to end through the service functions (docs/architecture.md#routes-phases-and-the-join).

Each step asserts the case state, the stage states, the skipped stages' reasons and the log rows
the step wrote. Dates are ordinary 2026 working days (see ``MONDAY``); clock arithmetic has its
own file (test_workflow_clocks.py).
"""

import datetime as dt

import pytest

from review.models import Stage, TransitionLog
from services import workflow
from tests.conftest import MONDAY, log_of, stage_of

# Skip reasons are compared as the (English) text a user reads.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TUE, WED, THU, FRI = (MONDAY + dt.timedelta(days=n) for n in range(1, 5))
NEXT_MON = MONDAY + dt.timedelta(days=7)

MERGED = "merged into the merged inspection"


def states(app) -> dict[str, str]:
    return {s.kind: s.state for s in Stage.objects.filter(application=app)}


def skip_reasons(app) -> dict[str, str]:
    """Why each skipped stage was skipped, as the user reads it (the label of the stored reason
    code, or the stored text where the field has no choices)."""
    stages = Stage.objects.filter(application=app, state="skipped")
    return {s.kind: str(s.get_skip_reason_display() if hasattr(s, "get_skip_reason_display")
                        else s.skip_reason) for s in stages}


def new_rows(app, since: int):
    """Log rows written after the first ``since`` ones."""
    return log_of(app)[since:]


def complete(app, kind, actor, outcome, *, note="", reference="", today=MONDAY):
    return workflow.stage_complete(stage=stage_of(app, kind), actor=actor, outcome=outcome,
                                   note=note, reference=reference, today=today)


# --- route choice ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("device_class", "application_type", "route"),
    [
        ("II", "first", "II-first"),
        ("II", "change", "II-change"),
        ("II", "renewal", "II-renewal"),
        ("III", "first", "III-first"),
        ("III", "change", "III-change"),
        ("III", "renewal", "III-renewal"),
        ("II", "licence", "licence"),
        ("III", "licence", "licence"),  # the typed route beats the class-only one
    ],
)
def test_the_most_specific_route_is_chosen(make_application, device_class, application_type, route):
    app = make_application(device_class=device_class, application_type=application_type)
    assert app.route.code == route
    assert app.state == "draft"
    assert log_of(app) == [("create", "", "", "draft")]


# --- Class II first registration -------------------------------------------------------------
ALL_OPTIONS_SUBMITTED = {
    "presubmission": "running", "testing": "pending", "acceptance": "pending",
    "technical_review": "pending", "qms_verification": "skipped", "licence_inspection": "skipped",
    "merged_inspection": "pending", "decision": "pending", "issuance": "pending",
    "licence_decision": "pending", "licence_issuance": "pending",
}
PRESUB_NOT_OFFERED = ("pre-submission service not offered (not a key project, not registered elsewhere "
                      "in China, not a complex product)")


def test_class_ii_first_with_every_optional_phase(users, make_application):
    app = make_application(key_project=True, needs_testing=True, with_production_licence=True)

    # Submit: pre-submission service opens; QMS verification and the licence inspection are
    # replaced by one merged inspection (SAMR Order 53 Art. 13) and shown as skipped.
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.state == "presubmission"
    assert app.submitted_on == MONDAY
    assert app.policy_pack.code == "cq-2025"
    assert states(app) == ALL_OPTIONS_SUBMITTED
    assert skip_reasons(app) == {"qms_verification": MERGED, "licence_inspection": MERGED}
    merged = stage_of(app, "merged_inspection")
    assert merged.phase == stage_of(app, "technical_review").phase
    assert merged.department.code == "inspection"
    assert log_of(app) == [
        ("create", "", "", "draft"),
        ("stage_skip", "qms_verification", "pending", "skipped"),
        ("stage_skip", "licence_inspection", "pending", "skipped"),
        ("stage_start", "presubmission", "pending", "running"),
        ("submit", "", "draft", "presubmission"),
    ]
    # Pre-submission has no statutory limit: only the pack's configurable target.
    pre = stage_of(app, "presubmission")
    assert (pre.statutory_days, pre.target_days, pre.statutory_due) == (None, 10, None)
    n = len(log_of(app))

    # Pre-submission closed: testing opens, but its clock waits for the samples.
    complete(app, "presubmission", users.reviewer, "closed", today=TUE)
    assert app.state == "testing"
    assert states(app) == {**ALL_OPTIONS_SUBMITTED, "presubmission": "done"}
    assert new_rows(app, n) == [
        ("stage_complete", "presubmission", "running", "done"),
        ("advance", "", "presubmission", "testing"),
    ]
    n = len(log_of(app))

    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=WED)
    testing = stage_of(app, "testing")
    assert (testing.state, testing.started_on) == ("running", WED)
    assert app.state == "testing"
    complete(app, "testing", users.tester, "passed", reference="渝械检2026-0001", today=THU)
    assert app.state == "acceptance"
    assert stage_of(app, "testing").outcome_reference == "渝械检2026-0001"
    # Acceptance opens, but its 5 WD count from the receipt of the dossier (Order 47 Art. 53),
    # which the acceptance officer records.
    assert new_rows(app, n) == [
        ("stage_start", "testing", "pending", "running"),
        ("stage_complete", "testing", "running", "done"),
        ("advance", "", "testing", "acceptance"),
    ]
    assert stage_of(app, "acceptance").state == "pending"
    workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance, today=FRI)
    assert app.dossier_received_on == FRI
    n = len(log_of(app))

    complete(app, "acceptance", users.acceptance, "accepted", today=FRI)
    assert app.state == "review"
    assert app.accepted_on == FRI
    in_review = {**ALL_OPTIONS_SUBMITTED, "presubmission": "done", "testing": "done",
                 "acceptance": "done", "technical_review": "running", "merged_inspection": "running"}
    assert states(app) == in_review
    assert new_rows(app, n) == [
        ("stage_complete", "acceptance", "running", "done"),
        ("stage_start", "technical_review", "pending", "running"),
        ("stage_start", "merged_inspection", "pending", "running"),
        ("advance", "", "acceptance", "review"),
    ]
    n = len(log_of(app))

    # The join: the merged inspection alone does not open the decision.
    complete(app, "merged_inspection", users.inspector, "passed", note="现场检查符合要求",
             today=NEXT_MON)
    assert app.state == "review"
    assert states(app) == {**in_review, "merged_inspection": "done"}  # decision still pending
    assert new_rows(app, n) == [("stage_complete", "merged_inspection", "running", "done")]
    n = len(log_of(app))

    complete(app, "technical_review", users.reviewer, "approve", note="建议准予注册",
             today=NEXT_MON)
    assert app.state == "decision"
    assert states(app) == {**in_review, "merged_inspection": "done", "technical_review": "done",
                           "decision": "running"}
    assert new_rows(app, n) == [
        ("stage_complete", "technical_review", "running", "done"),
        ("stage_start", "decision", "pending", "running"),
        ("advance", "", "review", "decision"),
    ]
    n = len(log_of(app))

    complete(app, "decision", users.approver, "approve", note="准予注册", today=NEXT_MON)
    assert app.state == "issuance"
    assert new_rows(app, n) == [
        ("stage_complete", "decision", "running", "done"),
        ("stage_start", "issuance", "pending", "running"),
        ("advance", "", "decision", "issuance"),
    ]
    n = len(log_of(app))

    # Parallel licensing: the licence's 20 WD count from the certificate's issue (Order 53 Art. 10(1)).
    assert app.licence_accepted_on is None
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140001",
             today=NEXT_MON)
    assert app.licence_accepted_on == NEXT_MON
    assert app.state == "decision"
    assert app.certificate_number == "渝械注准20262140001"
    assert new_rows(app, n) == [
        ("stage_complete", "issuance", "running", "done"),
        ("stage_start", "licence_decision", "pending", "running"),
        ("advance", "", "issuance", "decision"),
    ]
    licence = stage_of(app, "licence_decision")
    assert (licence.statutory_days, licence.consumed_days) == (20, 0)  # Order 53 Art. 13
    complete(app, "licence_decision", users.approver, "approve", note="准予生产许可", today=NEXT_MON)
    assert stage_of(app, "licence_issuance").statutory_days == 10
    complete(app, "licence_issuance", users.approver, "issued", reference="渝药监械生产许20260009号",
             today=NEXT_MON + dt.timedelta(days=1))
    app.refresh_from_db()  # stored, not only on the instance
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "渝械注准20262140001", NEXT_MON + dt.timedelta(days=1))
    # Both are recorded for the renewal watch.
    assert sorted(app.certificates.values_list("kind", "number")) == [
        ("licence", "渝药监械生产许20260009号"), ("registration", "渝械注准20262140001")]
    assert set(states(app).values()) == {"done", "skipped"}
    # Every row names who acted.
    assert not TransitionLog.objects.filter(application=app, actor__isnull=True).exists()


def test_class_ii_first_without_options_skips_them_with_their_reasons(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.state == "acceptance"
    assert skip_reasons(app) == {
        "presubmission": PRESUB_NOT_OFFERED,
        "testing": "no registration testing requested",
        "licence_inspection": "no production licence in parallel",
        "licence_decision": "no production licence in parallel",
        "licence_issuance": "no production licence in parallel",
    }
    assert not app.stages.filter(kind="merged_inspection").exists()
    assert log_of(app)[1:] == [
        ("stage_skip", "presubmission", "pending", "skipped"),
        ("stage_skip", "testing", "pending", "skipped"),
        ("stage_skip", "licence_inspection", "pending", "skipped"),
        ("stage_skip", "licence_decision", "pending", "skipped"),
        ("stage_skip", "licence_issuance", "pending", "skipped"),
        ("stage_start", "acceptance", "pending", "running"),
        ("submit", "", "draft", "acceptance"),
    ]

    complete(app, "acceptance", users.acceptance, "accepted", today=TUE)
    assert app.state == "review"
    assert states(app)["technical_review"] == states(app)["qms_verification"] == "running"

    # The join, the other way round: the review first, QMS verification last.
    n = len(log_of(app))
    complete(app, "technical_review", users.reviewer, "approve", note="同意", today=WED)
    assert app.state == "review"
    assert states(app)["decision"] == "pending"
    assert stage_of(app, "decision").started_on is None
    assert log_of(app, action="advance")[-1] == ("advance", "", "acceptance", "review")
    complete(app, "qms_verification", users.inspector, "passed", note="体系核查通过", today=THU)
    assert app.state == "decision"
    assert new_rows(app, n) == [
        ("stage_complete", "technical_review", "running", "done"),
        ("stage_complete", "qms_verification", "running", "done"),
        ("stage_start", "decision", "pending", "running"),
        ("advance", "", "review", "decision"),
    ]
    assert stage_of(app, "decision").started_on == THU

    complete(app, "decision", users.approver, "approve", note="准予注册", today=FRI)
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20262140002", today=FRI)
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "渝械注准20262140002", FRI)
    assert [r[2:] for r in log_of(app, action="advance")] == [
        ("acceptance", "review"), ("review", "decision"), ("decision", "issuance"),
        ("issuance", "approved"),
    ]


def test_refused_decision_ends_the_case_and_cancels_what_is_left(users, reviewing):
    app = reviewing()
    complete(app, "technical_review", users.reviewer, "refuse", note="临床评价资料不足")
    complete(app, "qms_verification", users.inspector, "passed", note="通过")
    assert app.state == "decision"  # a refusing review opinion still goes to the approver
    complete(app, "decision", users.approver, "refuse", note="不予注册", today=TUE)
    assert app.state == "refused"
    assert app.closed_on == TUE
    assert states(app)["issuance"] == "cancelled"
    assert log_of(app)[-3:] == [
        ("stage_complete", "decision", "running", "done"),
        ("stage_cancel", "issuance", "pending", "cancelled"),
        ("refuse", "", "decision", "refused"),
    ]
    assert app.certificate_number == ""


def test_withdrawal_cancels_every_open_stage(users, reviewing):
    app = reviewing()
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=["产品技术要求"], today=TUE)
    workflow.application_withdraw(application=app, actor=users.enterprise, reason="产品设计变更",
                                  today=WED)
    assert app.state == "withdrawn"
    assert app.closed_on == WED
    assert states(app) == {
        "presubmission": "skipped", "testing": "skipped", "acceptance": "done",
        "technical_review": "cancelled", "qms_verification": "cancelled",
        "licence_inspection": "skipped", "decision": "cancelled", "issuance": "cancelled",
        "licence_decision": "skipped", "licence_issuance": "skipped",
    }
    # The supplement's open clock stop is closed too: no pause is left dangling.
    stop = stage_of(app, "technical_review").clock_stops.get()
    assert (stop.ended_on, stop.ended_by) == (WED, users.enterprise)
    assert log_of(app)[-5:] == [
        ("stage_cancel", "technical_review", "paused", "cancelled"),
        ("stage_cancel", "qms_verification", "running", "cancelled"),
        ("stage_cancel", "decision", "pending", "cancelled"),
        ("stage_cancel", "issuance", "pending", "cancelled"),
        ("withdraw", "", "review", "withdrawn"),
    ]


# --- Class II change and renewal -------------------------------------------------------------
def test_class_ii_change_without_qms(users, make_application):
    app = make_application(application_type="change")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.state == "acceptance"
    assert skip_reasons(app) == {"qms_verification": "the change does not touch the quality system"}
    complete(app, "acceptance", users.acceptance, "accepted")
    assert app.state == "review"
    assert states(app) == {"acceptance": "done", "technical_review": "running",
                           "qms_verification": "skipped", "decision": "pending",
                           "issuance": "pending"}
    # The only branch that runs: finishing it is the join.
    complete(app, "technical_review", users.reviewer, "approve", note="同意变更", today=TUE)
    assert app.state == "decision"
    complete(app, "decision", users.approver, "approve", note="准予变更", today=WED)
    assert app.state == "issuance"
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20252140123", today=THU)
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "渝械注准20252140123", THU)
    assert [a for a, *_ in log_of(app)] == [
        "create", "stage_skip", "stage_start", "submit",
        "stage_complete", "stage_start", "advance",
        "stage_complete", "stage_start", "advance",
        "stage_complete", "stage_start", "advance",
        "stage_complete", "advance",
    ]


def test_class_ii_change_with_qms_waits_for_both_branches(users, make_application):
    app = make_application(application_type="change", qms_on_change=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert skip_reasons(app) == {}
    complete(app, "acceptance", users.acceptance, "accepted")
    assert states(app)["technical_review"] == states(app)["qms_verification"] == "running"
    complete(app, "qms_verification", users.inspector, "passed", note="通过", today=TUE)
    assert app.state == "review"
    assert states(app)["decision"] == "pending"
    assert log_of(app, action="advance") == [("advance", "", "acceptance", "review")]
    complete(app, "technical_review", users.reviewer, "approve", note="同意", today=WED)
    assert app.state == "decision"
    assert log_of(app, action="advance")[-1] == ("advance", "", "review", "decision")
    complete(app, "decision", users.approver, "approve", note="准予变更", today=THU)
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20252140124", today=FRI)
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "渝械注准20252140124", FRI)


def test_class_ii_renewal(users, make_application):
    app = make_application(application_type="renewal")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.route.code == "II-renewal"
    assert states(app) == {"acceptance": "running", "technical_review": "pending",
                           "decision": "pending", "issuance": "pending"}
    assert skip_reasons(app) == {}
    complete(app, "acceptance", users.acceptance, "accepted")
    assert app.state == "review"
    complete(app, "technical_review", users.reviewer, "approve", note="同意延续", today=TUE)
    assert app.state == "decision"
    complete(app, "decision", users.approver, "approve", note="准予延续", today=WED)
    assert app.state == "issuance"
    complete(app, "issuance", users.approver, "issued", reference="渝械注准20212140099", today=THU)
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "渝械注准20212140099", THU)
    assert [r[2:] for r in log_of(app, action="advance")] == [
        ("acceptance", "review"), ("review", "decision"), ("decision", "issuance"),
        ("issuance", "approved"),
    ]
    assert set(states(app).values()) == {"done"}


# --- Class III (provincial part) -------------------------------------------------------------
def test_class_iii_without_licence_tracks_the_national_review(users, make_application):
    app = make_application(device_class="III", category="active")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    # No provincial acceptance: the case goes straight to the parallel review phase. The QMS
    # verification waits for the national centre's notice (Order 47 Art. 93).
    assert app.state == "review"
    assert states(app) == {
        "presubmission": "skipped", "testing": "skipped", "national_review": "running",
        "qms_verification": "pending", "licence_inspection": "skipped",
        "licence_acceptance": "skipped", "licence_decision": "skipped", "licence_issuance": "skipped",
    }
    assert skip_reasons(app) == {
        "presubmission": PRESUB_NOT_OFFERED,
        "testing": "no registration testing requested",
        "licence_inspection": "no production licence in parallel",
        "licence_acceptance": "no production licence in parallel",
        "licence_decision": "no production licence in parallel",
        "licence_issuance": "no production licence in parallel",
    }
    national = stage_of(app, "national_review")
    # Order 47 Art. 92: 90 WD at the CMDE, shown as a reference and never alerted locally.
    assert (national.statutory_days, national.statutory_reference) == (90, True)
    assert national.department.code == "acceptance"

    # The notice arrived on Monday, recorded on Tuesday: 30 WD from receipt.
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                         received_on=MONDAY, today=TUE)
    qms = stage_of(app, "qms_verification")
    assert (qms.started_on, qms.statutory_days) == (MONDAY, 30)
    # The acceptance officer records the national outcome with NMPA's certificate number.
    complete(app, "national_review", users.acceptance, "approve", reference="国械注准20263010001", today=TUE)
    assert app.state == "review"
    assert log_of(app)[-1] == ("stage_complete", "national_review", "running", "done")
    complete(app, "qms_verification", users.inspector, "passed", note="体系核查通过", today=WED)
    # Nothing left in the provincial part: the case is done.
    assert app.state == "approved"
    assert app.closed_on == WED
    assert app.certificate_number == "国械注准20263010001"  # NMPA's certificate, recorded here
    assert app.certificates.get().approved_on == TUE
    assert log_of(app)[-2:] == [
        ("stage_complete", "qms_verification", "running", "done"),
        ("advance", "", "review", "approved"),
    ]


def test_class_iii_with_every_option_and_licence(users, make_application):
    app = make_application(device_class="III", category="ivd", key_project=True, needs_testing=True,
                           with_production_licence=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.state == "presubmission"
    assert skip_reasons(app) == {"qms_verification": MERGED, "licence_inspection": MERGED}
    complete(app, "presubmission", users.reviewer, "closed", today=MONDAY)
    assert app.state == "testing"
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=TUE)
    complete(app, "testing", users.tester, "passed", reference="渝械检2026-0002", today=WED)
    assert app.state == "review"
    assert (states(app)["national_review"], states(app)["merged_inspection"]) == ("running", "pending")
    workflow.stage_start(stage=stage_of(app, "merged_inspection"), actor=users.inspector, today=WED)
    assert stage_of(app, "merged_inspection").statutory_days == 30  # Order 47 Art. 93, Class III

    complete(app, "merged_inspection", users.inspector, "passed", note="合并检查通过", today=THU)
    assert app.state == "review"
    complete(app, "national_review", users.acceptance, "approve", reference="国械注准20263400002", today=FRI)
    # The licence part gets its own acceptance once the national certificate is issued.
    assert app.state == "acceptance"
    assert states(app)["licence_acceptance"] == "pending"
    workflow.stage_start(stage=stage_of(app, "licence_acceptance"), actor=users.acceptance, today=FRI)
    complete(app, "licence_acceptance", users.acceptance, "accepted", today=NEXT_MON)
    assert app.licence_accepted_on == NEXT_MON
    assert app.state == "decision"
    decision = stage_of(app, "licence_decision")
    assert (decision.state, decision.statutory_days, decision.consumed_days) == ("running", 20, 0)
    complete(app, "licence_decision", users.approver, "approve", note="准予生产许可", today=NEXT_MON)
    assert app.state == "issuance"
    complete(app, "licence_issuance", users.approver, "issued", reference="渝食药监械生产许20260001号",
             today=NEXT_MON)
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "国械注准20263400002", NEXT_MON)
    assert [r[2:] for r in log_of(app, action="advance")] == [
        ("presubmission", "testing"), ("testing", "review"), ("review", "acceptance"),
        ("acceptance", "decision"), ("decision", "issuance"), ("issuance", "approved"),
    ]
    assert set(states(app).values()) == {"done", "skipped"}


def test_class_iii_national_refusal_is_recorded_by_the_acceptance_officer(users, make_application):
    app = make_application(device_class="III", category="active", with_production_licence=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    complete(app, "national_review", users.acceptance, "refuse", note="国家局不予注册", today=TUE)
    assert app.state == "refused"
    assert app.closed_on == TUE
    assert states(app) == {
        "presubmission": "skipped", "testing": "skipped", "national_review": "done",
        "qms_verification": "skipped", "licence_inspection": "skipped",
        "merged_inspection": "cancelled", "licence_acceptance": "cancelled",
        "licence_decision": "cancelled", "licence_issuance": "cancelled",
    }
    assert log_of(app, action="refuse") == [("refuse", "", "review", "refused")]
    assert log_of(app, action="advance") == []


def test_class_iii_change_runs_qms_only_when_notified(users, make_application):
    plain = make_application(device_class="III", application_type="change")
    workflow.application_submit(application=plain, actor=users.enterprise, today=MONDAY)
    assert states(plain) == {"national_review": "running", "qms_verification": "skipped"}
    notified = make_application(device_class="III", application_type="change", qms_on_change=True)
    workflow.application_submit(application=notified, actor=users.enterprise, today=MONDAY)
    assert states(notified) == {"national_review": "running", "qms_verification": "pending"}


def test_class_iii_renewal_runs_no_provincial_clock(users, make_application):
    app = make_application(device_class="III", application_type="renewal")
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert states(app) == {"national_review": "running"}
    national = stage_of(app, "national_review")
    # Decided nationally: nothing here counts a limit or alerts anyone.
    assert national.statutory_reference and national.statutory_days is None
    assert (national.target_due, national.statutory_due) == (None, None)
    complete(app, "national_review", users.acceptance, "approve", reference="国械注准20213010777", today=TUE)
    assert app.state == "approved"
    assert app.certificates.get().number == "国械注准20213010777"  # for the renewal watch


# --- production licence ----------------------------------------------------------------------
def test_production_licence_route(users, make_application):
    app = make_application(application_type="licence", with_production_licence=True)
    assert app.with_production_licence is False  # the licence application is the licence itself
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.state == "acceptance"
    assert states(app) == {"acceptance": "running", "licence_inspection": "pending",
                           "decision": "pending", "issuance": "pending"}
    complete(app, "acceptance", users.acceptance, "accepted", today=TUE)
    assert app.state == "review"
    assert app.accepted_on == app.licence_accepted_on == TUE
    assert states(app)["licence_inspection"] == "running"
    complete(app, "licence_inspection", users.inspector, "passed", note="现场检查通过", today=WED)
    assert app.state == "decision"
    complete(app, "decision", users.approver, "approve", note="准予许可", today=THU)
    assert app.state == "issuance"
    complete(app, "issuance", users.approver, "issued", reference="渝药监械生产许20260002号", today=FRI)
    assert (app.state, app.certificate_number, app.closed_on) == (
        "approved", "渝药监械生产许20260002号", FRI)
    assert log_of(app) == [
        ("create", "", "", "draft"),
        ("stage_start", "acceptance", "pending", "running"),
        ("submit", "", "draft", "acceptance"),
        ("stage_complete", "acceptance", "running", "done"),
        ("stage_start", "licence_inspection", "pending", "running"),
        ("advance", "", "acceptance", "review"),
        ("stage_complete", "licence_inspection", "running", "done"),
        ("stage_start", "decision", "pending", "running"),
        ("advance", "", "review", "decision"),
        ("stage_complete", "decision", "running", "done"),
        ("stage_start", "issuance", "pending", "running"),
        ("advance", "", "decision", "issuance"),
        ("stage_complete", "issuance", "running", "done"),
        ("advance", "", "issuance", "approved"),
    ]
