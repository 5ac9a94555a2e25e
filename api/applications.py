"""Applications through the API: list, detail, stages, timeline, and staff transitions.

HackSoft style: one view per endpoint (``<Entity><Action>Api``) with nested ``InputSerializer``
/ ``OutputSerializer``; reads through ``review.selectors_cases`` (which start from
``applications_visible_to``), writes through the same ``services.actions`` registry as the admin,
errors raised as ``review.exceptions`` and turned into HTTP by ``api.errors``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from clock.sla import LATE_LEVELS
from forecast.history import min_basis as forecast_min_basis
from review.deadlines import case_late_level
from review.exceptions import InvalidInput, NotFound, PermissionDenied
from review.models.enums import APPLICANT_SIDE_REASONS, LogAction
from review.selectors import applications_visible_to, calendar_current
from review.selectors_cases import (
    MAX_ID,
    application_fingerprint,
    application_get,
    application_list,
    case_deadline_rows,
    case_log,
    case_page,
    case_stages,
    is_read_only,
    progress,
    progress_details,
    reader_of,
    sees_dossier,
    sees_internal,
    stage_views,
)
from services.actions import ACTIONS, ACTIONS_BY_NAME, available_actions
from web.filters import ApiFilterBackend, ApplicationFilter
from web.throttles import CACHE_ERRORS

from .pagination import Pagination
from .schema import errors

log = logging.getLogger(__name__)

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
    """A case in a list, read from ``review.selectors_cases.application_list``'s annotated rows."""

    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(help_text="Case number; the acceptance number once accepted.")
    url = serializers.SerializerMethodField(help_text="This application in the API.")
    portal_url = serializers.SerializerMethodField(help_text="This application in the portal.")
    product_name = serializers.CharField()
    enterprise = EnterpriseOutput()
    device_class = serializers.CharField()
    category = serializers.CharField()
    application_type = serializers.CharField()
    pathway = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField(help_text="Send it back with case actions (stale copies get 409).")
    submitted_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    next_target_due = serializers.DateField(
        source="next_target", allow_null=True,
        help_text="Earliest target of a running stage, passed or not: a date before today is why the case "
                  "is `overdue`. Not the same as the detail's `next_date`, the nearest date still ahead.")
    next_statutory_due = serializers.DateField(
        source="next_statutory", allow_null=True,
        help_text="Earliest statutory limit of a running stage, passed or not (a date before today makes "
                  "`late_level` `breach`).")
    applicant_deadline = serializers.DateField(
        allow_null=True, help_text="Your deadline to answer an open supplement request (one year).")
    overdue = serializers.BooleanField(source="is_overdue",
                                       help_text="A running stage is past its target or statutory date.")
    late_level = serializers.SerializerMethodField(
        help_text="The worst lateness of the running stages: `breach` (a statutory limit passed), `overdue` "
                  "(a target passed, no statutory limit), or null.")
    progress = serializers.SerializerMethodField(help_text="Per cent of the route's stages done.")

    def _link(self, name, app) -> str:
        return self.context["request"].build_absolute_uri(reverse(name, args=[app.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, app) -> str:
        return self._link("api-application-detail", app)

    @extend_schema_field(OpenApiTypes.URI)
    def get_portal_url(self, app) -> str:
        return self._link("portal:application", app)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_late_level(self, app) -> str | None:
        return case_late_level(app.next_target, app.next_statutory, timezone.localdate())

    @extend_schema_field(OpenApiTypes.INT)
    def get_progress(self, app) -> int:
        return progress(app.stages_done, app.stages_total, app.state)


class ReaderContext:
    """What the reader may see, from the serializer's context: ``internal`` (staff) and
    ``dossier`` (not an industry officer, who follows progress, not the requests' content)."""

    def _internal(self) -> bool:
        return bool(self.context.get("internal"))

    def _dossier(self) -> bool:
        return self.context.get("dossier", True)


class PauseOutput(ReaderContext, serializers.Serializer):
    """A clock stop, read from the ``ClockStop`` itself."""

    id = serializers.IntegerField(source="pk")
    reason = serializers.CharField()
    reason_display = serializers.CharField(source="get_reason_display")
    applicant_side = serializers.SerializerMethodField(help_text="Supplement, missing items or rectification: "
                                                                 "the applicant's time, not the authority's.")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(help_text="open, resumed (the office's pause), answered, lapsed (the "
                                              "applicant's deadline passed unanswered) or closed (unanswered, "
                                              "with the case).")
    applicant_deadline = serializers.DateField(allow_null=True)
    items = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_applicant_side(self, stop) -> bool:
        return stop.reason in APPLICANT_SIDE_REASONS

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_items(self, stop) -> list[str]:
        # Industry officers: that the clock stopped and when, not what was asked or answered.
        return [str(i) for i in stop.items or []] if self._dossier() else []

    @extend_schema_field(OpenApiTypes.STR)
    def get_note(self, stop) -> str:
        # Notes on the authority's own pauses (expert consultation, hearing) are internal.
        applicant = stop.reason in APPLICANT_SIDE_REASONS
        return stop.note if self._dossier() and (applicant or self._internal()) else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_response(self, stop) -> str:
        return stop.response if self._dossier() else ""


class ExtensionOutput(ReaderContext, serializers.Serializer):
    """An extension as ``extensions_in_force`` gives it (with ``applies``)."""

    days = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    approved_by = serializers.SerializerMethodField(help_text="Staff only.")
    applies = serializers.BooleanField(
        help_text="False for an extension granted before a supplement restarted the stage's clock "
                  "(Order 47 Art. 92): it no longer adds to the limits.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by(self, extension) -> str | None:
        return extension.approved_by.get_username() if self._internal() else None


class StageOutput(ReaderContext, serializers.Serializer):
    """A stage, read from the one stage view (``review.selectors_cases.StageView``) that the admin's
    and the portal's case pages render too: no second description of a stage."""

    id = serializers.IntegerField(source="stage.pk")
    kind = serializers.CharField(source="stage.kind")
    kind_display = serializers.CharField(source="stage.get_kind_display")
    phase = serializers.IntegerField(source="stage.phase")
    state = serializers.CharField(source="stage.state")
    state_display = serializers.CharField(source="stage.get_state_display")
    version = serializers.IntegerField(source="stage.version",
                                       help_text="Send it back with stage actions (stale copies get 409).")
    department = serializers.CharField(source="stage.department.name", allow_null=True, default=None,
                                       help_text="Who handles it.")
    assignee = serializers.SerializerMethodField(help_text="Staff only.")
    skip_reason = serializers.SerializerMethodField()
    started_on = serializers.DateField(source="stage.started_on", allow_null=True)
    finished_on = serializers.DateField(source="stage.finished_on", allow_null=True)
    target_days = serializers.IntegerField(source="stage.target_days", allow_null=True,
                                           help_text="Policy target, working days.")
    statutory_days = serializers.IntegerField(source="stage.statutory_days", allow_null=True,
                                              help_text="Statutory limit, working days.")
    extension_days = serializers.IntegerField(source="stage.extension_days")
    elapsed_days = serializers.IntegerField(source="elapsed", allow_null=True, help_text="Working days used so far.")
    target_due = serializers.DateField(allow_null=True, help_text="Target date (last one, once finished).")
    statutory_due = serializers.DateField(allow_null=True, help_text="Statutory date (last one, once finished).")
    statutory_reference = serializers.BooleanField(source="stage.statutory_reference",
                                                   help_text="The statutory limit is shown for reference "
                                                             "only (national review, outside the province).")
    deadline_provisional = serializers.BooleanField(source="stage.deadline_provisional",
                                                    help_text="Falls in a year without an official calendar.")
    deadline_status = serializers.CharField(
        source="status.level", help_text="The stage's level (docs/architecture.md#one-status-model): breach, "
                                         "statutory_near, overdue, due_soon or on_track while it runs; else "
                                         "paused, pending, done, skipped or cancelled.")
    remaining_target_days = serializers.IntegerField(source="status.remaining_target", allow_null=True)
    remaining_statutory_days = serializers.IntegerField(source="status.remaining_statutory", allow_null=True)
    target_met = serializers.BooleanField(allow_null=True, help_text="Finished stages: within the target.")
    statutory_met = serializers.BooleanField(allow_null=True, help_text="Finished stages: within the limit.")
    outcome = serializers.CharField(source="stage.outcome", allow_blank=True)
    outcome_display = serializers.SerializerMethodField()
    outcome_reference = serializers.CharField(source="stage.outcome_reference", allow_blank=True)
    outcome_note = serializers.SerializerMethodField(help_text="Staff only.")
    pauses = PauseOutput(many=True)
    extensions = ExtensionOutput(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, view) -> str | None:
        s = view.stage
        return (s.assignee.get_username() if s.assignee else None) if self._internal() else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_skip_reason(self, view) -> str:
        return view.stage.get_skip_reason_display() if view.stage.skip_reason else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_outcome_display(self, view) -> str:
        return view.stage.get_outcome_display() if view.stage.outcome else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_outcome_note(self, view) -> str:
        return view.stage.outcome_note if self._internal() else ""


def reader_context(user) -> dict:
    return {"internal": sees_internal(user), "dossier": sees_dossier(user)}


def case_stage_views(app, *, log_rows=None) -> list:
    today, cal = timezone.localdate(), calendar_current()
    return stage_views(case_stages(app), today=today, cal=cal, log_rows=log_rows)


class NextDateOutput(serializers.Serializer):
    """``review.selectors_cases.NextDate``: the nearest date still ahead."""

    date = serializers.DateField(source="day")
    what = serializers.CharField()
    remaining = serializers.IntegerField()
    unit = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["working_days", "days"]))
    def get_unit(self, nxt) -> str:
        return "working_days" if nxt.working_days else "days"


class LateDateOutput(serializers.Serializer):
    """``review.selectors_cases.LateDate``: the office's worst passed date."""

    date = serializers.DateField(source="day", help_text="The passed date: a statutory limit before a target.")
    what = serializers.CharField()
    level = serializers.ChoiceField(choices=LATE_LEVELS)
    late_by = serializers.IntegerField(help_text="Working days since the date.")


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
        return self.get_paginated_response(self.OutputSerializer(page, many=True,
                                                                 context={"request": request}).data)


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
        policy_pack = serializers.CharField(source="policy_pack.code", allow_null=True, default=None,
                                            help_text="Code of the bound policy pack.")
        certificate_number = serializers.CharField(allow_blank=True)
        clock = inline_serializer("CaseClockOutput", {
            "total_days": serializers.IntegerField(allow_null=True, help_text="Working days since acceptance."),
            "applicant_days": serializers.IntegerField(help_text="Of which on the applicant's side."),
            "authority_days": serializers.IntegerField(allow_null=True),
        }, source="case_clock")
        next_date = NextDateOutput(allow_null=True)
        late_date = LateDateOutput(allow_null=True, help_text="The office's worst passed date while a "
                                                              "running stage is past one; shown before "
                                                              "next_date on the portal.")
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
        stages = StageOutput(many=True, source="stage_views")
        links = serializers.SerializerMethodField()

        @extend_schema_field(inline_serializer("ApplicationLinks", {
            "stages": serializers.URLField(), "log": serializers.URLField(),
            "supplements": serializers.URLField(), "actions": serializers.URLField()}))
        def get_links(self, app) -> dict:
            return {"stages": self._link("api-application-stages", app), "log": self._link("api-application-log", app),
                    "supplements": self._link("api-application-supplements", app),
                    "actions": self._link("api-application-actions", app)}

    @extend_schema(operation_id="applications_retrieve", parameters=[ID_PARAM],
                   responses={200: OutputSerializer, **errors(401, 404)})
    def get(self, request, id):
        return Response(detail_data(request, id))


def detail_data(request, pk) -> dict:
    """The application's detail as the API answers it, for this reader.

    Whether the reader may see the case is asked on every request (``application_fingerprint``, a 404
    otherwise); the payload itself is cached (docs/api.md#the-detail-cache) under everything it
    depends on: the digest of the case's rows, which any write changes; today; what this reader
    sees (staff, owner or officer); the language; the address the links start with; the working
    calendar; the forecast's threshold; and the code that builds it."""
    user = request.user
    case, fingerprint = application_fingerprint(user, pk)
    key = detail_cache_key(request, case, fingerprint)
    data = None
    if key:
        try:
            data = cache.get(key)
        except CACHE_ERRORS as exc:
            # A cache outage must not become an API outage (docs/security.md#when-redis-is-down):
            # answered without the cache, and not waited on a second time to store it.
            log.error("API detail cache unreachable: %s; answered without it", exc)
            key = None
    if data is None:
        # Read after the fingerprint: what is stored under it is never older than it.
        app = application_detail(request, application_get(user, case.pk))
        data = dict(ApplicationDetailApi.OutputSerializer(app, context={"request": request,
                                                                        **reader_context(user)}).data)
        if key:
            try:
                cache.set(key, data, settings.API_DETAIL_CACHE_SECONDS)
            except CACHE_ERRORS as exc:
                log.error("API detail cache unreachable: %s; not stored", exc)
    return data


def detail_cache_key(request, case, fingerprint: str | None) -> str | None:
    """The detail's cache key for this reader, or None without a fingerprint (a database other
    than PostgreSQL: nothing is cached)."""
    if fingerprint is None:
        return None
    user = request.user
    parts = (case.pk, fingerprint, timezone.localdate().isoformat(), reader_of(case, user), sees_internal(user),
             sees_dossier(user), translation.get_language(), request.build_absolute_uri("/"),
             calendar_current().digest, forecast_min_basis(), code_digest())
    return f"api-detail:{case.pk}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


@functools.cache
def code_digest() -> str:
    """The source of the packages a detail is built from and the compiled translations: a deploy
    that changes either never serves a payload the older code cached in the shared Redis."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    files = [p for package in ("api", "review", "clock", "forecast", "config") for p in (root / package).rglob("*.py")]
    for path in sorted(files + list((root / "locale").rglob("*.mo"))):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def application_detail(request, app):
    """The case, with what its detail shows read onto it from its case page for this reader
    (``review.selectors_cases.case_page``, as the portal's and the admin's): the one stage view of
    each stage, its clock, its next date still ahead, its worst passed date; and its forecast."""
    user = request.user
    page = case_page(app, user, today=timezone.localdate(), cal=calendar_current(), full_log=False,
                     stages=case_stages(app, documents=False))
    app.stage_views, app.case_clock, app.next_date, app.late_date = page.views, page.clock, page.next, page.late
    app.forecast = _forecast(app, page.stages)
    return app


class ApplicationStageListApi(APIView):
    """The stages of one application in route order, with both deadlines and pause history."""

    class OutputSerializer(StageOutput):
        pass

    @extend_schema(operation_id="applications_stages_list", parameters=[ID_PARAM],
                   responses={200: OutputSerializer(many=True), **errors(401, 404)})
    def get(self, request, id):
        app = application_get(request.user, id)
        log_rows = case_deadline_rows(app, request.user)
        return Response(self.OutputSerializer(case_stage_views(app, log_rows=log_rows), many=True,
                                              context=reader_context(request.user)).data)


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
    found = [(a, s) for a, s in available_actions(app, stages, user) if a.name not in ADMIN_ONLY_ACTIONS]
    if not user.is_staff:
        found = [(a, s) for a, s in found if a.name in ENTERPRISE_ACTIONS]
    return found


# Actions whose form the API cannot take (files with staff's paper answer): the admin runs them.
ADMIN_ONLY_ACTIONS = {
    "answer_at_counter": gettext_lazy("An answer handed in at the counter is recorded with its scanned documents "
                               "on the case page in the admin."),
}


def _refuse_unknown_fields(sent, act, stage) -> None:
    """A field this action does not take is a 400 naming it, never dropped in silence (the API
    used to drop ``received_on`` and start the clock today with a 200)."""
    taken = {"version", "stage", *(f.name for f in act.form_fields(stage))}
    unknown = sorted(set(getattr(sent, "keys", lambda: ())()) - taken)
    if unknown:
        raise InvalidInput(
            _("%(field)s: the action %(action)s takes no such field; it takes %(fields)s.")
            % {"field": unknown[0], "action": act.name, "fields": ", ".join(sorted(taken))},
            {"field": unknown[0]})


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
        received_on = serializers.DateField(required=False, allow_null=True,
                                            help_text="start: the day of the receipt (YYYY-MM-DD); the clock "
                                                      "counts from it. Absent: today.")
        handed_over_on = serializers.DateField(required=False, allow_null=True,
                                               help_text="record_handover: the day of the hand-over (YYYY-MM-DD). "
                                                         "Absent: today.")
        office = serializers.CharField(required=False, allow_blank=True, max_length=6,
                                       help_text="move_office: the code of the office that takes the case "
                                                 "(docs/offices.md).")

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
        if act.name in ADMIN_ONLY_ACTIONS:
            raise PermissionDenied(ADMIN_ONLY_ACTIONS[act.name])
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
        _refuse_unknown_fields(request.data, act, stage)
        if "items" in data:
            data["items"] = "\n".join(data["items"])
        act.run(app, stage, request.user, data, version)
        if not applications_visible_to(request.user).filter(pk=app.pk).exists():
            # Moved to another office (docs/offices.md): done, and no longer the caller's to read.
            app.refresh_from_db()
            return Response({"id": app.pk, "reference": app.reference, "office": app.office.code,
                             "detail": _("%(ref)s now belongs to %(office)s; it has left your office's list.")
                             % {"ref": app.reference, "office": app.office}}, status=status.HTTP_200_OK)
        return Response(detail_data(request, app.pk),
                        status=status.HTTP_200_OK)


def _forecast(app, stages):
    from forecast.selectors import case_forecast

    f = case_forecast(app, stages)
    return f.as_api() if f else None
