"""Re-projecting stored deadlines after the calendar changes."""

from __future__ import annotations

from django.db import transaction

from review.models import Stage
from review.models.enums import StageState
from review.selectors import calendar_current
from services.workflow.clocks import project
from services.workflow.core import deadline_details, log


def deadlines_reproject(*, actor, cause: str, stages=None, cal=None) -> int:
    """Recompute the stored deadlines of running stages; log each one that moved.

    Called after a new official schedule is loaded (deadlines of its year move) and when an
    administrator re-projects cases onto another policy pack.
    """
    cal = cal or calendar_current()
    moved = 0
    qs = stages if stages is not None else Stage.objects.filter(state=StageState.RUNNING)
    for stage in qs.select_related("application"):
        before = (stage.target_due, stage.statutory_due, stage.deadline_provisional)
        project(stage, cal)
        if (stage.target_due, stage.statutory_due, stage.deadline_provisional) == before:
            continue
        with transaction.atomic():
            stage.save(update_fields=["target_due", "statutory_due", "deadline_provisional"])
            log(stage.application, stage=stage, action="reproject", actor=actor,
                 from_state=stage.state, to_state=stage.state, reason=cause,
                 details={"before": {"target_due": iso(before[0]), "statutory_due": iso(before[1])},
                          "after": deadline_details(stage)})
        moved += 1
    return moved


def iso(d):
    return d.isoformat() if d else None

