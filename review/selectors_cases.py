"""Case reads for the portal and the REST API, each with its own joins.

Every read starts from ``review.selectors.applications_visible_to(user)``: an enterprise user
sees their enterprise, an industry officer their district (or park), staff everything, anyone
else nothing; a case outside that set is "not found" (404), never "forbidden", so its existence
is not disclosed. The view-model helpers at the end are pure Python over prefetched rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from clock import sla
from clock.calendar import WorkingCalendar
from clock.sla import BREACH, OVERDUE, DeadlineStatus, deadline_status, elapsed_days
from review.deadlines import application_overdue_q, stage_level
from review.exceptions import NotFound
from review.models import (
    Application,
    ClockStop,
    Extension,
    Stage,
    SupplementDocument,
    TransitionLog,
    extensions_in_force,
)
from review.models.enums import APPLICANT_SIDE_REASONS, CaseState, StageState
from review.selectors import applications_visible_to, case_clock

MAX_ID = 2**63 - 1  # bigint: a larger id cannot exist (and would make PostgreSQL raise)


def sees_internal(user) -> bool:
    """Staff see assignees, opinions and internal log rows; enterprises and industry officers
    see the department handling a stage and the log rows meant for the applicant."""
    return bool(user.is_authenticated and user.is_staff)


def sees_dossier(user) -> bool:
    """Supplement answers, their documents and what was asked are the applicant's dossier: the
    enterprise and staff read them; industry officers follow progress only (the Shanghai plan
    shares intents, acceptance and progress with district and park officers, not the dossier)."""
    return bool(user.is_authenticated and (user.is_staff or user.enterprise_id))


def _no_dossier():
    return NotFound(_("No such request for this application."))


DEADLINE_KEYS = ("target_due", "statutory_due", "provisional", "after", "before", "outcome", "reference")


def progress_details(details) -> dict:
    """A log row's details as an industry officer sees them: deadlines and outcomes, no dossier
    content (the items asked for, the documents' names)."""
    return {k: v for k, v in details.items() if k in DEADLINE_KEYS} if isinstance(details, dict) else {}


def is_read_only(user) -> bool:
    """Industry officers follow cases and never act on them (docs/security.md#who-reads-what)."""
    return bool(user.is_authenticated and not user.is_staff and not user.enterprise_id)


def _not_found():
    return NotFound(_("No such application, or it is not one of yours."))


def parse_id(value) -> int:
    """An id from an address or a query: a whole number in range, else the same 404 as not found."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise _not_found() from None
    if not 0 < pk <= MAX_ID:
        raise _not_found()
    return pk


# --- lists -----------------------------------------------------------------------------------
def next_deadline_annotations() -> dict:
    """The earliest target and statutory date of the case's running stages, as correlated
    subqueries (``ORDER BY ... LIMIT 1`` on the stage's application index).

    Subqueries, not ``Min()`` over a join: an aggregate joins every case with every stage and
    groups the whole table before the page is cut (762 ms at 100,000 cases); a subquery in the
    SELECT list runs only for the rows of the page. Shared by the admin list and the API/portal.
    """
    running = Stage.objects.filter(application=OuterRef("pk"), state=StageState.RUNNING)
    return {
        "next_target": Subquery(running.filter(target_due__isnull=False).order_by("target_due")
                                .values("target_due")[:1]),
        "next_statutory": Subquery(running.filter(statutory_due__isnull=False, statutory_reference=False)
                                   .order_by("statutory_due").values("statutory_due")[:1]),
    }


def overdue_from_next(today: dt.date):
    """Overdue from the two annotations above: the earliest running target or statutory date
    is before today, i.e. exactly ``overdue_q``'s condition. Computed per row of the page, never
    as an ``EXISTS`` in the SELECT list, which PostgreSQL may turn into a hash of every overdue
    stage in the database whatever the caller may see."""
    return Case(When(Q(next_target__lt=today) | Q(next_statutory__lt=today), then=Value(True)),
                default=Value(False), output_field=BooleanField())


def application_list(user, *, today: dt.date):
    """The visible cases, newest first (staff see priority and innovation cases first), with what
    a list shows: next deadlines, the applicant's
    open deadline, progress and overdue; correlated subqueries, so no join multiplies rows and
    the query count does not depend on how many stages or log rows a case has, and each is
    computed only for the rows of the page (the order has an index: ``created_at, id``)."""
    stages = Stage.objects.filter(application=OuterRef("pk"))

    def count(qs):
        return Coalesce(Subquery(qs.order_by().values("application").annotate(n=Count("pk")).values("n")),
                        Value(0), output_field=IntegerField())

    return applications_visible_to(user).annotate(
        **next_deadline_annotations(),
        applicant_deadline=Subquery(
            ClockStop.objects.filter(stage__application=OuterRef("pk"), ended_on__isnull=True,
                                     reason__in=APPLICANT_SIDE_REASONS)
            .order_by("applicant_deadline").values("applicant_deadline")[:1]),
        stages_total=count(stages.exclude(state=StageState.SKIPPED)),
        stages_done=count(stages.filter(state=StageState.DONE)),
    ).annotate(is_overdue=overdue_from_next(today)).order_by(*_list_order(user))


def _list_order(user) -> tuple:
    """Staff see priority and innovation cases first; an enterprise sees first the cases waiting
    for its answer (a supplement or a rectification), the nearest deadline first; then newest."""
    if user.is_staff:
        return ("priority_rank", "-created_at", "-pk")
    if getattr(user, "enterprise_id", None):
        return (F("applicant_deadline").asc(nulls_last=True), "-created_at", "-pk")
    return ("-created_at", "-pk")


def without_discarded_drafts(queryset):
    """Drafts discarded before submission are not cases: lists leave them out unless withdrawn
    cases are asked for (the portal's and the API's lists alike)."""
    return queryset.exclude(state=CaseState.WITHDRAWN, submitted_on__isnull=True)


def overdue_q(today: dt.date) -> Q:
    """Cases with a running stage past its target or its statutory limit (``review.deadlines``)."""
    return application_overdue_q(today)


SEARCH_WORDS = 5  # words of a search term that count; each must match somewhere


class HasBigram(Func):
    """``review_bigrams(UPPER(column::text)) @> ARRAY[UPPER(word)]``: the column's upper-cased text
    has the two characters of ``word`` side by side, which is exactly "contains the two-character
    word, case-insensitively" (Django's ``icontains``). Written as the GIN index of migration
    ``search_bigram_indexes`` is, so PostgreSQL answers it from that index. PostgreSQL only."""

    output_field = BooleanField()

    def __init__(self, column: str, word: str):
        super().__init__(F(column))
        self.word = word

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"review_bigrams(UPPER({column}::text)) @> ARRAY[UPPER(%s::text)]", [*params, self.word]


def contains_word(column: str, word: str) -> Q:
    """``column`` contains ``word``, case-insensitively (``icontains``). On PostgreSQL a word of
    three characters or more has trigrams (the ``pg_trgm`` indexes of migration 0015); a
    two-character word has none: it is the bigram test instead (``HasBigram``, the same rows),
    which the bigram indexes answer without reading the rows that do not match."""
    if len(word) == 2 and connection.vendor == "postgresql":
        return Q(HasBigram(column, word))
    return Q(**{f"{column}__icontains": word})


def application_search(queryset, text: str):
    """Cases whose reference, product, or enterprise (name or credit code) contains each word of
    ``text``, case-insensitively; the admin's and the API's search.

    Built so that PostgreSQL can answer from indexes: the enterprises matching a word are read
    first (one small query), so the case filter is an OR of conditions on the applications table
    alone (trigram GIN indexes on ``UPPER(reference)`` and ``UPPER(product_name)``, migration
    ``0015_list_indexes``; the enterprise index), which PostgreSQL combines with a BitmapOr. An
    OR across the enterprise join cannot use any index and scans every case (228 ms at 100,000).
    A two-character word has no trigram: the bigram indexes answer it (``contains_word``); a
    one-character word is answered by a scan.
    """
    from review.models import Enterprise

    for word in (text or "").split()[:SEARCH_WORDS]:
        enterprises = list(Enterprise.objects.filter(contains_word("name", word) | contains_word("credit_code", word))
                           .values_list("pk", flat=True))
        match = contains_word("reference", word) | contains_word("product_name", word)
        if enterprises:
            match |= Q(enterprise_id__in=enterprises)
        queryset = queryset.filter(match)
    return queryset


# --- one case --------------------------------------------------------------------------------
def application_get(user, pk, *, annotated: bool = False) -> Application:
    """The case if ``user`` may see it, else ``NotFound`` (404); ``annotated`` adds what
    ``application_list`` computes (next deadlines, progress, overdue)."""
    qs = application_list(user, today=timezone.localdate()) if annotated else applications_visible_to(user)
    app = qs.select_related("policy_pack__parent").filter(pk=parse_id(pk)).first()
    if app is None:
        raise _not_found()
    return app


def application_fingerprint(user, pk) -> tuple[Application, str | None]:
    """The case if ``user`` may see it, else ``NotFound`` (404), as ``application_get`` decides,
    but only its id and enterprise (no joins beyond the scope's own); with the digest of every row
    its detail is read from (``review_case_fingerprint``, migration 0039; None on a database other
    than PostgreSQL), in the same statement. What the cached API detail asks on every request."""
    fingerprint = (Func(F("id"), function="review_case_fingerprint", output_field=TextField())
                   if connection.vendor == "postgresql" else Value(None, output_field=TextField()))
    pk = parse_id(pk)
    row = applications_visible_to(user).filter(pk=pk).order_by().values_list("enterprise_id", fingerprint).first()
    if row is None:
        raise _not_found()
    return Application(pk=pk, enterprise_id=row[0]), row[1]


def case_summarise(application: Application, stages: list[Stage], *, today: dt.date) -> Application:
    """Set on one case what ``application_list`` annotates (next deadlines, the applicant's open
    deadline, progress counts, overdue), from its prefetched stages and pauses: the same rules in
    Python, so a detail page needs no annotated query (building and compiling that query cost
    more than running it). ``test_detail_summary_is_the_list_annotation`` holds the two equal."""
    running = [s for s in stages if s.state == StageState.RUNNING]
    application.next_target = min((s.target_due for s in running if s.target_due), default=None)
    application.next_statutory = min((s.statutory_due for s in running
                                      if s.statutory_due and not s.statutory_reference), default=None)
    application.applicant_deadline = min(
        (c.applicant_deadline for s in stages for c in s.clock_stops.all()
         if c.ended_on is None and c.reason in APPLICANT_SIDE_REASONS and c.applicant_deadline),
        default=None)
    application.stages_total = sum(1 for s in stages if s.state != StageState.SKIPPED)
    application.stages_done = sum(1 for s in stages if s.state == StageState.DONE)
    application.is_overdue = bool((application.next_target and application.next_target < today)
                                  or (application.next_statutory and application.next_statutory < today))
    return application


def case_stages(application: Application, *, documents: bool = True) -> list[Stage]:
    """Stages with department, assignee, pauses (and the documents answering them, unless
    ``documents`` is false: the API's detail lists none) and extensions: five queries (four
    without the documents) whatever the number of stages, pauses or documents."""
    stops = ClockStop.objects.all()
    if documents:
        stops = stops.prefetch_related(Prefetch("documents", queryset=SupplementDocument.objects.order_by("id")))
    return list(
        application.stages.select_related("department", "assignee").prefetch_related(
            Prefetch("clock_stops", queryset=stops),
            Prefetch("extensions", queryset=Extension.objects.select_related("approved_by")),
        )
    )


def case_log(application: Application, user):
    """The timeline: every row for staff, the rows meant for the applicant for everyone else.

    ``shown_reason`` is the free text this user may read: all of it for staff, for everyone else
    only what was written for the applicant (decided per row at write time, hidden by default).
    """
    qs = TransitionLog.objects.filter(application=application).select_related("actor", "stage")
    if sees_internal(user):
        qs = qs.annotate(shown_reason=F("reason"))
    elif not sees_dossier(user):  # industry officers: what happened when, not what was written
        qs = qs.filter(for_applicant=True).annotate(shown_reason=Value("", output_field=TextField()))
    else:
        qs = qs.filter(for_applicant=True).annotate(shown_reason=Case(
            When(reason_for_applicant=True, then=F("reason")), default=Value(""),
            output_field=TextField()))
    return qs.order_by("at", "id")


def case_deadline_rows(application: Application, user) -> list[TransitionLog]:
    """Just what ``last_deadlines`` reads from the timeline (one light query)."""
    return list(case_log(application, user).select_related(None).only("stage_id", "details"))


def case_supplements(application: Application, user) -> list[ClockStop]:
    """Requests waiting for (or answered by) the applicant, newest first, with their documents;
    ``NotFound`` for a user who follows progress only (``sees_dossier``)."""
    if not sees_dossier(user):
        raise _no_dossier()
    return list(
        ClockStop.objects.filter(stage__application=application, reason__in=APPLICANT_SIDE_REASONS)
        .select_related("stage")
        .prefetch_related(Prefetch("documents", queryset=SupplementDocument.objects.order_by("id")))
        .order_by("-started_on", "-id")
    )


def supplement_get(user, application_pk, stop_pk) -> ClockStop:
    """One applicant-side request of a visible case, else ``NotFound`` (also for a user who
    follows progress only)."""
    app = application_get(user, application_pk)
    if not sees_dossier(user):
        raise _no_dossier()
    stop = (ClockStop.objects.filter(pk=parse_id(stop_pk), stage__application=app,
                                     reason__in=APPLICANT_SIDE_REASONS)
            .select_related("stage").prefetch_related("documents").first())
    if stop is None:
        raise NotFound(_("No such request for this application."))
    stop.stage.application = app
    return stop


def document_get(user, pk) -> SupplementDocument:
    """A document of a visible case, else ``NotFound``: the only way to its file (never for a
    user who follows progress only)."""
    if not sees_dossier(user):
        raise NotFound(_("No such document, or it is not one of yours."))
    doc = (SupplementDocument.objects.select_related("clock_stop__stage")
           .filter(pk=parse_id(pk), clock_stop__stage__application__in=applications_visible_to(user).values("pk"))
           .first())
    if doc is None:
        raise NotFound(_("No such document, or it is not one of yours."))
    return doc


# --- view models (pure) ----------------------------------------------------------------------
@dataclass
class StageView:
    """One stage as the portal and the API show it."""

    stage: Stage
    status: DeadlineStatus
    elapsed: int | None
    target_due: dt.date | None  # the stored deadline while running; the last one projected after
    statutory_due: dt.date | None
    target_met: bool | None  # done stages: finished within the target / statutory limit
    statutory_met: bool | None
    pauses: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    open_pause: ClockStop | None = None

    @property
    def late(self) -> bool:
        return self.target_met is False or self.statutory_met is False


def _met(used: int | None, budget: int | None, extension: int) -> bool | None:
    if used is None or budget is None:
        return None
    return used <= budget + extension


def last_deadlines(log_rows) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Each stage's last projected (target, statutory) dates, from the log's details.

    A stage that finished has its stored deadlines cleared; the log rows that projected them
    (start, resume, extension, re-projection) keep them.
    """
    found: dict[int, tuple] = {}
    for row in log_rows:
        if not row.stage_id or not isinstance(row.details, dict):
            continue
        d = row.details.get("after") if isinstance(row.details.get("after"), dict) else row.details
        if "target_due" in d or "statutory_due" in d:
            found[row.stage_id] = (_date(d.get("target_due")), _date(d.get("statutory_due")))
    return found


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def stage_views(stages: list[Stage], *, today: dt.date, cal: WorkingCalendar,
                log_rows=None) -> list[StageView]:
    """Badges, working days used, deadlines and on-time flags; no queries (all prefetched)."""
    known = last_deadlines(log_rows or [])
    views = []
    for s in stages:
        status = deadline_status(
            cal, state=s.state, target_due=s.target_due, statutory_due=s.statutory_due,
            statutory_reference=s.statutory_reference, warning_days=s.warning_days, today=today)
        elapsed = None
        if s.started_on:
            elapsed = elapsed_days(cal, clock_start=s.clock_started_on, consumed=s.consumed_days,
                                   running=s.state == StageState.RUNNING, today=today)
        target_due, statutory_due = s.target_due, s.statutory_due
        if s.state in (StageState.DONE, StageState.CANCELLED):
            # Finishing clears the stored deadlines; show the ones the stage last ran against.
            # (A paused stage shows none: they are projected afresh when its clock restarts.)
            target_due, statutory_due = known.get(s.pk, (None, None))
        done = s.state == StageState.DONE
        pauses = list(s.clock_stops.all())
        views.append(StageView(
            stage=s, status=status, elapsed=elapsed, target_due=target_due, statutory_due=statutory_due,
            target_met=_met(s.consumed_days, s.target_days, s.extension_days + sla.target_handover_days(
                target_days=s.target_days, statutory_days=s.statutory_days, handover_days=s.handover_days))
            if done else None,
            # The statutory limit counts from the hand-over (docs/regulatory-basis.md#o47-91).
            statutory_met=(_met(s.consumed_days, s.statutory_days, s.extension_days + s.handover_days)
                           if done and not s.statutory_reference else None),
            pauses=pauses, extensions=extensions_in_force(s),
            open_pause=next((c for c in pauses if c.ended_on is None), None),
        ))
    return views


@dataclass(frozen=True)
class NextDate:
    day: dt.date
    what: str
    working_days: bool  # stage deadlines count working days; the applicant's year counts days
    remaining: int
    stage: Stage | None = None


def next_date(views: list[StageView], *, today: dt.date, cal: WorkingCalendar,
              applicant: bool = True) -> NextDate | None:
    """The nearest date still ahead (or today): a running stage's target or statutory limit, or
    the applicant's deadline to answer a request. ``applicant``: the reader is the applicant
    ("your answer"); anyone else reads of the applicant in the third person."""
    candidates = []
    for v in views:
        s = v.stage
        if s.state == StageState.RUNNING:
            for day, label in ((s.target_due, _("target")), (None if s.statutory_reference else s.statutory_due,
                                                             _("statutory limit"))):
                if day and day >= today:
                    candidates.append(NextDate(day, f"{s.get_kind_display()} · {label}", True,
                                               cal.working_days_between(today, day), s))
        if v.open_pause and v.open_pause.reason in APPLICANT_SIDE_REASONS and v.open_pause.applicant_deadline:
            day = v.open_pause.applicant_deadline
            if day >= today:
                what = {"what": v.open_pause.get_reason_display()}
                candidates.append(NextDate(
                    day, (_("your answer to: %(what)s") if applicant else _("the applicant's answer to: %(what)s"))
                    % what, False, (day - today).days, s))
    return min(candidates, key=lambda c: (c.day, not c.working_days), default=None)


@dataclass(frozen=True)
class LateDate:
    day: dt.date
    what: str
    level: str  # review.deadlines: "breach" or "overdue"
    late_by: int  # working days since ``day``
    stage: Stage


def late_date(views: list[StageView], *, today: dt.date, cal: WorkingCalendar) -> LateDate | None:
    """The office's worst passed date, if a running stage is past one: a statutory limit before a
    target, the earliest first (review.deadlines' levels). Shown before any date still ahead, so
    nobody reads of a date a year away while the office's own stage is late."""
    late = []
    for v in views:
        s = v.stage
        level = stage_level(s, today, cal)
        if level in (BREACH, OVERDUE):
            day = s.statutory_due if level == BREACH else s.target_due
            label = _("statutory limit") if level == BREACH else _("target")
            late.append(LateDate(day, f"{s.get_kind_display()} · {label}", level,
                                 cal.working_days_between(day, today), s))
    return min(late, key=lambda d: (d.level != BREACH, d.day), default=None)


def progress(stages_done: int, stages_total: int, state: str) -> int:
    """Per cent of the route done; an approved case is complete."""
    if state == "approved":
        return 100
    return round(100 * stages_done / stages_total) if stages_total else 0


# --- one case page, for one reader ------------------------------------------------------------
@dataclass
class CasePage:
    """What every interface shows of one case, assembled once for its reader: the stage views
    (the same ``StageView`` the admin, the portal and the API render), the timeline, the case
    clock, the next date still ahead and the office's worst passed date. ``reader`` decides the
    wording and what is visible: ``applicant`` (the owner, addressed as "you"), ``officer``
    (follows progress; reads of the applicant in the third person, no request contents),
    ``staff`` (everything)."""

    application: Application
    stages: list[Stage]
    views: list[StageView]
    log_rows: list
    clock: dict
    next: NextDate | None
    late: LateDate | None
    reader: str

    @property
    def applicant(self) -> bool:
        return self.reader == "applicant"

    @property
    def dossier(self) -> bool:
        return self.reader != "officer"

    @property
    def internal(self) -> bool:
        return self.reader == "staff"


def reader_of(application: Application, user) -> str:
    from review.permissions import is_owner

    if sees_internal(user):
        return "staff"
    if is_owner(application, user):
        return "applicant"
    return "officer"


def case_page(application: Application, user, *, today: dt.date, cal: WorkingCalendar,
              stages: list[Stage] | None = None, full_log: bool = True) -> CasePage:
    """One case page for ``user`` (who must see the case: the caller read it through
    ``application_get`` or the admin's scoped queryset). ``full_log``: the whole timeline this
    reader may read; else only the rows the stage views need for finished stages' dates."""
    stages = case_stages(application) if stages is None else stages
    case_summarise(application, stages, today=today)
    log_rows = list(case_log(application, user)) if full_log else case_deadline_rows(application, user)
    views = stage_views(stages, today=today, cal=cal, log_rows=log_rows)
    reader = reader_of(application, user)
    return CasePage(application=application, stages=stages, views=views, log_rows=log_rows,
                    clock=case_clock(application, stages, today=today, cal=cal),
                    next=next_date(views, today=today, cal=cal, applicant=reader == "applicant"),
                    late=late_date(views, today=today, cal=cal), reader=reader)
