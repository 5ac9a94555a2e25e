"""Choices shared by models, services and the interfaces.

Values are stable identifiers (stored, used in the API and in policy-pack data); labels are
translated. A new stage kind or pause reason is a code change here plus data in the routes and
policy packs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceClass(models.TextChoices):
    II = "II", _("Class II")
    III = "III", _("Class III")


class Category(models.TextChoices):
    PASSIVE = "passive", _("Passive device")
    ACTIVE = "active", _("Active device")
    IVD = "ivd", _("In-vitro diagnostic reagent")


class ApplicationType(models.TextChoices):
    FIRST = "first", _("First registration")
    CHANGE = "change", _("Change registration")
    RENEWAL = "renewal", _("Renewal")
    LICENCE = "licence", _("Production licence")


class Pathway(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PRIORITY = "priority", _("Priority review")
    INNOVATION = "innovation", _("Innovation (special review)")
    REGISTERED_ELSEWHERE = "registered_elsewhere", _("Registered elsewhere in China")


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Intent (draft)")
    PRESUBMISSION = "presubmission", _("Pre-submission service")
    TESTING = "testing", _("Registration testing")
    ACCEPTANCE = "acceptance", _("Acceptance")
    REVIEW = "review", _("Review")
    DECISION = "decision", _("Decision")
    ISSUANCE = "issuance", _("Issuance")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TERMINATED = "terminated", _("Terminated")
    SUSPENDED = "suspended", _("Suspended")


# States in which the case moves along its route (phase states).
PHASE_STATES = (
    CaseState.PRESUBMISSION,
    CaseState.TESTING,
    CaseState.ACCEPTANCE,
    CaseState.REVIEW,
    CaseState.DECISION,
    CaseState.ISSUANCE,
)
OPEN_STATES = (CaseState.DRAFT, *PHASE_STATES, CaseState.SUSPENDED)
CLOSED_STATES = (CaseState.APPROVED, CaseState.REFUSED, CaseState.WITHDRAWN, CaseState.TERMINATED)


class StageKind(models.TextChoices):
    PRESUBMISSION = "presubmission", _("Pre-submission service")
    TESTING = "testing", _("Registration testing")
    ACCEPTANCE = "acceptance", _("Acceptance")
    LICENCE_ACCEPTANCE = "licence_acceptance", _("Licence acceptance")
    TECHNICAL_REVIEW = "technical_review", _("Technical review")
    NATIONAL_REVIEW = "national_review", _("National review (NMPA)")
    QMS_VERIFICATION = "qms_verification", _("QMS verification")
    LICENCE_INSPECTION = "licence_inspection", _("Production-licence inspection")
    MERGED_INSPECTION = "merged_inspection", _("Merged QMS and licence inspection")
    DECISION = "decision", _("Administrative decision")
    ISSUANCE = "issuance", _("Certificate issuance")
    LICENCE_DECISION = "licence_decision", _("Licence decision")
    LICENCE_ISSUANCE = "licence_issuance", _("Licence issuance")


# Which case state a phase made of these stage kinds puts the case in.
KIND_CASE_STATE = {
    StageKind.PRESUBMISSION: CaseState.PRESUBMISSION,
    StageKind.TESTING: CaseState.TESTING,
    StageKind.ACCEPTANCE: CaseState.ACCEPTANCE,
    StageKind.LICENCE_ACCEPTANCE: CaseState.ACCEPTANCE,
    StageKind.TECHNICAL_REVIEW: CaseState.REVIEW,
    StageKind.NATIONAL_REVIEW: CaseState.REVIEW,
    StageKind.QMS_VERIFICATION: CaseState.REVIEW,
    StageKind.LICENCE_INSPECTION: CaseState.REVIEW,
    StageKind.MERGED_INSPECTION: CaseState.REVIEW,
    StageKind.DECISION: CaseState.DECISION,
    StageKind.LICENCE_DECISION: CaseState.DECISION,
    StageKind.ISSUANCE: CaseState.ISSUANCE,
    StageKind.LICENCE_ISSUANCE: CaseState.ISSUANCE,
}

# Stages whose clock starts only when the handler records a receipt, not when the phase opens:
# testing (samples received); acceptance after an earlier phase (the dossier received, Order 47
# Art. 53: the 5 WD count from receipt); the QMS verification of a Class III case (the national
# centre's notice received, Art. 93: 30 WD from receipt); the licence's acceptance (its dossier).
# Whether a step starts by hand is route data (``RouteStep.manual_start``, copied onto the stage);
# testing always does, also on stages planned before the route data said so (review.0006).
MANUAL_START_KINDS = frozenset({StageKind.TESTING})
# Stages that receive a dossier: when they open after an earlier phase (testing, pre-submission)
# the clock waits for the dossier's receipt (Order 47 Art. 53: 5 WD from receipt); when they open
# at submission, the submission is the receipt.
DOSSIER_KINDS = frozenset({StageKind.ACCEPTANCE, StageKind.LICENCE_ACCEPTANCE})
# Stages run outside the province: tracked, never alerted to a local supervisor.
EXTERNAL_KINDS = frozenset({StageKind.NATIONAL_REVIEW})


class StageState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STAGE_STATES = (StageState.DONE, StageState.SKIPPED, StageState.CANCELLED)


class PauseReason(models.TextChoices):
    SUPPLEMENT = "supplement", _("Supplement requested (补正)")
    MISSING_ITEMS = "missing_items", _("One-time notice of missing items (一次性告知)")
    RECTIFICATION = "rectification", _("Rectification by the applicant")
    EXPERT = "expert", _("Expert consultation")
    HEARING = "hearing", _("Hearing")
    OBJECTION = "objection", _("Objection to a proposed refusal")
    SUSPENSION = "suspension", _("Case suspended (中止)")
    # Order 47 Art. 98(2), 98(5): time not counted in the limits.
    APPLICANT_DELAY = "applicant_delay", _("Verification delayed at the applicant's request (Order 47 Art. 98(2))")
    AWAITING_QMS = "awaiting_qms", _("Waiting for the QMS verification result (Order 47 Art. 98(5))")


# Time on the applicant's side (shown as such on the case clock). Order 47 Art. 98.
APPLICANT_SIDE_REASONS = frozenset(
    {PauseReason.SUPPLEMENT, PauseReason.MISSING_ITEMS, PauseReason.RECTIFICATION}
)
# After these the stage restarts with a fresh budget (docs/regulatory-basis.md): the review after
# a supplement (Order 47 Art. 92), acceptance of the completed dossier (Art. 53: the 5 WD count
# from its receipt), the re-check after rectification (NMPA QMS verification procedure Art. 17).
# After every other reason it continues with the budget it had left.
FRESH_BUDGET_REASONS = frozenset(
    {PauseReason.SUPPLEMENT, PauseReason.MISSING_ITEMS, PauseReason.RECTIFICATION}
)


class Outcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")
    ACCEPTED = "accepted", _("Accepted")
    ISSUED = "issued", _("Issued")
    CLOSED = "closed", _("Closed")


class Anchor(models.TextChoices):
    STAGE = "stage", _("Start of the stage")
    ACCEPTANCE = "acceptance", _("Acceptance of the application")
    LICENCE_ACCEPTANCE = "licence_acceptance", _("Acceptance of the production licence")


class SkipReason(models.TextChoices):
    """Why a route step was skipped for this case (stored as the route condition's name)."""

    KEY_PROJECT = "key_project", _("not a key project")
    PRESUBMISSION = "presub_offered", _(
        "pre-submission service not offered (not a key project, not registered elsewhere in China, "
        "not a complex product)")
    NEEDS_TESTING = "needs_testing", _("no registration testing requested")
    WITH_LICENCE = "with_licence", _("no production licence in parallel")
    QMS_ON_CHANGE = "qms_on_change", _("the change does not touch the quality system")
    MERGED = "merged", _("merged into the merged inspection")


class LogAction(models.TextChoices):
    CREATE = "create", _("Intent registered")
    EDIT = "edit", _("Draft edited")
    SUBMIT = "submit", _("Submitted")
    ADVANCE = "advance", _("Moved to the next phase")
    WITHDRAW = "withdraw", _("Withdrawn")
    REFUSE = "refuse", _("Refused")
    REFUSE_LAPSED = "refuse_lapsed", _("Refused: supplement not received within one year")
    DEEMED_ACCEPTED = "deemed_accepted", _("Deemed accepted as of receipt")
    HANDOVER = "handover", _("Dossier handed over to technical review")
    TERMINATE = "terminate", _("Terminated")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Resumed")
    STAGE_START = "stage_start", _("Stage started")
    STAGE_SKIP = "stage_skip", _("Stage skipped")
    STAGE_COMPLETE = "stage_complete", _("Stage completed")
    STAGE_CANCEL = "stage_cancel", _("Stage cancelled")
    PAUSE_SUPPLEMENT = "pause_supplement", _("Supplement requested")
    PAUSE_MISSING_ITEMS = "pause_missing_items", _("Notice of missing items")
    PAUSE_RECTIFICATION = "pause_rectification", _("Rectification requested")
    PAUSE_EXPERT = "pause_expert", _("Clock stopped: expert consultation")
    PAUSE_HEARING = "pause_hearing", _("Clock stopped: hearing")
    PAUSE_OBJECTION = "pause_objection", _("Clock stopped: objection")
    PAUSE_SUSPENSION = "pause_suspension", _("Clock stopped: case suspended")
    PAUSE_APPLICANT_DELAY = "pause_applicant_delay", _("Clock stopped: verification delayed at the applicant's request")
    PAUSE_AWAITING_QMS = "pause_awaiting_qms", _("Clock stopped: waiting for the QMS verification result")
    RESUME_SUPPLEMENT = "resume_supplement", _("Supplement received")
    RESUME_MISSING_ITEMS = "resume_missing_items", _("Missing items received")
    RESUME_RECTIFICATION = "resume_rectification", _("Rectification received")
    RESUME_EXPERT = "resume_expert", _("Clock restarted after expert consultation")
    RESUME_HEARING = "resume_hearing", _("Clock restarted after hearing")
    RESUME_OBJECTION = "resume_objection", _("Clock restarted after objection")
    RESUME_SUSPENSION = "resume_suspension", _("Clock restarted: case resumed")
    RESUME_APPLICANT_DELAY = "resume_applicant_delay", _("Clock restarted after the applicant's delay")
    RESUME_AWAITING_QMS = "resume_awaiting_qms", _("Clock restarted: QMS verification result received")
    CERTIFICATE_CORRECTED = "certificate_corrected", _("Certificate record corrected")
    RENEWAL_FILED_LATE = "renewal_filed_late", _("Renewal filed outside its window")
    DOCUMENTS = "documents", _("Documents received from the applicant")
    EXTEND = "extend", _("Deadline extended")
    REASSIGN = "reassign", _("Reassigned")
    OFFICE_REASSIGN = "office_reassign", _("Moved to another office")
    REPROJECT = "reproject", _("Deadlines re-projected (calendar)")
    REPROJECT_POLICY = "reproject_policy", _("Deadlines re-projected (policy pack)")
    REBIND_POLICY = "rebind_policy", _("Policy pack changed")


# Labels of every state a log row can name (case and stage states share some values).
STATE_LABELS = {**dict(StageState.choices), **dict(CaseState.choices)}
