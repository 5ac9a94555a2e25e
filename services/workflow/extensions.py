"""Extension of a stage's limits (Order 47 Art. 96: at most half the original limit in all,
approved by a supervisor) and which stage kinds a pack lets be extended."""
from __future__ import annotations

from django.utils.translation import gettext as _

from clock import sla
from review import permissions as perms
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Extension, Stage
from review.models.enums import (
    StageKind,
    StageState,
)
from review.selectors import calendar_current
from services.workflow.clocks import (
    CLOCK_FIELDS,
    project,
)
from services.workflow.core import bump, deadline_details, locked_stage, log, require
from services.workflow.pauses import article_of


def stage_extend(*, stage: Stage, actor, days: int, reason: str, today=None,
                 expected_version=None) -> Extension:
    """Extension approved by a supervisor (Order 47 Art. 96): at most half the original limit."""
    label = _("Working days")  # the field's label on the form
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput(_("%(f)s: enter a whole number.") % {"f": label}, {"field": "days"}) from None
    if days < 1:
        raise InvalidInput(_("%(label)s: enter at least 1.") % {"label": label}, {"field": "days"})
    if not (reason or "").strip():
        raise InvalidInput(_("Reason: the law asks for the reason of an extension."), {"field": "reason"})
    cal = calendar_current()
    with locked_stage(stage, expected_version=expected_version) as (app, stage):
        require(perms.can_supervise(app, actor), _("Only a supervisor may approve an extension."))
        if stage.state not in (StageState.RUNNING, StageState.PAUSED):
            raise NotAllowedNow(_("Only a running or paused stage can be extended."))
        if stage.kind not in extendable_kinds(app.policy_pack):
            raise NotAllowedNow(
                _("%(s)s cannot be extended: %(article)s allows extensions of technical review "
                  "and verification only.") % {"s": stage.get_kind_display(), "article": article_of(app, 96)})
        cap = sla.max_extension(stage.original_statutory_days or stage.target_days)
        if stage.extension_days + days > cap:
            raise InvalidInput(
                _("%(label)s: at most %(cap)d working days in all (half of the %(limit)d-day limit, Order 47 "
                  "Art. 96); %(used)d are already granted.")
                % {"label": label, "cap": cap, "limit": stage.original_statutory_days or stage.target_days or 0,
                   "used": stage.extension_days}, {"field": "days"})
        own_due = sla.due_date(cal, clock_start=stage.clock_started_on, budget=stage.statutory_days,
                               consumed=stage.consumed_days,
                               extension=stage.extension_days + stage.handover_days) \
            if stage.state == StageState.RUNNING else None
        if sla.extension_swallowed(own_due, app.decide_by, stage.kind):
            raise NotAllowedNow(
                _("An extension would move nothing: this renewal must be decided by %(d)s, the day the "
                  "certificate expires (%(article)s), and the stage's deadline is already held there. "
                  "Decide by then, or the renewal is deemed granted.")
                % {"d": app.decide_by, "article": article_of(app, 82)})
        old = deadline_details(stage)
        stage.extension_days += days
        if stage.state == StageState.RUNNING:
            project(stage, cal)
        stage.save(update_fields=CLOCK_FIELDS)
        ext = Extension.objects.create(stage=stage, days=days, reason=reason.strip(), approved_by=actor)
        bump(app)
        log(app, stage=stage, action="extend", actor=actor, from_state=stage.state,
             to_state=stage.state, reason=reason,
             details={"days": days, "before": old, "after": deadline_details(stage)})
    return ext


DEFAULT_EXTENDABLE = (StageKind.TECHNICAL_REVIEW, StageKind.QMS_VERIFICATION, StageKind.MERGED_INSPECTION)


def extendable_kinds(pack) -> frozenset[str]:
    """Order 47 Art. 96 (技术审评、核查等): the pack's setting, inherited from its parent, by default
    technical review and QMS verification (the merged inspection is that verification)."""
    while pack is not None:
        if pack.extendable_kinds:
            return frozenset(pack.extendable_kinds)
        pack = pack.parent
    return frozenset(DEFAULT_EXTENDABLE)
