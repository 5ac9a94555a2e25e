"""Choosing a route and building a case's stages from it.

Routes are rows (``review.Route``/``RouteStep``); optional steps name a condition from
``CONDITIONS``, a registry of side-effect-free tests on the application's attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from review.exceptions import InvalidInput
from review.models import Route
from review.models.enums import Pathway, SkipReason, StageKind

# Each condition's name is also the stored skip reason (``SkipReason``) when it does not hold.
CONDITIONS: dict[str, Callable[[object], bool]] = {
    SkipReason.KEY_PROJECT: lambda a: a.key_project,
    # Chongqing plan item 8, Shanghai plan, Huizhou plan item 23 (docs/regulatory-basis.md):
    # key projects, products already registered elsewhere in China, complex products.
    SkipReason.PRESUBMISSION: lambda a: (a.key_project or a.complex_product
                                         or a.pathway == Pathway.REGISTERED_ELSEWHERE),
    SkipReason.NEEDS_TESTING: lambda a: a.needs_testing,
    SkipReason.WITH_LICENCE: lambda a: a.with_production_licence,
    SkipReason.QMS_ON_CHANGE: lambda a: a.qms_on_change,
}

# SAMR Order 53 Art. 13: registration QMS verification and the licence's on-site inspection are
# merged into one inspection when registration and licensing run in parallel.
MERGEABLE = (StageKind.QMS_VERIFICATION, StageKind.LICENCE_INSPECTION)


@dataclass(frozen=True)
class PlannedStage:
    kind: str
    phase: int
    department_id: int | None
    skip_reason: str = ""
    manual_start: bool = False


def route_for(application) -> Route:
    """The most specific active route for the application's class and type (a retired route,
    ``active`` off, is never chosen; docs/policy-packs.md#retiring-a-route)."""
    candidates = [
        r for r in Route.objects.filter(active=True)
        if r.device_class in ("", application.device_class)
        and r.application_type in ("", application.application_type)
    ]
    if not candidates:
        raise InvalidInput(
            _("No route handles a %(cls)s %(type)s application: ask an administrator to add one.")
            % {"cls": application.get_device_class_display(),
               "type": application.get_application_type_display()},
            {"field": "application_type"},
        )
    return max(candidates, key=lambda r: (bool(r.application_type) * 2 + bool(r.device_class)))


def plan_stages(application, steps) -> list[PlannedStage]:
    """Every step of the route, the unneeded ones marked skipped with the reason (visibly)."""
    plan: list[PlannedStage] = []
    kinds = {s.kind for s in steps if _condition_holds(s.condition, application)}
    merge = application.with_production_licence and all(k in kinds for k in MERGEABLE)
    for step in steps:
        skip = ""
        if not _condition_holds(step.condition, application):
            skip = step.condition
        elif merge and step.kind in MERGEABLE:
            skip = SkipReason.MERGED
        plan.append(PlannedStage(step.kind, step.phase, step.department_id, skip, step.manual_start))
    if merge:
        qms = next(s for s in steps if s.kind == StageKind.QMS_VERIFICATION)
        dept = next(s.department_id for s in steps if s.kind == StageKind.LICENCE_INSPECTION)
        # The merged inspection starts as the QMS verification would (Class III: on the national
        # centre's notice).
        plan.append(PlannedStage(StageKind.MERGED_INSPECTION, qms.phase, dept, "", qms.manual_start))
    return plan


def _condition_holds(condition: str, application) -> bool:
    if not condition:
        return True
    try:
        test = CONDITIONS[condition]
    except KeyError:
        raise InvalidInput(
            _("The route names an unknown condition %(c)s: fix the route in the admin.") % {"c": condition}
        ) from None
    return bool(test(application))
