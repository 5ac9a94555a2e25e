"""Per-object permission predicates for the transitions: ``(instance, user) -> bool``.

django-fsm never checks these itself; ``services.workflow`` calls ``has_transition_perm`` before
every transition. The codenames live on groups, which an administrator can change.
"""

from review.models.enums import StageKind

# Which permission handles each stage kind (docs/security.md#who-reads-what).
STAGE_KIND_PERMISSION = {
    StageKind.PRESUBMISSION: "review.review_application",
    StageKind.TESTING: "review.test_application",
    StageKind.ACCEPTANCE: "review.accept_application",
    StageKind.LICENCE_ACCEPTANCE: "review.accept_application",
    StageKind.TECHNICAL_REVIEW: "review.review_application",
    StageKind.NATIONAL_REVIEW: "review.accept_application",
    StageKind.QMS_VERIFICATION: "review.inspect_application",
    StageKind.LICENCE_INSPECTION: "review.inspect_application",
    StageKind.MERGED_INSPECTION: "review.inspect_application",
    StageKind.DECISION: "review.decide_application",
    StageKind.ISSUANCE: "review.decide_application",
    StageKind.LICENCE_DECISION: "review.decide_application",
    StageKind.LICENCE_ISSUANCE: "review.decide_application",
}

SUPERVISE = "review.supervise_application"
# The national role reads every office's cases; it acts on none (docs/offices.md).
ALL_OFFICES = "review.view_all_offices"
FILE = "review.file_application"
# Directors: statutory-breach escalations (docs/operations.md#alert-levels-and-recipients).
DIRECTOR = "notifications.receive_breach_alerts"


def is_owner(application, user) -> bool:
    """An enterprise user acting on their own enterprise's case."""
    return bool(
        user.is_authenticated
        and user.enterprise_id is not None
        and user.enterprise_id == application.enterprise_id
        and user.has_perm(FILE)
    )


def in_office(application, user) -> bool:
    """Staff act only on their own office's cases (a superuser on any); reading every office, the
    national role, is not acting."""
    return user.is_superuser or (user.office_id is not None and user.office_id == application.office_id)


def can_file(application, user) -> bool:
    return is_owner(application, user) or (user.has_perm("review.accept_application")
                                           and in_office(application, user))


def can_withdraw(application, user) -> bool:
    # The enterprise withdraws its own case; a supervisor records a withdrawal made on paper.
    return is_owner(application, user) or can_supervise(application, user)


def can_refuse(application, user) -> bool:
    # The approver refuses; the acceptance officer records a national refusal of a Class III case.
    return (user.has_perm("review.decide_application") or user.has_perm("review.accept_application")) \
        and in_office(application, user)


def can_supervise(application, user) -> bool:
    return user.has_perm(SUPERVISE) and in_office(application, user)


def can_handle_stage(stage, user) -> bool:
    return user.has_perm(STAGE_KIND_PERMISSION[stage.kind]) and in_office(stage.application, user)


def can_handle_kind(kind, user) -> bool:
    return user.has_perm(STAGE_KIND_PERMISSION[kind])


def can_pause_stage(stage, user) -> bool:
    return can_handle_stage(stage, user) or can_supervise(stage.application, user)


def can_resume_stage(stage, user) -> bool:
    # The applicant answering a supplement resumes the clock too (services narrow the reason).
    return can_pause_stage(stage, user) or is_owner(stage.application, user)

# ``User.objects.with_perm`` must be told which backend answers once more than one is configured
# (django-axes' backend comes first); group and user permissions live in this one.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
