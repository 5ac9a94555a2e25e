"""Re-projecting running cases onto another policy pack: an administrator's deliberate act.

docs/policy-packs.md#upgrading-running-cases: a later pack never changes the deadlines of cases
already running unless an administrator re-projects them, and that re-projection is logged. Working
days already consumed and extensions granted are kept; only the budgets (and so the deadlines)
follow the new rules.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from review.exceptions import InvalidInput, PermissionDenied
from review.models import PolicyPack
from review.models.enums import StageState
from review.selectors import calendar_current, policy_pack_in_force
from services import workflow

REPROJECT_PERMISSION = "review.change_policypack"


def application_rebind_policy(*, application, actor, pack: PolicyPack | None = None, today=None) -> int:
    """Bind the case to ``pack`` (default: the pack in force today) and re-project its running and
    paused stages. Returns the number of stages whose numbers changed."""
    if not actor.has_perm(REPROJECT_PERMISSION):
        raise PermissionDenied(_("Only a system administrator may re-project cases onto a policy pack."))
    today = workflow.today_or(today)
    pack = pack or policy_pack_in_force(today, application.office.jurisdiction)
    if pack is None:
        raise InvalidInput(_("No policy pack is in force today: add or activate one first."),
                           {"field": "policy_pack"})
    cal = calendar_current()
    changed = 0
    with workflow.locked_case(application) as app:
        old_pack = app.policy_pack
        app.policy_pack = pack
        changed += workflow.renewal_late_reproject(app, actor=actor, cal=cal)
        changed += workflow.licence_anchor_reproject(
            app, actor=actor, cal=cal,
            cause=_("Licence clock re-counted from the registration certificate's issue (Order 53 Art. 10(1))"))
        for stage in app.stages.filter(state__in=[StageState.RUNNING, StageState.PAUSED]):
            limits = workflow.limits_for(app, stage.kind)
            before = workflow.deadline_details(stage) | {
                "statutory_days": stage.statutory_days, "target_days": stage.target_days}
            stage.statutory_days = stage.original_statutory_days = limits.statutory_days
            stage.target_days = limits.target_days
            stage.warning_days = limits.warning_days
            stage.statutory_reference = limits.statutory_reference
            stage.rule_source = limits.source[:400]
            if stage.state == StageState.RUNNING:
                workflow.project(stage, cal)
            after = workflow.deadline_details(stage) | {
                "statutory_days": stage.statutory_days, "target_days": stage.target_days}
            if after == before:
                continue
            stage.save(update_fields=workflow.CLOCK_FIELDS)
            workflow.log(app, stage=stage, action="reproject_policy", actor=actor, from_state=stage.state,
                          to_state=stage.state, reason=_("Re-projected onto %(p)s") % {"p": pack},
                          details={"before": before, "after": after})
            changed += 1
        changed += workflow.applicant_deadlines_reproject(
            app, actor=actor, cal=cal,
            cause=_("Applicant's deadline re-counted (Civil Code Art. 203: a period ending on a rest day "
                    "ends on the next working day)"))
        workflow.bump(app, "policy_pack")
        if old_pack == pack:  # the same pack's corrected rules: the stage rows above say it all
            return changed
        workflow.log(app, action="rebind_policy", actor=actor, from_state=app.state, to_state=app.state,
                      reason=_("Policy pack %(old)s → %(new)s") % {"old": old_pack, "new": pack},
                      details={"from": old_pack.code if old_pack else None, "to": pack.code},
                      for_applicant=False)
    return changed
