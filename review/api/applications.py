"""Applications through the API: list, detail, stages, timeline, and staff transitions.

HackSoft style: one view per endpoint (``<Entity><Action>Api``) with nested ``InputSerializer``
/ ``OutputSerializer``; reads through ``review.selectors_cases`` (which start from
``applications_visible_to``), writes through the same ``services.actions`` registry as the admin,
errors raised as ``services.exceptions`` and turned into HTTP by ``review.api.errors``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from review.deadlines import case_late_level
from review.models.enums import APPLICANT_SIDE_REASONS, LogAction
from review.selectors import calendar_current, case_clock
from review.selectors_cases import (
    MAX_ID,
    application_get,
    application_list,
    case_deadline_rows,
    case_log,
    case_stages,
    case_summarise,
    is_read_only,
    next_date,
    progress,
    progress_details,
    sees_dossier,
    sees_internal,
    stage_views,
)
from services.actions import ACTIONS, ACTIONS_BY_NAME, available_actions
from services.exceptions import InvalidInput, NotFound, PermissionDenied

from .filters import ApiFilterBackend, ApplicationFilter
from .pagination import Pagination
from .schema import errors

# Enterprise users run these through the actions endpoint; a supplement is answered with its
# documents through the supplements endpoint instead (services.documents).
ENTERPRISE_ACTIONS = frozenset({"submit", "withdraw"})
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                            description="The application's id (`id` in the list).")


# --- shared output shapes ----------------------------------------------------------------------
class EnterpriseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    district = serializers.CharField()
    park = serializers.CharField()


class ApplicationSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="Case number; the acceptance number once accepted.")
    url = serializers.URLField(help_text="This application in the API.")
    portal_url = serializers.URLField(help_text="This application in the portal.")
    product_name = serializers.CharField()
    enterprise = EnterpriseOutput()
    device_class = serializers.CharField()
    category = serializers.CharField()
    application_type = serializers.CharField()
    pathway = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back with case actions (stale copies get 409).")
    submitted_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    next_target_due = serializers.DateField(
        allow_null=True, help_text="Earliest target of a running stage, passed or not: a date before today "
                                   "is why the case is `overdue`. Not the same as the detail's `next_date`, "
                                   "the nearest date still ahead.")
    next_statutory_due = serializers.DateField(
        allow_null=True, help_text="Earliest statutory limit of a running stage, passed or not (a date "
                                   "before today makes `late_level` `breach`).")
    applicant_deadline = serializers.DateField(
        allow_null=True, help_text="Your deadline to answer an open supplement request (one year).")
    overdue = serializers.BooleanField(help_text="A running stage is past its target or statutory date.")
    late_level = serializers.CharField(
        allow_null=True, help_text="The worst lateness of the running stages: `breach` (a statutory limit "
                                   "passed), `overdue` (a target passed, no statutory limit), or null.")
    progress = serializers.IntegerField(help_text="Per cent of the route's stages done.")


def summary(request, app) -> dict:
    return {
        "id": app.pk, "reference": app.reference,
        "url": request.build_absolute_uri(reverse("api-application-detail", args=[app.pk])),
        "portal_url": request.build_absolute_uri(reverse("portal:application", args=[app.pk])),
        "product_name": app.product_name,
        "enterprise": {"id": app.enterprise_id, "name": app.enterprise.name,
                       "credit_code": app.enterprise.credit_code, "district": app.enterprise.district,
                       "park": app.enterprise.park},
        "device_class": app.device_class, "category": app.category,
        "application_type": app.application_type, "pathway": app.pathway,
        "state": app.state, "state_display": app.get_state_display(), "version": app.version,
        "submitted_on": app.submitted_on, "accepted_on": app.accepted_on, "closed_on": app.closed_on,
        "next_target_due": app.next_target, "next_statutory_due": app.next_statutory,
        "applicant_deadline": app.applicant_deadline, "overdue": app.is_overdue,
        "late_level": case_late_level(app.next_target, app.next_statutory, timezone.localdate()),
        "progress": progress(app.stages_done, app.stages_total, app.state),
    }


class PauseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    reason_display = serializers.CharField()
    applicant_side = serializers.BooleanField(help_text="Supplement, missing items or rectification: "
                                                        "the applicant's time, not the authority's.")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(help_text="open, resumed (the office's pause), answered, lapsed (the "
                                              "applicant's deadline passed unanswered) or closed (unanswered, "
                                              "with the case).")
    applicant_deadline = serializers.DateField(allow_null=True)
    items = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(allow_blank=True)
    response = serializers.CharField(allow_blank=True)


class ExtensionOutput(serializers.Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    approved_by = serializers.CharField(allow_null=True, help_text="Staff only.")
    applies = serializers.BooleanField(
        help_text="False for an extension granted before a supplement restarted the stage's clock "
                  "(Order 47 Art. 92): it no longer adds to the limits.")


class StageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    phase = serializers.IntegerField()
    state = serializers.CharField()
    state_display = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back with stage actions (stale copies get 409).")
    department = serializers.CharField(allow_null=True, help_text="Who handles it.")
    assignee = serializers.CharField(allow_null=True, help_text="Staff only.")
    skip_reason = serializers.CharField(allow_blank=True)
    started_on = serializers.DateField(allow_null=True)
    finished_on = serializers.DateField(allow_null=True)
    target_days = serializers.IntegerField(allow_null=True, help_text="Policy target, working days.")
    statutory_days = serializers.IntegerField(allow_null=True, help_text="Statutory limit, working days.")
    extension_days = serializers.IntegerField()
    elapsed_days = serializers.IntegerField(allow_null=True, help_text="Working days used so far.")
    target_due = serializers.DateField(allow_null=True, help_text="Target date (last one, once finished).")
    statutory_due = serializers.DateField(allow_null=True, help_text="Statutory date (last one, once finished).")
    statutory_reference = serializers.BooleanField(help_text="The statutory limit is shown for reference "
                                                             "only (national review, outside the province).")
    deadline_provisional = serializers.BooleanField(help_text="Falls in a year without an official calendar.")
    deadline_status = serializers.CharField(help_text="on_track, due_soon, overdue, breach, paused, pending, "
                                                      "done, skipped or cancelled.")
    remaining_target_days = serializers.IntegerField(allow_null=True)
    remaining_statutory_days = serializers.IntegerField(allow_null=True)
    target_met = serializers.BooleanField(allow_null=True, help_text="Finished stages: within the target.")
    statutory_met = serializers.BooleanField(allow_null=True, help_text="Finished stages: within the limit.")
    outcome = serializers.CharField(allow_blank=True)
    outcome_display = serializers.CharField(allow_blank=True)
    outcome_reference = serializers.CharField(allow_blank=True)
    outcome_note = serializers.CharField(allow_blank=True, help_text="Staff only.")
    pauses = PauseOutput(many=True)
    extensions = ExtensionOutput(many=True)


def stage_dict(view, internal: bool, dossier: bool = True) -> dict:
    s = view.stage
    return {
        "id": s.pk, "kind": s.kind, "kind_display": s.get_kind_display(), "phase": s.phase,
        "state": s.state, "state_display": s.get_state_display(), "version": s.version,
        "department": s.department.name if s.department else None,
        "assignee": (s.assignee.get_username() if s.assignee else None) if internal else None,
        "skip_reason": s.get_skip_reason_display() if s.skip_reason else "",
        "started_on": s.started_on, "finished_on": s.finished_on,
        "target_days": s.target_days, "statutory_days": s.statutory_days,
        "extension_days": s.extension_days, "elapsed_days": view.elapsed,
        "target_due": view.target_due, "statutory_due": view.statutory_due,
        "statutory_reference": s.statutory_reference, "deadline_provisional": s.deadline_provisional,
        "deadline_status": view.status.level, "remaining_target_days": view.status.remaining_target,
        "remaining_statutory_days": view.status.remaining_statutory,
        "target_met": view.target_met, "statutory_met": view.statutory_met,
        "outcome": s.outcome, "outcome_display": s.get_outcome_display() if s.outcome else "",
        "outcome_reference": s.outcome_reference, "outcome_note": s.outcome_note if internal else "",
        "pauses": [pause_dict(c, internal, dossier) for c in view.pauses],
        "extensions": [{"days": e.days, "reason": e.reason, "created_at": e.created_at,
                        "approved_by": e.approved_by.get_username() if internal else None,
                        "applies": e.applies}
                       for e in view.extensions],
    }


def pause_dict(stop, internal: bool, dossier: bool = True) -> dict:
    applicant = stop.reason in APPLICANT_SIDE_REASONS
    if not dossier:  # industry officers: that the clock stopped and when, not what was asked or answered
        return {"id": stop.pk, "reason": stop.reason, "reason_display": stop.get_reason_display(),
                "applicant_side": applicant, "started_on": stop.started_on, "ended_on": stop.ended_on,
                "outcome": stop.outcome, "applicant_deadline": stop.applicant_deadline, "items": [], "note": "",
                "response": ""}
    return {
        "id": stop.pk, "reason": stop.reason, "reason_display": stop.get_reason_display(),
        "applicant_side": applicant, "started_on": stop.started_on, "ended_on": stop.ended_on,
        "outcome": stop.outcome, "applicant_deadline": stop.applicant_deadline,
        "items": [str(i) for i in stop.items or []],
        # Notes on the authority's own pauses (expert consultation, hearing) are internal.
        "note": stop.note if (applicant or internal) else "", "response": stop.response,
    }


def case_stage_dicts(app, user, *, log_rows=None) -> list[dict]:
    today, cal = timezone.localdate(), calendar_current()
    views = stage_views(case_stages(app), today=today, cal=cal, log_rows=log_rows)
    internal, dossier = sees_internal(user), sees_dossier(user)
    return [stage_dict(v, internal, dossier) for v in views]


# --- list and detail ---------------------------------------------------------------------------
class ApplicationListApi(GenericAPIView):
    """The caller's visible applications, newest first, filtered and paginated."""

    filter_backends = [ApiFilterBackend]
    filterset_class = ApplicationFilter
    pagination_class = Pagination

    class OutputSerializer(ApplicationSummaryOutput):
        pass

    serializer_class = OutputSerializer

    def get_queryset(self):
        return application_list(self.request.user, today=timezone.localdate())

    @extend_schema(operation_id="applications_list", responses={200: OutputSerializer(many=True),
                                                               **errors(400, 401, 404)},
                   description="Enterprise users see their enterprise's applications, industry "
                               "officers those of their district or park, staff all. `overdue`, "
                               "`state` and the other filters combine (AND). An out-of-range "
                               "`page` is a 404.")
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.OutputSerializer([summary(request, a) for a in page],
                                                                 many=True).data)


class ApplicationDetailApi(APIView):
    """One application with its attributes, case clock, next date and every stage."""

    class OutputSerializer(ApplicationSummaryOutput):
        complex_product = serializers.BooleanField()
        key_project = serializers.BooleanField()
        needs_testing = serializers.BooleanField()
        with_production_licence = serializers.BooleanField()
        qms_on_change = serializers.BooleanField()
        route = inline_serializer("RouteOutput", {"code": serializers.CharField(),
                                                  "name": serializers.CharField()})
        policy_pack = serializers.CharField(allow_null=True, help_text="Code of the bound policy pack.")
        certificate_number = serializers.CharField(allow_blank=True)
        clock = inline_serializer("CaseClockOutput", {
            "total_days": serializers.IntegerField(allow_null=True, help_text="Working days since acceptance."),
            "applicant_days": serializers.IntegerField(help_text="Of which on the applicant's side."),
            "authority_days": serializers.IntegerField(allow_null=True),
        })
        next_date = inline_serializer("NextDateOutput", {
            "date": serializers.DateField(), "what": serializers.CharField(),
            "remaining": serializers.IntegerField(),
            "unit": serializers.ChoiceField(choices=["working_days", "days"]),
        }, allow_null=True)
        forecast = inline_serializer("ForecastOutput", {
            "p50": serializers.DateField(
                help_text="Done by this day with 50% confidence (an estimate, not a promise)."),
            "p90": serializers.DateField(help_text="Done by this day with 90% confidence."),
            "office_days_p50": serializers.IntegerField(
                help_text="Office working days still needed (median)."),
            "applicant_days_p50": serializers.IntegerField(
                help_text="Applicant's calendar days still expected (median)."),
            "basis_cases": serializers.IntegerField(help_text="Finished similar stages the estimate rests on."),
            "as_of": serializers.DateField(),
        }, allow_null=True,
            help_text="From the office's own history (docs/forecast.md); null with too little history.")
        stages = StageOutput(many=True)
        links = inline_serializer("ApplicationLinks", {
            "stages": serializers.URLField(), "log": serializers.URLField(),
            "supplements": serializers.URLField(), "actions": serializers.URLField()})

    @extend_schema(operation_id="applications_retrieve", parameters=[ID_PARAM],
                   responses={200: OutputSerializer, **errors(401, 404)})
    def get(self, request, id):
        return Response(self.OutputSerializer(application_detail(request, id)).data)


def application_detail(request, pk) -> dict:
    user = request.user
    app = application_get(user, pk)
    today, cal = timezone.localdate(), calendar_current()
    stages = case_stages(app)
    case_summarise(app, stages, today=today)
    log_rows = case_deadline_rows(app, user)
    views = stage_views(stages, today=today, cal=cal, log_rows=log_rows)
    nxt = next_date(views, today=today, cal=cal)
    internal = sees_internal(user)

    def link(name):
        return request.build_absolute_uri(reverse(name, args=[app.pk]))

    return {
        **summary(request, app),
        "complex_product": app.complex_product, "key_project": app.key_project,
        "needs_testing": app.needs_testing, "with_production_licence": app.with_production_licence,
        "qms_on_change": app.qms_on_change,
        "route": {"code": app.route.code, "name": app.route.name},
        "policy_pack": app.policy_pack.code if app.policy_pack else None,
        "certificate_number": app.certificate_number,
        "clock": case_clock(app, stages, today=today, cal=cal),
        "next_date": {"date": nxt.day, "what": nxt.what, "remaining": nxt.remaining,
                      "unit": "working_days" if nxt.working_days else "days"} if nxt else None,
        "stages": [stage_dict(v, internal, sees_dossier(user)) for v in views],
        "forecast": _forecast(app, stages),
        "links": {"stages": link("api-application-stages"), "log": link("api-application-log"),
                  "supplements": link("api-application-supplements"),
                  "actions": link("api-application-actions")},
    }


class ApplicationStageListApi(APIView):
    """The stages of one application in route order, with both deadlines and pause history."""

    class OutputSerializer(StageOutput):
        pass

    @extend_schema(operation_id="applications_stages_list", parameters=[ID_PARAM],
                   responses={200: OutputSerializer(many=True), **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        log_rows = case_deadline_rows(app, request.user)
        return Response(self.OutputSerializer(case_stage_dicts(app, request.user, log_rows=log_rows),
                                              many=True).data)


class ApplicationLogApi(GenericAPIView):
    """The timeline, oldest first: every change of case or stage state and every deadline move.

    Enterprise users and industry officers get the entries meant for the applicant; staff get all.
    """

    pagination_class = Pagination

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        at = serializers.DateTimeField()
        action = serializers.ChoiceField(choices=LogAction.choices)
        action_display = serializers.CharField()
        stage = inline_serializer("LogStageOutput", {
            "id": serializers.IntegerField(), "kind": serializers.CharField(),
            "kind_display": serializers.CharField()}, allow_null=True)
        from_state = serializers.CharField(allow_blank=True)
        from_display = serializers.CharField(allow_blank=True)
        to_state = serializers.CharField(allow_blank=True)
        to_display = serializers.CharField(allow_blank=True)
        reason = serializers.CharField(allow_blank=True)
        details = serializers.DictField()
        actor = serializers.CharField(allow_null=True, help_text="Staff only.")

    serializer_class = OutputSerializer

    @extend_schema(operation_id="applications_log_list", parameters=[ID_PARAM],
                   responses={200: OutputSerializer(many=True), **errors(400, 401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        internal, dossier = sees_internal(request.user), sees_dossier(request.user)
        page = self.paginate_queryset(case_log(app, request.user))
        rows = [{
            "id": r.pk, "at": r.at, "action": r.action, "action_display": r.get_action_display(),
            "stage": {"id": r.stage_id, "kind": r.stage.kind, "kind_display": r.stage.get_kind_display()}
            if r.stage_id else None,
            "from_state": r.from_state, "from_display": str(r.from_label) if r.from_state else "",
            "to_state": r.to_state, "to_display": str(r.to_label) if r.to_state else "",
            "reason": r.reason_shown,
            "details": (r.details if isinstance(r.details, dict) else {}) if dossier else progress_details(r.details),
            "actor": (r.actor.get_username() if r.actor_id else None) if internal else None,
        } for r in page]
        return self.get_paginated_response(self.OutputSerializer(rows, many=True).data)


# --- transitions -------------------------------------------------------------------------------
def _api_actions(app, stages, user):
    """What this caller may run now, as the admin's buttons, narrowed for enterprise users."""
    if is_read_only(user):
        return []
    found = available_actions(app, stages, user)
    if not user.is_staff:
        found = [(a, s) for a, s in found if a.name in ENTERPRISE_ACTIONS]
    return found


class ApplicationActionListApi(APIView):
    """The transitions this caller may run now (the admin's buttons), with the fields each needs."""

    class OutputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=[a.name for a in ACTIONS])
        label = serializers.CharField()
        scope = serializers.ChoiceField(choices=["case", "stage"])
        stage = serializers.IntegerField(allow_null=True, help_text="Send as `stage` (stage actions).")
        stage_kind = serializers.CharField(allow_null=True)
        version = serializers.IntegerField(help_text="Send as `version`: the stage's for stage actions, "
                                                     "the case's for case actions.")
        url = serializers.URLField()
        fields = inline_serializer("ActionFieldOutput", {
            "name": serializers.CharField(), "label": serializers.CharField(),
            "kind": serializers.CharField(), "required": serializers.BooleanField(),
            "choices": serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
            "help": serializers.CharField(allow_blank=True)}, many=True)

    @extend_schema(operation_id="applications_actions_list", parameters=[ID_PARAM],
                   responses={200: OutputSerializer(many=True), **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        stages = case_stages(app)
        rows = []
        for action, stage in _api_actions(app, stages, request.user):
            rows.append({
                "action": action.name, "label": str(action.label), "scope": action.scope,
                "stage": stage.pk if stage else None, "stage_kind": stage.kind if stage else None,
                "version": stage.version if stage else app.version,
                "url": request.build_absolute_uri(reverse("api-application-action-run",
                                                          args=[app.pk, action.name])),
                "fields": [{"name": f.name, "label": str(f.label), "kind": f.kind, "required": f.required,
                            "choices": [[str(v), str(label)] for v, label in f.choices],
                            "help": str(f.help)} for f in action.form_fields(stage)],
            })
        return Response(self.OutputSerializer(rows, many=True).data)


class ApplicationActionRunApi(APIView):
    """Run one transition through the same service, permission and state checks as the admin.

    Send the `version` you read (the stage's for stage actions, with `stage`; the case's for case
    actions) and the fields the action needs (see the actions list). 409 when the action is not
    possible now or your copy is stale, 403 when you may not run it, 400 on bad input.
    """

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=0, max_value=MAX_ID,
                                           help_text="Version you read; a stale one gets 409.")
        stage = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                         help_text="Stage id, for stage actions.")
        outcome = serializers.CharField(required=False, allow_blank=True, max_length=12)
        note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
        reference = serializers.CharField(required=False, allow_blank=True, max_length=60)
        items = serializers.ListField(child=serializers.CharField(max_length=1000), required=False,
                                      max_length=200, help_text="Everything the applicant must provide.")
        reason = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
        days = serializers.IntegerField(required=False, min_value=-1_000_000, max_value=1_000_000)
        assignee = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                            help_text="reassign: a user id; null hands the stage back to its "
                                                      "department's unassigned work.")
        response = serializers.CharField(required=False, allow_blank=True, max_length=10_000)

    @extend_schema(operation_id="applications_actions_run",
                   parameters=[ID_PARAM, OpenApiParameter(
                       "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=[a.name for a in ACTIONS],
                       description="One of the actions (see `GET .../actions/`).")],
                   request=InputSerializer,
                   responses={200: ApplicationDetailApi.OutputSerializer,
                              **errors(400, 401, 403, 404, 409, 415)})
    def post(self, request, id, action):
        app = application_get(request.user, id)
        act = ACTIONS_BY_NAME.get(action)
        if act is None:
            raise NotFound(_("Unknown action %(a)s.") % {"a": action})
        if is_read_only(request.user):
            raise PermissionDenied(_("Industry officers follow cases read-only."))
        if not request.user.is_staff and act.name not in ENTERPRISE_ACTIONS:
            raise PermissionDenied(_("Enterprises submit and withdraw here; a supplement is answered "
                                     "with its documents under supplements/."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        stage = None
        if act.scope == "stage":
            if "stage" not in data:
                raise InvalidInput(_("stage: this action acts on a stage; send its id."), {"field": "stage"})
            stage = app.stages.filter(pk=data["stage"]).first()
            if stage is None:
                raise InvalidInput(_("stage: not a stage of application %(ref)s.") % {"ref": app.reference},
                                   {"field": "stage"})
        if "items" in data:
            data["items"] = "\n".join(data["items"])
        act.run(app, stage, request.user, data, version)
        return Response(ApplicationDetailApi.OutputSerializer(application_detail(request, app.pk)).data,
                        status=status.HTTP_200_OK)


def _forecast(app, stages):
    from forecast.selectors import case_forecast  # issue 19

    f = case_forecast(app, stages)
    return f.as_api() if f else None
