"""The case admin: the page where review staff advance applications.

Fields are read-only here: every change is one of the actions of ``services.actions``, posted to
``<case>/act/<action>/`` and run through its workflow service (which checks state and permission
again under the row lock). django-fsm-2's own admin buttons are not used: they call the model
method directly and skip the permission check.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clock.sla import deadline_status
from review import logchain
from review import permissions as perms
from review.deadlines import application_overdue_q, past_statutory
from review.exceptions import ApplicationError
from review.models import Application, ClockStop, Enterprise, Stage, TransitionLog
from review.models.enums import (
    OPEN_STATES,
    ApplicationType,
    Category,
    DeviceClass,
    Pathway,
    StageKind,
    StageState,
)
from review.selectors import (
    applications_visible_to,
    calendar_current,
)
from review.selectors_cases import (
    MAX_ID,
    application_search,
    case_page,
    case_stages,
    next_deadline_annotations,
)
from review.worklist import eligible_assignees
from services import policy, workflow
from services.actions import ACTIONS_BY_NAME, TO_DEPARTMENT, available_actions, decision_warning

from .badges import badge
from .readonly import ReadOnlyAdmin

DRAFT_KEY = "review_action_draft"  # what the user typed, kept across a refused action


# --- list filters ----------------------------------------------------------------------------
def _stage_exists(**lookups):
    return Exists(Stage.objects.filter(application=OuterRef("pk"), **lookups))


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("breach", _("Statutory limit passed")),
                ("week", _("Due this week"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        running = {"state": StageState.RUNNING}
        # Computed from the stored dates at request time (review.deadlines), no wait for the sweep.
        if self.value() == "overdue":
            return queryset.filter(application_overdue_q(today))
        if self.value() == "breach":
            return queryset.filter(application_overdue_q(today, statutory_only=True))
        if self.value() == "week":
            sunday = today + dt.timedelta(days=6 - today.weekday())
            return queryset.filter(_stage_exists(target_due__gte=today, target_due__lte=sunday, **running))
        return queryset


class PausedFilter(admin.SimpleListFilter):
    title = _("clock")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [("paused", _("A clock is stopped")), ("applicant", _("Waiting for the applicant"))]

    def queryset(self, request, queryset):
        if self.value() == "paused":
            return queryset.filter(_stage_exists(state=StageState.PAUSED))
        if self.value() == "applicant":
            return queryset.filter(Exists(ClockStop.objects.filter(
                stage__application=OuterRef("pk"), ended_on__isnull=True,
                reason__in=["supplement", "missing_items", "rectification"])))
        return queryset


class PhaseFilter(admin.SimpleListFilter):
    title = _("stage in progress")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return StageKind.choices

    def queryset(self, request, queryset):
        if self.value() in StageKind.values:
            return queryset.filter(_stage_exists(kind=self.value(),
                                                 state__in=[StageState.RUNNING, StageState.PAUSED]))
        return queryset


class DistrictFilter(admin.SimpleListFilter):
    title = _("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = (Enterprise.objects.exclude(district="").order_by("district")
                     .values_list("district", flat=True).distinct())
        return [(d, d) for d in districts]

    def queryset(self, request, queryset):
        return queryset.filter(enterprise__district=self.value()) if self.value() else queryset


# --- the add form (an intent registered by staff, e.g. received on paper) --------------------
class ApplicationCreateForm(forms.Form):
    enterprise = forms.ModelChoiceField(Enterprise.objects.all(), label=_("Enterprise"))
    product_name = forms.CharField(label=_("Product"), max_length=200)
    device_class = forms.ChoiceField(choices=DeviceClass.choices, label=_("Device class"))
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    application_type = forms.ChoiceField(choices=ApplicationType.choices, label=_("Application type"))
    pathway = forms.ChoiceField(choices=Pathway.choices, label=_("Pathway"), initial=Pathway.STANDARD)
    complex_product = forms.BooleanField(required=False, label=_("Complex product"))
    key_project = forms.BooleanField(required=False, label=_("Key project (pre-submission service)"))
    needs_testing = forms.BooleanField(required=False, label=_("Registration testing"))
    with_production_licence = forms.BooleanField(required=False, label=_("Production licence in parallel"))
    qms_on_change = forms.BooleanField(required=False, label=_("Change needs QMS verification"))


# --- the case admin --------------------------------------------------------------------------
@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("reference", "product_display", "enterprise", "device_class", "application_type",
                    "state_display", "deadline_display", "updated_on")
    list_display_links = ("reference", "product_display")
    list_filter = ("state", "device_class", "category", "pathway", PhaseFilter, OverdueFilter,
                   PausedFilter, DistrictFilter, "route")
    search_fields = ("reference", "product_name", "enterprise__name", "enterprise__credit_code")
    list_select_related = ("enterprise", "office")
    list_per_page = 50
    ordering = ("priority_rank", "-created_at")  # priority and innovation cases first
    change_form_template = "admin/review/application/change_form.html"
    fields = ("reference", "office", "enterprise", "product_name", "device_class", "category",
              "application_type", "pathway", "complex_product", "key_project", "needs_testing",
              "with_production_licence", "qms_on_change", "route", "policy_pack", "state",
              "submitted_on", "accepted_on", "closed_on", "certificate_number", "created_by",
              "created_at", "updated_at")
    readonly_fields = fields
    show_full_result_count = False
    actions = ["rebind_policy"]

    class Media:
        css = {"all": ("staff/admin.css",)}  # the list's and the case page's columns at 1366 px

    @admin.action(description=_("Re-project onto the policy pack in force today"),
                  permissions=["reproject"])
    def rebind_policy(self, request, queryset):
        moved = cases = 0
        for app in queryset.filter(state__in=OPEN_STATES):
            try:
                moved += policy.application_rebind_policy(application=app, actor=request.user)
                cases += 1
            except ApplicationError as exc:
                messages.error(request, f"{app.reference}: {exc.message}")
        messages.success(request, _("%(c)d cases re-projected; %(m)d stages changed (each logged).")
                         % {"c": cases, "m": moved})

    def get_list_display(self, request):
        # The national reader sees every office's cases: which office holds each is a column and a
        # filter; staff of one office see theirs only, so neither would say anything.
        if request.user.has_perm(perms.ALL_OFFICES):
            return (*self.list_display[:1], "office", *self.list_display[1:])
        return self.list_display

    def get_list_filter(self, request):
        if request.user.has_perm(perms.ALL_OFFICES):
            return ("office", *self.list_filter)
        return self.list_filter

    def has_reproject_permission(self, request):
        return request.user.has_perm(policy.REPROJECT_PERMISSION)

    def get_queryset(self, request):
        # Subqueries evaluated for the page's rows only (see ``next_deadline_annotations``); the
        # count then reads the applications table alone (Django drops unused annotations).
        return applications_visible_to(request.user).annotate(
            **next_deadline_annotations(),
            # A scalar subquery, not EXISTS: PostgreSQL may hash an EXISTS in the SELECT list
            # over every paused stage in the database instead of probing the page's rows.
            paused_stage=Subquery(Stage.objects.filter(application=OuterRef("pk"), state=StageState.PAUSED)
                                  .order_by().values("pk")[:1]),
        )

    def get_object(self, request, object_id, from_field=None):
        """The case page reads the case once (``change_view`` asks twice), with the pack, its
        parent (deadline sources, which stages may be extended) and the registering user joined."""
        key = (object_id, from_field)
        cached = getattr(request, "_review_case", None)
        if cached is None or cached[0] != key:
            queryset = self.get_queryset(request).select_related("policy_pack__parent", "created_by")
            model = queryset.model
            field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
            try:
                obj = queryset.get(**{field.name: field.to_python(object_id)})
            except (model.DoesNotExist, ValidationError, ValueError):
                obj = None
            request._review_case = cached = (key, obj)
        return cached[1]

    def get_search_results(self, request, queryset, search_term):
        return application_search(queryset, search_term), False

    def has_add_permission(self, request):
        return request.user.has_perm("review.accept_application")

    def has_delete_permission(self, request, obj=None):
        return False  # cases are closed (withdrawn, refused, terminated), never deleted

    def has_change_permission(self, request, obj=None):
        return False  # attributes are read-only; changes are the actions on the page

    @admin.display(description=_("product"), ordering="product_name")
    def product_display(self, obj):
        """The product, flagged when it is on the priority or innovation pathway (those come first in
        the default order, ``ordering``); sorting by this column sorts by the product's name."""
        if obj.pathway in (Pathway.PRIORITY, Pathway.INNOVATION):
            return format_html('{} <strong class="pathway-flag">{}</strong>', obj.product_name,
                               obj.get_pathway_display())
        return obj.product_name

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("next deadline"), ordering="next_target")
    def deadline_display(self, obj):
        if obj.next_target is None and obj.next_statutory is None:
            return badge("paused") if obj.paused_stage else "—"
        status = deadline_status(
            calendar_current(), state="running", target_due=obj.next_target,
            statutory_due=obj.next_statutory, statutory_reference=False, warning_days=5,
            today=timezone.localdate(),
        )
        # The date beside the badge, not in it: the cell may then wrap between the two, and the
        # English list fits 1366 px.
        return format_html('{} <span class="day">{}</span>', badge(status.level),
                           obj.next_target or obj.next_statutory)

    @admin.display(description=_("updated on"), ordering="updated_at")
    def updated_on(self, obj):
        # The day is enough in the list (the case page and its history have the time); a full
        # date and time pushed the list past a 1366 px screen.
        return timezone.localtime(obj.updated_at).date()

    # --- pages -------------------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/act/<str:action>/", self.admin_site.admin_view(self.action_view),
                 name="%s_%s_act" % info),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied
            raise PermissionDenied
        form = ApplicationCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                app = workflow.application_create(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(exc.extra.get("field") if exc.extra.get("field") in form.fields else None,
                               str(exc.message))
            else:
                messages.success(request, _("Intent %(ref)s registered as a draft.") % {"ref": app.reference})
                return HttpResponseRedirect(reverse("admin:review_application_change", args=[app.pk]))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form,
            "title": _("Register an application"), "add": True,
        }
        return TemplateResponse(request, "admin/review/application/add_form.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        app = self.get_object(request, object_id)
        if app is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        today, cal = timezone.localdate(), calendar_current()
        stages = case_stages(app)
        draft = request.session.pop(DRAFT_KEY, None)
        actions = []
        offered = available_actions(app, stages, request.user)
        candidates = eligible_assignees([s for a, s in offered if a.name == "reassign" and s])
        for action, stage in offered:
            key = f"{action.name}:{stage.pk if stage else ''}"
            mine = bool(draft and draft.get("key") == key)
            typed = draft.get("data", {}) if mine else {}
            actions.append({
                "action": action, "stage": stage, "key": key, "open": mine,
                "fields": [{"field": f, "value": typed.get(f.name, "")} for f in action.form_fields(stage)],
                "error": draft.get("error") if mine else None,
                "users": candidates.get(stage.pk, []) if stage else [],
                "past_statutory": bool(stage and past_statutory(stage, today)),
                "failed_inspection": decision_warning(app, stage, stages) if action.name == "complete" else None,
            })
        # The case page the portal and the API assemble too (review.selectors_cases.case_page).
        page = case_page(app, request.user, today=today, cal=cal, stages=stages)
        log_entries, rows = page.log_rows, page.views
        phases: dict[int, list] = {}
        for row in rows:
            phases.setdefault(row.stage.phase, []).append(row)
        context = {
            "case": app,
            "stage_rows": rows,
            "phases": sorted(phases.items()),
            "case_actions": actions,
            "log_entries": log_entries,
            # This case's hash chain, verified on every view of the case.
            "log_break": logchain.check_chain(sorted(log_entries, key=lambda r: r.pk)),
            "clock": page.clock,
            "today": today,
            "to_department": TO_DEPARTMENT,
            "show_save": False, "show_save_and_continue": False,
            "show_save_and_add_another": False, "show_delete": False,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def action_view(self, request, object_id, action):
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["POST"])
        app = get_object_or_404(applications_visible_to(request.user), pk=_pk_or_404(object_id))
        target = reverse("admin:review_application_change", args=[app.pk]) + "#actions"
        act = ACTIONS_BY_NAME.get(action)
        if act is None:
            messages.error(request, _("Unknown action %(a)s.") % {"a": action})
            return HttpResponseRedirect(target)
        if request.method != "POST":
            # The button's address opened with GET: typically the login's ``next`` after the
            # session expired under a filled-in form (web/post_only.py). Nothing is run.
            if request.method == "GET":
                messages.warning(request, _("Nothing was done (perhaps your session had expired): fill in "
                                            "“%(what)s” below and submit again.") % {"what": act.label})
            return HttpResponseRedirect(target)
        stage = None
        if act.scope == "stage":
            stage = get_object_or_404(Stage, pk=_pk_or_404(request.POST.get("stage")), application=app)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1  # a form without a version is stale by definition
        data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken",)}
        try:
            act.run(app, stage, request.user, {**data, "files": request.FILES.getlist("files")}, version)
        except ApplicationError as exc:
            request.session[DRAFT_KEY] = {
                "key": f"{act.name}:{stage.pk if stage else ''}", "data": data, "error": str(exc.message),
            }
            messages.error(request, exc.message)
            return HttpResponseRedirect(target)
        label = f"{act.label} — {stage.get_kind_display()}" if stage else str(act.label)
        messages.success(request, _("Done: %(what)s.") % {"what": label})
        # The result, not the action list: the message and the changed stage table at the top.
        return HttpResponseRedirect(reverse("admin:review_application_change", args=[app.pk]))


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = ("at", "application", "stage", "action", "from_state", "to_state", "actor")
    list_filter = ("action",)
    list_select_related = ("application", "stage__application", "actor")
    search_fields = ("application__reference", "reason")
    date_hierarchy = "at"

    def get_queryset(self, request):
        visible = applications_visible_to(request.user)
        return super().get_queryset(request).filter(application__in=visible.values("pk"))


def _pk_or_404(value) -> int:
    """An id from the URL or the form: anything but a positive bigint is "not found", not a 500."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(_("No such record.")) from None
    if not 0 < pk <= MAX_ID:
        raise Http404(_("No such record."))
    return pk
