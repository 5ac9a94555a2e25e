"""Workflow commands: the only code that changes the state of cases and stages.

A small package (docs/architecture.md#where-logic-lives):

- ``core``: the shape every command shares (lock and conflict check, permission check, pure
  transition, version bump, log row with its applicant e-mail in the outbox);
- ``clocks``: limits, deadlines, pauses and resumptions of a stage's clock;
- ``phases``: opening the next phase of the route and the join after a parallel phase;
- ``cases``, ``stages``, ``pauses`` and ``extensions``: the commands the interfaces call;
- ``certificates`` and ``reproject``: what issuance records and calendar changes move.

Other modules import the public names re-exported here, never a module's private helper.
"""

from clock.periods import certificate_expiry, supplement_answer_deadline
from services.workflow.cases import (
    application_create,
    application_move_office,
    application_resume,
    application_submit,
    application_suspend,
    application_terminate,
    application_withdraw,
    renewal_late_reason,
    renewal_late_reproject,
)
from services.workflow.clocks import CLOCK_FIELDS, limits_for, project
from services.workflow.core import bump, deadline_details, locked_case, locked_stage, log, today_or
from services.workflow.extensions import extendable_kinds, stage_extend
from services.workflow.pauses import (
    applicant_deadline,
    items_error,
    pause_reasons_for,
    stage_answer,
    stage_notify_missing_items,
    stage_pause,
    stage_refuse_lapsed,
    stage_request_rectification,
    stage_request_supplement,
    stage_resume,
)
from services.workflow.reproject import (
    applicant_deadlines_reproject,
    deadlines_reproject,
    licence_anchor_reproject,
)
from services.workflow.stages import (
    NEEDS_NOTE,
    NEEDS_REFERENCE,
    OUTCOMES,
    failed_inspection,
    lapsed_rectification,
    stage_complete,
    stage_reassign,
    stage_record_handover,
    stage_start,
)

__all__ = [
    "CLOCK_FIELDS", "NEEDS_NOTE", "NEEDS_REFERENCE", "OUTCOMES", "applicant_deadline",
    "applicant_deadlines_reproject",
    "application_create", "application_move_office", "application_resume", "application_submit", "application_suspend",
    "application_terminate", "application_withdraw", "bump", "certificate_expiry", "deadline_details",
    "deadlines_reproject", "extendable_kinds", "failed_inspection", "items_error", "lapsed_rectification",
    "renewal_late_reason", "renewal_late_reproject",
    "licence_anchor_reproject", "limits_for", "locked_case", "pause_reasons_for",
    "locked_stage", "log", "project",
    "stage_answer", "stage_complete", "stage_extend", "stage_notify_missing_items", "stage_pause", "stage_reassign",
    "stage_record_handover", "stage_refuse_lapsed",
    "stage_request_rectification", "stage_request_supplement", "stage_resume", "stage_start",
    "supplement_answer_deadline", "today_or",
]
