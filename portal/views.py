"""The portal for enterprises and industry officers (server-rendered, htmx where it helps).

Reads go through ``review.selectors_cases`` (scoped by ``applications_visible_to``: a case that
is not yours is a 404), writes through ``services``; a refused service call is shown next to the
field it names, or as a message when it concerns the whole case.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clock import sla
from review import permissions as perms
from review.deadlines import case_late_level
from review.exceptions import ApplicationError, NotFound
from review.models import Office
from review.models.enums import APPLICANT_SIDE_REASONS, ApplicationType, CaseState, DeviceClass, StageState
from review.next_step import case_next_step, submitted_message
from review.selectors import application_attrs, calendar_current, policy_levels
from review.selectors_cases import (
    application_get,
    application_list,
    case_page,
    document_get,
    is_read_only,
    progress,
    supplement_get,
    without_discarded_drafts,
)
from services import accounts, documents, drafts, workflow
from services.actions import ACTIONS_BY_NAME
from services.guide import JURISDICTIONS, guide_profile_from_query, service_guide
from web.auth import still_signed_in
from web.downloads import document_response
from web.filters import ApplicationFilter
from web.post_only import post_only

from .forms import GuideForm, IntentForm, LoginForm, SubmitForm, SupplementAnswerForm, WithdrawForm

PAGE_SIZE = 20


def _visible(view):
    """Turn ``NotFound`` (not visible, or no such object) into the portal's 404 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from None

    return wrapper


def _form_error(form, exc: ApplicationError) -> None:
    """Show a service's refusal next to the field it names (else above the form)."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signs out on POST only (Django 5): a link cannot sign anyone out. A GET (an old bookmark,
    or the login's ``next`` after a session expired) goes to the portal's home, signing nobody out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        text = still_signed_in(request)
        if text:
            messages.warning(request, text)
        return HttpResponseRedirect(reverse("portal:home"))


# --- the public service guide (办事指南) ------------------------------------------------------------
GUIDE_FLAGS = ("complex_product", "key_project", "needs_testing", "with_licence")


def _home_office(user) -> Office:
    """The office a reader deals with: an enterprise's by its credit code, staff's and officers' own,
    else the default office."""
    if user.is_authenticated and user.enterprise_id:
        return Office.objects.for_credit_code(user.enterprise.credit_code)
    if user.is_authenticated and user.office_id:
        return user.office
    return Office.objects.default()


def _guide_query(request) -> QueryDict:
    """The profile asked for, in the API's terms: an unticked box of a submitted form is ``false``;
    before any choice, a Class II first registration in this administration's jurisdiction."""
    if "jurisdiction" in request.GET:
        params = request.GET.copy()
        for flag in GUIDE_FLAGS:
            params.setdefault(flag, "false")
    else:
        params = QueryDict(mutable=True)
        params.update({"jurisdiction": _home_office(request.user).jurisdiction, "device_class": "II",
                       "category": "passive", "application_type": "first", "pathway": "standard",
                       "needs_testing": "true"})
    return params


def guide(request):
    """No login: the stages a case profile goes through, each with its statutory limit (法定办结时限),
    target (承诺办结时限), basis and what the applicant does; the same service as the API."""
    params = _guide_query(request)
    form = GuideForm(initial={k: (v == "true") if k in GUIDE_FLAGS else v for k, v in params.items()},
                     jurisdictions=JURISDICTIONS)
    result, error, error_label, status, steps = None, None, None, 200, []
    try:
        result = service_guide(today=timezone.localdate(), **guide_profile_from_query(params))
    except ApplicationError as exc:
        # The service names the query parameter ("key_project: ..."); the page names the field.
        error, status, field = str(exc.message), exc.status, exc.extra.get("field")
        if field in form.fields:
            error_label = form.fields[field].label
            for sep in (": ", "："):
                error = error.removeprefix(field + sep)
    if result:
        by_phase: dict[int, list] = {}
        for stage in result.stages:
            by_phase.setdefault(stage.phase, []).append(stage)
        steps = [{"number": n, "stages": stages} for n, stages in enumerate(by_phase.values(), start=1)]
    title = ""
    if result:
        title = f"{DeviceClass(params['device_class']).label} · {ApplicationType(params['application_type']).label}"
    return render(request, "portal/guide.html", {
        "title": title,
        "form": form, "guide": result, "steps": steps, "error": error, "error_label": error_label,
        "query": params.urlencode(),
    }, status=status)


# --- my applications -------------------------------------------------------------------------
def _row(app, today, cal) -> dict:
    """A list card: the next date still ahead, or, once one has passed, the worst passed date
    (the statutory limit before the target) with its badge and how late it is."""
    remaining = None
    if app.next_target:
        remaining = cal.working_days_between(today, app.next_target)
    late = case_late_level(app.next_target, app.next_statutory, today)
    late_day = app.next_statutory if late == "breach" else app.next_target if late else None
    return {
        "app": app, "late": late, "late_day": late_day,
        "late_by": cal.working_days_between(late_day, today) if late_day else None,
        "progress": progress(app.stages_done, app.stages_total, app.state),
        "remaining": remaining,
        "applicant_days_left": (app.applicant_deadline - today).days if app.applicant_deadline else None,
    }


@login_required
def home(request):
    """My applications (enterprise), the district's intents and cases (industry officer)."""
    today, cal = timezone.localdate(), calendar_current()
    data = request.GET.copy()
    # The form's state select sends "state=" for "All": not a state to refuse, no filter.
    data.setlist("state", [v for v in data.getlist("state") if v])
    filterset = ApplicationFilter(data, queryset=application_list(request.user, today=today), request=request)
    # The filters leave out drafts discarded before submission unless withdrawn cases are asked
    # for; a query they refuse shows the whole list under the form's errors.
    qs = filterset.qs if filterset.is_valid() else without_discarded_drafts(filterset.queryset)
    if request.user.enterprise_id:  # an enterprise's cases are all in its own district and park
        for name in ("district", "park"):
            filterset.form.fields.pop(name, None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset, "page": page, "rows": [_row(a, today, cal) for a in page],
        "query": query.urlencode(), "today": today, "officer": is_read_only(request.user),
        "state_choices": CaseState.choices, "state_selected": request.GET.get("state", ""),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "portal/_application_list.html", context)
    return render(request, "portal/home.html", context)


# --- one case --------------------------------------------------------------------------------
def _phase_state(views) -> str:
    """The dot of a phase on the timeline: running while any branch runs or waits."""
    states = {v.stage.state for v in views}
    if states & {StageState.RUNNING, StageState.PAUSED}:
        return "running" if StageState.RUNNING in states else "paused"
    if StageState.PENDING in states:
        return "pending"
    if StageState.DONE in states:
        return "done"
    return "cancelled" if StageState.CANCELLED in states else "skipped"


@login_required
@_visible
def application_detail(request, pk):
    user = request.user
    app = application_get(user, pk)
    today, cal = timezone.localdate(), calendar_current()
    page = case_page(app, user, today=today, cal=cal)
    stages, views, log_rows = page.stages, page.views, page.log_rows
    by_phase: dict[int, list] = {}
    for v in views:
        by_phase.setdefault(v.stage.phase, []).append(v)
    phases = [{"number": n, "views": vs, "state": _phase_state(vs), "late": any(
        v.late or v.status.level in ("overdue", "breach") for v in vs)} for n, vs in sorted(by_phase.items())]
    dossier = page.dossier  # industry officers follow progress, not the requests' content
    open_requests = [v.open_pause for v in views
                     if dossier and v.open_pause is not None and v.open_pause.reason in APPLICANT_SIDE_REASONS]
    owner = page.applicant
    # The pack's rules give the later stages' limits for the estimate; read for every open case,
    # whether or not it needs them, so the page's query count depends on nothing but its kind.
    levels = policy_levels(app.policy_pack) if app.policy_pack is not None and app.is_open else []

    def limits_for(kind):
        return sla.resolve_limits(levels, kind=kind, attrs=application_attrs(app)) if levels else sla.Limits()

    return render(request, "portal/application.html", {
        # What the applicant has to do and when: addressed to the enterprise ("nothing for you to do
        # until ..."), so an industry officer, who can do neither, is not shown it.
        "next_step": case_next_step(app, views, today=today, cal=cal, limits_for=limits_for,
                                    steps=draft_steps(app)) if owner else None,
        "office": app.office.name, "contact": app.office.public_contact(),
        "can_withdraw": owner and app.is_open and not is_read_only(user),
        "withdraw_form": WithdrawForm(initial={"version": app.version}),
        "app": app, "phases": phases, "log_rows": log_rows, "today": today, "stages": stages,
        "progress": progress(app.stages_done, app.stages_total, app.state),
        "next": page.next, "late": page.late, "clock": page.clock,
        "open_requests": open_requests,
        # Answered, lapsed or closed with the case: each says which (ClockStop.outcome).
        "closed_requests": [c for v in views for c in v.pauses
                            if dossier and c.ended_on and c.reason in APPLICANT_SIDE_REASONS],
        "dossier": dossier,
        "can_submit": owner and app.state == CaseState.DRAFT,
        "owner": owner,
        "submit_form": SubmitForm(initial={"version": app.version}),
        "running": StageState.RUNNING,
    })


def draft_steps(app) -> list:
    """A draft's route steps, from which its next step names the phase its submission starts."""
    return list(app.route.steps.all()) if app.state == CaseState.DRAFT and app.route_id else []


def _case_page(request, pk) -> str:
    application_get(request.user, pk)  # not yours: 404, as for the POST
    return reverse("portal:application", args=[pk])


def _not_submitted(request, pk):
    app = application_get(request.user, pk)
    if app.state != CaseState.DRAFT:
        return None
    return _("Application %(ref)s has not been submitted (perhaps your session had expired). Check it and "
             "click “Submit the application” again.") % {"ref": app.reference}


def _not_withdrawn(request, pk):
    app = application_get(request.user, pk)
    if not app.is_open:
        return None
    return _("Application %(ref)s has not been withdrawn (perhaps your session had expired). To withdraw it, "
             "give the reason below and submit again.") % {"ref": app.reference}


@login_required
@_visible
@post_only(_case_page, _not_submitted)
def application_submit(request, pk):
    """The enterprise submits its draft: the same action (and checks) as the admin and the API."""
    app = application_get(request.user, pk)
    if is_read_only(request.user):
        raise PermissionDenied  # industry officers follow cases; they never act on them
    form = SubmitForm(request.POST)
    target = reverse("portal:application", args=[app.pk])
    if not form.is_valid():
        messages.error(request, _("This form is out of date; reload the page and try again."))
        return HttpResponseRedirect(target)
    try:
        ACTIONS_BY_NAME["submit"].run(app, None, request.user, {}, form.cleaned_data["version"])
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        app.refresh_from_db()
        messages.success(request, submitted_message(app))
    return HttpResponseRedirect(target)


@login_required
@_visible
@post_only(_case_page, _not_withdrawn)
def application_withdraw(request, pk):
    """The enterprise withdraws its application (or discards its draft): the API's withdraw action."""
    app = application_get(request.user, pk)
    if is_read_only(request.user):
        raise PermissionDenied
    target = reverse("portal:application", args=[app.pk])
    if app.state == CaseState.DRAFT:
        # Never submitted: discarded without a reason, and gone from the default list.
        form = SubmitForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("This form is out of date; reload the page and try again."))
            return HttpResponseRedirect(target)
        try:
            drafts.application_discard_draft(application=app, actor=request.user,
                                             expected_version=form.cleaned_data["version"])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(target)
        messages.success(request, _("Draft %(ref)s discarded. It no longer appears in your list.")
                         % {"ref": app.reference})
        return HttpResponseRedirect(reverse("portal:home"))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reason: say why you withdraw the application."))
        return HttpResponseRedirect(target)
    try:
        ACTIONS_BY_NAME["withdraw"].run(app, None, request.user, {"reason": form.cleaned_data["reason"]},
                                        form.cleaned_data["version"])
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Application %(ref)s withdrawn.") % {"ref": app.reference})
    return HttpResponseRedirect(target)


# --- supplement requests ---------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
@_visible
def supplement(request, pk, stop_id):
    """One request: what is missing, the one-year deadline, and the answer with its documents."""
    stop = supplement_get(request.user, pk, stop_id)
    app = stop.stage.application
    today = timezone.localdate()
    can_answer = stop.ended_on is None and perms.is_owner(app, request.user)
    max_mb = settings.SUPPLEMENT_MAX_FILE_BYTES // (1024 * 1024)
    form = SupplementAnswerForm(initial={"version": stop.stage.version}, max_mb=max_mb)
    if request.method == "POST":
        if not perms.is_owner(app, request.user):
            raise PermissionDenied  # industry officers and staff read here; the applicant answers
        if stop.ended_on is not None:
            messages.error(request, _("This request was already answered on %(d)s.") % {"d": stop.ended_on}
                           if stop.answered else _("This request is closed; it can no longer be answered."))
            return HttpResponseRedirect(reverse("portal:application", args=[app.pk]))
        form = SupplementAnswerForm(request.POST, request.FILES, max_mb=max_mb)
        if form.is_valid():
            try:
                documents.supplement_answer(
                    clock_stop=stop, actor=request.user, response=form.cleaned_data["response"],
                    files=form.cleaned_data["files"], expected_version=form.cleaned_data["version"])
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Answer received: the review clock runs again. The reviewer "
                                            "sees your answer and documents."))
                return HttpResponseRedirect(reverse("portal:application", args=[app.pk]))
    days_left = (stop.applicant_deadline - today).days if stop.applicant_deadline and stop.ended_on is None \
        else None
    return render(request, "portal/supplement.html", {
        "app": app, "stop": stop, "form": form, "can_answer": can_answer, "days_left": days_left,
        "documents": list(stop.documents.all()), "today": today,
    }, status=400 if request.method == "POST" else 200)


@login_required
@_visible
def document_download(request, pk):
    """The only way to a stored document: after the visibility check, as an attachment."""
    return document_response(document_get(request.user, pk))


# --- new intent ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def intent_create(request):
    user = request.user
    if not user.enterprise_id:
        raise PermissionDenied  # only an enterprise registers intents (staff use the admin)
    form = IntentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = workflow.application_create(enterprise=user.enterprise, actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Intent %(ref)s registered as a draft. Check it and submit it when "
                                        "the dossier is ready.") % {"ref": app.reference})
            return HttpResponseRedirect(reverse("portal:application", args=[app.pk]))
    return render(request, "portal/intent_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
@_visible
def intent_edit(request, pk):
    """Edit a draft before submission (the owner only; a filed case is read-only)."""
    app = application_get(request.user, pk)
    if not perms.is_owner(app, request.user):
        raise PermissionDenied
    target = reverse("portal:application", args=[app.pk])
    if app.state != CaseState.DRAFT:
        messages.error(request, _("Only a draft can be edited; this case is “%(s)s”.") % {"s": app.get_state_display()})
        return HttpResponseRedirect(target)
    initial = {name: getattr(app, name) for name in drafts.EDITABLE}
    form = IntentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            drafts.application_update_draft(application=app, actor=request.user, expected_version=version,
                                            **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Draft %(ref)s saved.") % {"ref": app.reference})
            return HttpResponseRedirect(target)
    return render(request, "portal/intent_form.html", {"form": form, "app": app},
                  status=400 if request.method == "POST" else 200)


# --- API token -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Issue, rotate or revoke the user's own API token (shown once after it is made)."""
    from rest_framework.authtoken.models import Token

    if request.method == "POST":
        what = request.POST.get("do")
        if what == "revoke":
            accounts.api_token_revoke(user=request.user)
            messages.success(request, _("Your API token was revoked; programs using it are refused now."))
            return HttpResponseRedirect(reverse("portal:api-token"))
        # Always a fresh key: an existing one is never shown again, so "create" on a
        # second tab or a replayed form replaces it rather than revealing it.
        token = accounts.api_token_issue(user=request.user, rotate=True)
        response = render(request, "portal/api_token.html", {"token": token, "new_key": token.key,
                                                             "api_base": request.build_absolute_uri("/api/v1/")})
        # The key is on this page and nowhere else: no browser or proxy cache may keep a copy.
        response["Cache-Control"] = "no-store"
        return response
    token = Token.objects.filter(user=request.user).first()
    return render(request, "portal/api_token.html", {"token": token, "new_key": None,
                                                     "api_base": request.build_absolute_uri("/api/v1/")})
