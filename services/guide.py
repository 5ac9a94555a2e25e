"""The public service guide (办事指南): what a case profile goes through, and how long each step may take.

A pure read, built only on the functions the clocks themselves use (``route_for`` and
``plan_stages`` on an unsaved ``Application``, ``policy_pack_in_force``, ``policy_levels``,
``application_attrs`` and ``resolve_limits``), so the guide can never disagree with the deadlines a
real case gets. No stage, day count or citation is written here: they come from the route table
and the policy pack in force. The only text of its own is what the applicant does at each kind of
stage, which the law describes but no table holds (docs/regulatory-basis.md gives the articles).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from clock.sla import resolve_limits
from review.citations import for_category
from review.exceptions import InvalidInput, NotFound
from review.models import Application, PolicyPack
from review.models.enums import ApplicationType, Category, DeviceClass, Pathway, StageKind
from review.routes import plan_stages, route_for
from review.selectors import application_attrs, policy_levels, policy_pack_in_force

UNIT = "working_days"

# docs/api.md#the-service-guide-办事指南: the jurisdictions the guide answers for. A pack in force decides the
# numbers; a code here with no pack of its own in force today is a 404 naming it.
JURISDICTIONS = {
    "CN": _("National (statutory limits only)"),
    "CQ": _("Chongqing"),
    "SH": _("Shanghai"),
    "HZ": _("Huizhou"),
    "LS": _("Lishui"),
}

# What the applicant does while a stage of this kind runs. Keyed by the stored kind value (not
# the enum member) so a kind the route table gains later still reads well; unknown kinds say
# "nothing to do" rather than inventing a task.
APPLICANT_TASKS = {
    "presubmission": _(
        "Register your intent and send your questions. The office answers and guides the dossier "
        "before you file; nothing is filed or decided at this step."),
    "testing": _(
        "Send the samples and the product technical requirements to the testing centre. The test "
        "report becomes part of your registration dossier, so this step comes before filing."),
    "acceptance": _(
        "File the complete registration dossier, with the test report. If items are missing you "
        "receive one notice listing all of them; the dossier is accepted once it is complete."),
    "technical_review": _(
        "Answer a supplement request, if one comes, with everything it asks for in one "
        "submission within one year; the review clock stops until your answer arrives."),
    "national_review": _(
        "The NMPA's device evaluation centre reviews a Class III application: answer its requests "
        "through the national system. The province tracks this step for reference only."),
    "qms_verification": _(
        "Have your quality management system ready for the on-site verification. If findings "
        "need rectifying, rectify them and ask for the re-check in one submission; that time is "
        "not counted."),
    "licence_acceptance": _(
        "Apply for the production licence with your registration certificate; the licence's "
        "clock counts from its acceptance."),
    "licence_inspection": _(
        "Receive the on-site inspection of your production site, and rectify any findings; "
        "rectification time is not counted."),
    "merged_inspection": _(
        "One on-site inspection covers both the registration quality-system verification and the "
        "production-licence inspection: prepare for both at once."),
    "decision": _(
        "Nothing to file. If a refusal is proposed you are told why and may object before the "
        "decision (Order 47 Art. 57)."),
    "issuance": _("Receive the registration certificate."),
    "licence_decision": _("Nothing to file, unless the office asks you to rectify findings."),
    "licence_issuance": _("Receive the production licence."),
}
NO_TASK = _("Nothing to file at this step.")
# The same tasks as an IVD applicant (Order 48's articles) or a licence applicant (Order 53: no
# registration dossier, no test report, no objection under Order 47 Art. 57) reads them.
IVD_TASKS = {
    "decision": _(
        "Nothing to file. If a refusal is proposed you are told why and may object before the "
        "decision (Order 48 Art. 56)."),
}
LICENCE_TASKS = {
    "acceptance": _(
        "File the production licence application with your registration certificate (Order 53 Art. 10(1)); "
        "no registration dossier or test report is needed. If items are missing you receive one notice "
        "listing all of them (Order 53 Art. 11)."),
    "decision": _("Nothing to file, unless the office asks you to rectify findings of the inspection."),
    "issuance": _("Receive the production licence (生产许可证), valid five years (Order 53 Art. 14)."),
}


def applicant_task(kind: str, category: str, application_type: str) -> str:
    """What the applicant does at a stage of this kind, in the words of the order that governs it."""
    if application_type == ApplicationType.LICENCE and kind in LICENCE_TASKS:
        return LICENCE_TASKS[kind]
    if category == Category.IVD and kind in IVD_TASKS:
        return IVD_TASKS[kind]
    return APPLICANT_TASKS.get(kind, NO_TASK)

_BOOLEAN_PARAMETERS = ("complex_product", "with_licence", "key_project", "needs_testing")


@dataclass(frozen=True)
class GuideStage:
    kind: str
    name: str
    phase: int
    target_days: int | None
    statutory_days: int | None
    baseline_days: int | None
    target_is_default: bool
    statutory_reference: bool
    counted_from: str
    basis: str
    applicant_task: str
    unit: str = UNIT
    # The statutory limit counts from the hand-over, at the latest this many WD after acceptance
    # (Order 47 Arts. 91, 92; docs/regulatory-basis.md#o47-91); 0 for every other stage.
    handover_days: int = 0


@dataclass(frozen=True)
class ServiceGuide:
    jurisdiction: str
    pack: PolicyPack
    route_code: str
    route_name: str
    stages: list[GuideStage]
    today: date
    # A pack-level figure such as Lishui's reported 5 WD from intent to licence: shown beside the
    # stages, never split into them (docs/regulatory-basis.md#ls-speed).
    reference_total_days: int | None = None
    reference_total_label: str = ""
    # The jurisdiction's own pack whose period has ended (Shanghai's targets ran "到2023年"): the
    # guide then shows the national statutory pack, and says so.
    ended_pack: PolicyPack | None = None


def parse_boolean(name: str, value: str | None, *, default: bool) -> bool:
    """``true`` / ``false`` only (docs/api.md#the-service-guide-办事指南): "1", "yes" or "True" are refused, naming
    the parameter, so two integrations never read the same query differently."""
    if value is None or value == "":
        return default
    if value == "true":
        return True
    if value == "false":
        return False
    raise InvalidInput(
        _("%(field)s: enter true or false (lower case), not %(value)s.") % {"field": name, "value": value},
        {"field": name},
    )


def _choice(name: str, value: str | None, choices, *, default: str | None = None) -> str:
    if value in (None, "") and default is not None:
        return default
    allowed = [c for c, _label in choices]
    if value in (None, ""):
        raise InvalidInput(
            _("%(field)s: this parameter is required; use one of %(allowed)s.")
            % {"field": name, "allowed": ", ".join(allowed)}, {"field": name})
    if value not in allowed:
        raise InvalidInput(
            _("%(field)s: %(value)s is not one of %(allowed)s.")
            % {"field": name, "value": value, "allowed": ", ".join(allowed)}, {"field": name})
    return value


def guide_profile_from_query(params) -> dict:
    """The case profile from query parameters (API and portal alike), each checked and named."""
    application_type = _choice("application_type", params.get("application_type"), ApplicationType.choices)
    profile = {
        "jurisdiction": _choice("jurisdiction", params.get("jurisdiction"), JURISDICTIONS.items()),
        "device_class": _choice("device_class", params.get("device_class"), DeviceClass.choices),
        "category": _choice("category", params.get("category"), Category.choices),
        "application_type": application_type,
        "pathway": _choice("pathway", params.get("pathway"), Pathway.choices, default=Pathway.STANDARD),
    }
    defaults = {"needs_testing": application_type == ApplicationType.FIRST}
    for name in _BOOLEAN_PARAMETERS:
        profile[name] = parse_boolean(name, params.get(name), default=defaults.get(name, False))
    return profile


def service_guide(*, jurisdiction: str, device_class: str, category: str, application_type: str,
                  today: date, pathway: str = Pathway.STANDARD, complex_product: bool = False,
                  with_licence: bool = False, key_project: bool = False,
                  needs_testing: bool | None = None) -> ServiceGuide:
    """The stages this profile runs through, in route order, with the limits of the pack in force.

    Skipped steps (an optional phase the profile does not need, or one merged into the merged
    inspection) are left out: the guide lists what the applicant will go through.
    """
    if jurisdiction not in JURISDICTIONS:
        raise InvalidInput(
            _("jurisdiction: %(value)s is not one of %(allowed)s.")
            % {"value": jurisdiction, "allowed": ", ".join(JURISDICTIONS)}, {"field": "jurisdiction"})
    pack = policy_pack_in_force(today, jurisdiction)
    # policy_pack_in_force falls back to the national pack; the guide says so instead of
    # presenting the national numbers under a local name. A local pack whose period has ended
    # (``effective_until`` passed) is named, and the statutory pack shown as what now applies.
    ended = None
    if pack is not None and pack.jurisdiction != jurisdiction and jurisdiction != "CN":
        ended = (PolicyPack.objects.filter(jurisdiction=jurisdiction, active=True, effective_until__lt=today)
                 .order_by("-effective_until").first())
    if pack is None or (pack.jurisdiction != jurisdiction and ended is None):
        raise NotFound(
            _("jurisdiction: no policy pack for %(name)s (%(code)s) is in force on %(day)s; choose "
              "another jurisdiction, or CN for the national statutory limits.")
            % {"name": JURISDICTIONS[jurisdiction], "code": jurisdiction, "day": today.isoformat()},
            {"field": "jurisdiction"})
    if needs_testing is None:
        needs_testing = application_type == ApplicationType.FIRST
    if application_type == ApplicationType.LICENCE:
        with_licence = False  # as application_create: a licence application is the licence itself
    application = Application(
        device_class=device_class, category=category, application_type=application_type,
        pathway=pathway, complex_product=complex_product, key_project=key_project,
        needs_testing=needs_testing, with_production_licence=with_licence,
    )
    route = route_for(application)
    plan = [p for p in plan_stages(application, list(route.steps.all())) if not p.skip_reason]
    plan.sort(key=lambda p: p.phase)  # stable: the merged inspection joins its own phase
    levels = policy_levels(pack)
    attrs = application_attrs(application)
    labels = dict(StageKind.choices)
    stages = []
    for planned in plan:
        limits = resolve_limits(levels, kind=planned.kind, attrs=attrs)
        stages.append(GuideStage(
            kind=planned.kind,
            name=str(labels.get(planned.kind, planned.kind)),
            phase=planned.phase,
            target_days=limits.target_days,
            statutory_days=limits.statutory_days,
            baseline_days=getattr(limits, "baseline_days", None),
            target_is_default=bool(getattr(limits, "target_is_default", False)),
            statutory_reference=limits.statutory_reference,
            counted_from=limits.anchor or "stage",
            basis=for_category(limits.source, category),
            applicant_task=str(applicant_task(planned.kind, category, application_type)),
            handover_days=limits.handover_days,
        ))
    return ServiceGuide(
        jurisdiction=jurisdiction, pack=pack, route_code=route.code, route_name=route.name,
        stages=stages, today=today,
        reference_total_days=getattr(pack, "reference_total_days", None),
        reference_total_label=getattr(pack, "reference_total_label", "") or "",
        ended_pack=ended,
    )
