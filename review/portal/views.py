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
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from review import permissions as perms
from review.api.filters import ApplicationFilter
from review.api.supplements import document_response
from review.models.enums import APPLICANT_SIDE_REASONS, CaseState, StageState
from review.selectors import calendar_current, case_clock
from review.selectors_cases import (
    application_get,
    application_list,
    case_log,
    case_stages,
    case_summarise,
    document_get,
    is_read_only,
    next_date,
    progress,
    stage_views,
    supplement_get,
)
from services import accounts, documents, workflow
from services.actions import ACTIONS_BY_NAME
from services.exceptions import ApplicationError, NotFound

from .forms import IntentForm, LoginForm, SubmitForm, SupplementAnswerForm

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
    """POST only (Django 5): a link cannot sign anyone out."""


# --- my applications -------------------------------------------------------------------------
def _row(app, today, cal) -> dict:
    remaining = None
    if app.next_target:
        remaining = cal.working_days_between(today, app.next_target)
    return {
        "app": app,
        "progress": progress(app.stages_done, app.stages_total, app.state),
        "remaining": remaining,
        "applicant_days_left": (app.applicant_deadline - today).days if app.applicant_deadline else None,
    }


@login_required
def home(request):
    """My applications (enterprise), the district's intents and cases (industry officer)."""
    today, cal = timezone.localdate(), calendar_current()
    filterset = ApplicationFilter(request.GET or None, queryset=application_list(request.user, today=today),
                                  request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if request.user.enterprise_id:  # an enterprise's cases are all in its own district and park
        for name in ("district", "park"):
            filterset.form.fields.pop(name, None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset, "page": page, "rows": [_row(a, today, cal) for a in page],
        "query": query.urlencode(), "today": today, "officer": is_read_only(request.user),
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
    stages = case_stages(app)
    case_summarise(app, stages, today=today)
    log_rows = list(case_log(app, user))
    views = stage_views(stages, today=today, cal=cal, log_rows=log_rows)
    by_phase: dict[int, list] = {}
    for v in views:
        by_phase.setdefault(v.stage.phase, []).append(v)
    phases = [{"number": n, "views": vs, "state": _phase_state(vs), "late": any(
        v.late or v.status.level in ("overdue", "breach") for v in vs)} for n, vs in sorted(by_phase.items())]
    open_requests = [v.open_pause for v in views
                     if v.open_pause is not None and v.open_pause.reason in APPLICANT_SIDE_REASONS]
    owner = perms.is_owner(app, user)
    return render(request, "portal/application.html", {
        "app": app, "phases": phases, "log_rows": log_rows, "today": today,
        "progress": progress(app.stages_done, app.stages_total, app.state),
        "next": next_date(views, today=today, cal=cal),
        "clock": case_clock(app, stages, today=today, cal=cal),
        "open_requests": open_requests,
        "answered_requests": [c for v in views for c in v.pauses
                              if c.ended_on and c.reason in APPLICANT_SIDE_REASONS],
        "can_submit": owner and app.state == CaseState.DRAFT,
        "owner": owner,
        "submit_form": SubmitForm(initial={"version": app.version}),
        "running": StageState.RUNNING,
    })


@login_required
@require_POST
@_visible
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
        messages.success(request, _("Application %(ref)s submitted; the acceptance clock is running.")
                         % {"ref": app.reference})
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
            messages.error(request, _("This request was already answered on %(d)s.") % {"d": stop.ended_on})
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
        token = accounts.api_token_issue(user=request.user, rotate=(what == "rotate"))
        return render(request, "portal/api_token.html", {"token": token, "new_key": token.key,
                                                         "api_base": request.build_absolute_uri("/api/v1/")})
    token = Token.objects.filter(user=request.user).first()
    return render(request, "portal/api_token.html", {"token": token, "new_key": None,
                                                     "api_base": request.build_absolute_uri("/api/v1/")})
