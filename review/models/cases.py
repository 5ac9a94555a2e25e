"""Applications, their stages and clocks, and the append-only transition log.

Transitions here are pure: they change the state field and nothing else. Everything around them
(locking, permission, clocks, the log row, emails) is in ``services.workflow``; state fields are
protected so nothing else can write them (see ``StateGuardQuerySet``).
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from review import logchain
from review import permissions as perms
from review.validators import validate_single_line

from .display import ChoiceLabelsMixin
from .enums import (
    APPLICANT_SIDE_REASONS,
    CLOSED_STATES,
    OPEN_STATES,
    PHASE_STATES,
    STATE_LABELS,
    ApplicationType,
    CaseState,
    Category,
    DeviceClass,
    LogAction,
    Outcome,
    Pathway,
    PauseReason,
    SkipReason,
    StageKind,
    StageState,
)
from .fsm import ThreadSafeFSMMixin


class StateWriteError(Exception):
    """Raised when code tries to write a state field around the state machine."""


class StateGuardQuerySet(models.QuerySet):
    """Refuses bulk writes of ``state``: they would bypass the transitions, the lock and the log."""

    def update(self, **kwargs):
        if "state" in kwargs:
            raise StateWriteError("state changes go through services.workflow, not QuerySet.update()")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "state" in fields:
            raise StateWriteError("state changes go through services.workflow, not bulk_update()")
        return super().bulk_update(objs, fields, *args, **kwargs)


class Application(ChoiceLabelsMixin, ThreadSafeFSMMixin, models.Model):
    """A registration or licence application (申请) of one enterprise, on one route."""

    reference = models.CharField(
        _("reference"), max_length=30, unique=True,
        help_text=_("The case number; it is the acceptance number once the case is accepted."),
    )
    enterprise = models.ForeignKey(
        "review.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
        related_name="applications",
    )
    office = models.ForeignKey(
        "review.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="applications",
        help_text=_("The office that decides the case: by default the one of the enterprise's registration "
                    "region (its credit code); staff may reassign it, with a reason."),
    )
    product_name = models.CharField(_("product"), max_length=200, validators=[validate_single_line])
    device_class = models.CharField(_("device class"), max_length=3, choices=DeviceClass.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    application_type = models.CharField(
        _("application type"), max_length=10, choices=ApplicationType.choices
    )
    pathway = models.CharField(
        _("pathway"), max_length=30, choices=Pathway.choices, default=Pathway.STANDARD
    )
    # Staff lists put priority and innovation cases first (Chongqing plan item 7; Shanghai plan).
    # Computed by the database from the pathway, so it can never disagree with it.
    priority_rank = models.GeneratedField(
        expression=models.Case(
            # Only while the case is open: a decided priority case is no longer anyone's to hurry,
            # and must not sit above the open work in the staff lists.
            models.When(models.Q(pathway__in=[Pathway.PRIORITY, Pathway.INNOVATION])
                        & ~models.Q(state__in=CLOSED_STATES), then=models.Value(0)),
            default=models.Value(1)),
        output_field=models.SmallIntegerField(), db_persist=True,
        verbose_name=_("priority first"),
    )
    complex_product = models.BooleanField(
        _("complex product"), default=False,
        help_text=_("Complex structure or working principle, or many applicable standards: keeps the "
                    "longer testing window."),
    )
    key_project = models.BooleanField(
        _("key project"), default=False, help_text=_("Gets the pre-submission service.")
    )
    needs_testing = models.BooleanField(
        _("registration testing by the testing centre"), default=False
    )
    with_production_licence = models.BooleanField(
        _("production licence in parallel"), default=False,
        help_text=_("Registration and production licence reviewed in parallel, with one merged on-site inspection."),
    )
    qms_on_change = models.BooleanField(
        _("change needs QMS verification"), default=False
    )
    route = models.ForeignKey(
        "review.Route", verbose_name=_("route"), on_delete=models.PROTECT, related_name="+"
    )
    policy_pack = models.ForeignKey(
        "review.PolicyPack", verbose_name=_("policy pack"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Bound when the case leaves draft and again at acceptance (the pack in force then)."),
    )
    state = FSMField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.DRAFT,
        protected=True, db_index=True,
    )
    phase = models.PositiveSmallIntegerField(
        _("current phase"), default=0, help_text="Route phase now open; 0 while a draft."
    )
    suspended_from = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    dossier_received_on = models.DateField(
        _("dossier received on"), null=True, blank=True,
        help_text=_("Receipt of the complete dossier: the acceptance's 5 working days count from here."),
    )
    deemed_accepted = models.BooleanField(
        _("deemed accepted"), default=False,
        help_text=_("No decision within 5 working days of receipt: accepted as of the day of receipt "
                    "(Administrative Licensing Law Art. 32)."),
    )
    licence_accepted_on = models.DateField(
        _("licence accepted on"), null=True, blank=True,
        help_text=_("The production licence's 20 working days count from here (Order 53 Art. 13)."),
    )
    decide_by = models.DateField(
        _("decide before"), null=True, blank=True,
        help_text=_("A renewal: the renewed certificate's expiry. Decided later, the renewal is deemed "
                    "granted (Order 47 Art. 82; Administrative Licensing Law Art. 50)."),
    )
    renewal_of = models.ForeignKey(
        "review.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("certificate renewed"),
        help_text=_("A renewal is decided before this certificate expires, else deemed granted."),
    )
    change_of = models.ForeignKey(
        "review.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("certificate changed"),
        help_text=_("A change registration: its change document goes with this certificate, whose number "
                    "and expiry stay (Order 47 Art. 81, 115)."),
    )
    renewal_filed_late = models.BooleanField(
        _("renewal filed outside its window"), default=False,
        help_text=_("Set at submission: a registration renewal filed less than six months before expiry "
                    "(Order 47 Art. 82, 83) or a licence renewal outside 90 to 30 working days before "
                    "expiry (Order 53 Art. 17). Never deemed granted."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate or licence number"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("registered by"),
    )
    version = models.PositiveIntegerField(
        default=0, help_text="Bumped by every service write; a stale form is refused with 409."
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StateGuardQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        permissions = [
            ("file_application", _("Can file and follow own enterprise's applications")),
            ("accept_application", _("Can accept applications and record national outcomes")),
            ("review_application", _("Can run technical review and pre-submission service")),
            ("inspect_application", _("Can run QMS verification and licence inspections")),
            ("test_application", _("Can run registration testing")),
            ("decide_application", _("Can decide and issue certificates and licences")),
            ("supervise_application", _("Can extend, suspend, resume, reassign and terminate")),
            ("view_all_applications", _("Can see every application")),
        ]
        indexes = [
            models.Index(fields=["enterprise", "state"]),
            models.Index(fields=["office", "state"], name="application_office_state"),
            # Every list is newest first (``-created_at, -id``): read backwards, this index gives
            # the page without sorting the table (staff API list at 100,000 cases: 120 -> 15 ms).
            models.Index(fields=["created_at", "id"], name="application_created_idx"),
            # Staff lists: priority and innovation first, then newest first.
            models.Index(fields=["priority_rank", "-created_at", "-id"], name="application_staff_order"),
            # The same order within one office: what staff lists read (review.selectors
            # .applications_visible_to scopes staff to their office); it also lists an office's
            # case ids without the table, for the joins of "my work" and the overdue counts.
            models.Index(fields=["office", "priority_rank", "-created_at", "-id"], name="application_office_order"),
            # "My work" reads the priority and innovation cases' stages of a department's pool apart
            # (review.worklist._first_rows): from these few cases, not by joining the whole pool.
            models.Index(fields=["id"], condition=models.Q(pathway__in=["priority", "innovation"]),
                         name="application_priority_pathway"),
            # An industry officer's cases (an office's enterprises of one district or park), which
            # every figure of their dashboard starts from: the ids from the index alone, not a scan
            # of the office's cases (docs/benchmarks.md#officers-dashboard).
            models.Index(fields=["office", "enterprise"], include=["id"], name="application_office_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.product_name}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def is_discarded_draft(self) -> bool:
        """An intent withdrawn before it was ever submitted (``services.drafts.application_discard_draft``)."""
        return self.state == CaseState.WITHDRAWN and self.submitted_on is None

    # --- transitions (pure) ---------------------------------------------------------------
    @transition(field=state, source=CaseState.DRAFT, target=RETURN_VALUE(*PHASE_STATES),
                permission=perms.can_file)
    def submit(self, first_state):
        return first_state

    @transition(field=state, source=list(PHASE_STATES),
                target=RETURN_VALUE(*PHASE_STATES, CaseState.APPROVED))
    def advance(self, next_state):
        """Moves to the state of the next open phase; run as a consequence of a stage action."""
        return next_state

    @transition(field=state, source=list(OPEN_STATES), target=CaseState.WITHDRAWN,
                permission=perms.can_withdraw)
    def withdraw(self):
        pass

    @transition(field=state, source=[CaseState.ACCEPTANCE, CaseState.REVIEW, CaseState.DECISION],
                target=CaseState.REFUSED, permission=perms.can_refuse)
    def refuse(self):
        pass

    @transition(field=state, source=[*PHASE_STATES, CaseState.SUSPENDED],
                target=CaseState.TERMINATED, permission=perms.can_supervise)
    def terminate(self):
        pass

    @transition(field=state, source=list(PHASE_STATES), target=CaseState.SUSPENDED,
                permission=perms.can_supervise)
    def suspend(self):
        self.suspended_from = self.state

    @transition(field=state, source=CaseState.SUSPENDED, target=RETURN_VALUE(*PHASE_STATES),
                permission=perms.can_supervise)
    def resume(self):
        previous, self.suspended_from = self.suspended_from, ""
        return previous


def shown_base():
    """The date "my work" shows for a stage that is not past its statutory limit: the target, else
    the statutory date unless that is only a reference (review.worklist). It does not depend on
    today, so an index orders by it (``stage_pool_due``)."""
    return Coalesce("target_due", models.Case(models.When(statutory_reference=False, then=models.F("statutory_due")),
                                              default=None, output_field=models.DateField()))


def shown_base_of(stage):
    """``shown_base`` for a stage already in memory."""
    if stage.target_due is not None:
        return stage.target_due
    return None if stage.statutory_reference else stage.statutory_due


class Stage(ChoiceLabelsMixin, ThreadSafeFSMMixin, models.Model):
    """One stage of a case, with its two deadlines.

    Clock fields: the budget counts from ``clock_started_on``; ``consumed_days`` were already used
    before that (pauses that continue with the remaining budget). Deadlines are stored so that
    overdue is a fact read from the database, never a scheduled message.
    """

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="stages", verbose_name=_("application")
    )
    kind = models.CharField(_("stage"), max_length=30, choices=StageKind.choices)
    phase = models.PositiveSmallIntegerField(_("phase"))
    state = FSMField(
        _("state"), max_length=12, choices=StageState.choices, default=StageState.PENDING,
        protected=True,
    )
    skip_reason = models.CharField(_("why skipped"), max_length=20, choices=SkipReason.choices, blank=True)
    department = models.ForeignKey(
        "review.Department", null=True, blank=True, on_delete=models.SET_NULL,
        verbose_name=_("department"), related_name="stages",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        verbose_name=_("assignee"), related_name="assigned_stages",
    )
    started_on = models.DateField(_("started"), null=True, blank=True)
    finished_on = models.DateField(_("finished"), null=True, blank=True)
    clock_started_on = models.DateField(null=True, blank=True)
    consumed_days = models.IntegerField(default=0)
    statutory_days = models.PositiveIntegerField(_("statutory limit (WD)"), null=True, blank=True)
    target_days = models.PositiveIntegerField(_("target (WD)"), null=True, blank=True)
    original_statutory_days = models.PositiveIntegerField(null=True, blank=True)
    extension_days = models.PositiveIntegerField(_("extended by (WD)"), default=0)
    warning_days = models.PositiveIntegerField(default=5)
    statutory_reference = models.BooleanField(default=False)
    rule_source = models.CharField(_("source of the limits"), max_length=400, blank=True)
    target_due = models.DateField(_("target date"), null=True, blank=True, db_index=True)
    statutory_due = models.DateField(_("statutory date"), null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField(_("provisional"), default=False)
    manual_start = models.BooleanField(
        default=False, help_text="Copied from the route step: the clock starts on a recorded receipt."
    )
    handover_due = models.DateField(
        _("hand-over due"), null=True, blank=True,
        help_text=_("Order 47 Art. 91: the accepted dossier reaches technical review within 3 working days."),
    )
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    # docs/regulatory-basis.md#o47-91: the technical review's statutory limit counts from the hand-over,
    # at the latest 3 WD after acceptance (Order 47 Arts. 91, 92): the working days from the stage's start
    # to the hand-over are not counted in it (the target still counts from the start). 0 once a fresh
    # budget replaced the first one (after a supplement, Art. 92).
    handover_days = models.PositiveSmallIntegerField(
        _("hand-over days not counted"), default=0,
        help_text=_("Working days from the stage's start to the hand-over to technical review (at most 3, "
                    "Order 47 Art. 91), not counted in the statutory review limit (Art. 92)."),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("opinion or result"), blank=True)
    outcome_reference = models.CharField(_("report or certificate number"), max_length=60, blank=True,
                                         validators=[validate_single_line])
    version = models.PositiveIntegerField(
        default=0, help_text="Bumped by every write of the stage; a stale form is refused with 409."
    )

    objects = StateGuardQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["application_id", "phase", "id"]  # by id: no join of the case table
        constraints = [
            # With the stage's id carried in its index: "the stages of these cases" (an industry
            # officer's district, joined to their pauses) is then read from the index alone
            # (docs/benchmarks.md#officers-dashboard).
            models.UniqueConstraint(fields=["application", "kind"], include=["id"], name="stage_kind_once_per_case"),
        ]
        indexes = [
            models.Index(fields=["state", "target_due"]),
            # "my work" (assigned to me; my department's unassigned) and the dashboard's
            # warning lead times read open stages only; partial indexes keep them small.
            models.Index(fields=["assignee"], condition=models.Q(state__in=["running", "paused"]),
                         name="stage_open_assignee"),
            # With the case's id, so that "my work"'s count of an office's pool reads this index
            # alone (review.worklist.worklist_count; the office is the case's).
            models.Index(fields=["department", "kind"], include=["application"],
                         condition=models.Q(state__in=["running", "paused"], assignee__isnull=True),
                         name="stage_open_unassigned"),
            # "My work" also lists the open phase's stages waiting for a receipt (pending): these
            # keep that OR branch on the few pending rows of one department or assignee.
            models.Index(fields=["department", "kind"],
                         condition=models.Q(state="pending", assignee__isnull=True),
                         name="stage_pending_unassigned"),
            models.Index(fields=["assignee"], condition=models.Q(state="pending"),
                         name="stage_pending_assignee"),
            models.Index(fields=["warning_days"], condition=models.Q(state="running"),
                         name="stage_running_warning"),
            # "My work" reads a department's unassigned running stages group by group, most urgent
            # first (review.worklist._pool_levels): past the statutory limit by that date, past
            # the target by the target, the rest by the date shown (review.worklist.shown_base),
            # each an index range cut at the rows shown instead of a sort of the whole pool.
            models.Index(fields=["department", "statutory_due", "id"],
                         condition=models.Q(state="running", assignee__isnull=True, statutory_reference=False),
                         name="stage_pool_statutory"),
            models.Index(fields=["department", "target_due", "id"],
                         condition=models.Q(state="running", assignee__isnull=True), name="stage_pool_target"),
            models.Index(models.F("department"), shown_base(), models.F("id"),
                         condition=models.Q(state="running", assignee__isnull=True), name="stage_pool_due"),
            # Running stages only, with what "overdue" and the lists' next deadlines read: the
            # overdue filter's count and the per-row deadline subqueries become index-only scans
            # (count at 100,000 cases: 72 -> 16 ms for the stage side).
            models.Index(fields=["application", "target_due", "statutory_due", "statutory_reference"],
                         condition=models.Q(state="running"), name="stage_running_deadlines_idx"),
            # The dashboard's finished stages (stage table, percentile, trend, decided cases) by
            # the period they finished in: with years of history these read the period only.
            models.Index(fields=["finished_on", "kind"], condition=models.Q(state="done"),
                         name="stage_done_finished"),
            # The same, for a few thousand cases (an industry officer's district, an enterprise):
            # each case's stages finished in the period (today's, read from the stages) from the
            # index, not each case's every stage read and filtered.
            models.Index(fields=["application", "finished_on"], condition=models.Q(state="done"),
                         name="stage_done_by_case"),
            # The dashboard's open-stage figures (stage table, workload, overdue list): the open
            # stages with every column they read, so each is an index-only scan of the open set
            # instead of a scan of every stage (docs/dashboard.md#summaries).
            models.Index(fields=["kind"], condition=models.Q(state__in=["running", "paused"]),
                         include=["id", "state", "target_due", "statutory_due", "statutory_reference",
                                  "warning_days", "target_days", "statutory_days", "department",
                                  "application"],
                         name="stage_open_kind_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} {self.get_kind_display()}"

    @property
    def is_final(self) -> bool:
        return self.state in (StageState.DONE, StageState.SKIPPED, StageState.CANCELLED)

    def save(self, *args, **kwargs):
        # Optimistic-locking counter, not domain logic: every write, whichever service made it,
        # makes copies read before it stale.
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = [*kwargs["update_fields"], "version"]
        super().save(*args, **kwargs)

    # --- transitions (pure) ---------------------------------------------------------------
    @transition(field=state, source=StageState.PENDING, target=StageState.RUNNING,
                permission=perms.can_handle_stage)
    def start(self):
        pass

    @transition(field=state, source=StageState.RUNNING, target=StageState.PAUSED,
                permission=perms.can_pause_stage)
    def pause(self):
        pass

    @transition(field=state, source=StageState.PAUSED, target=StageState.RUNNING,
                permission=perms.can_resume_stage)
    def resume(self):
        pass

    @transition(field=state, source=StageState.RUNNING, target=StageState.DONE,
                permission=perms.can_handle_stage)
    def complete(self):
        pass

    @transition(field=state, source=StageState.PENDING, target=StageState.SKIPPED)
    def skip(self):
        pass

    @transition(field=state, source=[StageState.PENDING, StageState.RUNNING, StageState.PAUSED],
                target=StageState.CANCELLED)
    def cancel(self):
        pass


class ClockStop(ChoiceLabelsMixin, models.Model):
    """A pause of one stage's clock (补正, 一次性告知, expert consultation, suspension, ...)."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="clock_stops")
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason.choices)
    note = models.TextField(_("note"), blank=True)
    items = models.JSONField(
        _("items"), default=list, blank=True,
        help_text=_("Supplements and missing items: everything the applicant must provide, in one list."),
    )
    started_on = models.DateField(_("paused on"))
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)
    applicant_deadline = models.DateField(_("applicant's deadline"), null=True, blank=True)
    response = models.TextField(_("applicant's answer"), blank=True)
    # Set only when the applicant's answer (with its documents) closed the pause. A supplement or
    # rectification can also end unanswered: its deadline lapsed (refusal, failed verification)
    # or the case closed (withdrawal, termination); ``ended_on`` alone cannot tell them apart.
    answered = models.BooleanField(
        _("answered"), default=False,
        help_text=_("The applicant's answer closed this request; unanswered when it lapsed or the case closed."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("clock stop")
        verbose_name_plural = _("clock stops")
        ordering = ["stage_id", "started_on", "id"]
        constraints = [
            # At most one open pause per stage: a second would hide the first's end.
            models.UniqueConstraint(
                fields=["stage"], condition=models.Q(ended_on__isnull=True),
                name="one_open_clock_stop_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.get_reason_display()} {self.started_on}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def outcome(self) -> str:
        """How the pause ended: ``open``; ``resumed`` (a staff pause); for the applicant's requests
        ``answered``, ``lapsed`` (ended unanswered after the applicant's deadline: the refusal of
        Order 47 Art. 54, or the failed verification after the six months of rectification) or
        ``closed`` (ended unanswered before it, with the case: withdrawal, termination)."""
        if self.ended_on is None:
            return "open"
        if self.reason not in APPLICANT_SIDE_REASONS:
            return "resumed"
        if self.answered:
            return "answered"
        if self.applicant_deadline and self.ended_on > self.applicant_deadline:
            return "lapsed"
        return "closed"

    @property
    def answered_on(self):
        return self.ended_on if self.answered else None


def extensions_in_force(stage) -> list:
    """The stage's extensions, oldest first, each marked ``applies``: a supplement restarts the
    budget afresh (Order 47 Art. 92) and drops the extensions granted before it, so only the
    newest ones, adding up to ``stage.extension_days``, still apply."""
    extensions = sorted(stage.extensions.all(), key=lambda e: (e.created_at, e.pk))
    left = stage.extension_days or 0
    for ext in reversed(extensions):
        ext.applies = ext.days <= left
        if ext.applies:
            left -= ext.days
    return extensions


class Extension(models.Model):
    """An approved extension of a stage's deadlines (Order 47 Art. 96: at most half the limit)."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="extensions")
    days = models.PositiveIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["stage_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.stage} +{self.days}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise StateWriteError("the transition log is append-only")

    def delete(self):
        raise StateWriteError("the transition log is append-only")


class TransitionLog(ChoiceLabelsMixin, models.Model):
    """Every change of case or stage state and every deadline move: append-only.

    Written in the same transaction as the change. ``save()`` refuses updates, ``delete()`` and
    bulk writes are refused, and on PostgreSQL a trigger refuses UPDATE and DELETE too.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="log")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    action = models.CharField(_("action"), max_length=40, choices=LogAction.choices)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("by"),
    )
    # Set in Python (not auto_now_add) so the hash below covers the value that is stored.
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    for_applicant = models.BooleanField(
        _("shown to the applicant"), default=True,
        help_text=_("Internal notes (reassignments, re-projections) are hidden from the portal."),
    )
    reason_for_applicant = models.BooleanField(
        _("reason shown to the applicant"), default=False, db_default=False,
        help_text=_("Decided when the row is written; staff opinions and notes stay hidden."),
    )

    # The hash chain (review/logchain.py); written once, with the row.
    prev_hash = models.CharField(_("previous row's hash"), max_length=64, blank=True, editable=False,
                                 db_default="")
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False, db_default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_state}→{self.to_state}"

    @property
    def applicant_reason(self) -> str:
        """The free text as the applicant may read it: empty unless it was written for them."""
        return self.reason if self.for_applicant and self.reason_for_applicant else ""

    @property
    def reason_shown(self) -> str:
        """``shown_reason`` (``selectors_cases.case_log``: what this reader may see), with a
        skipped stage's reason in the reader's language: the row holds it in the language of
        whoever submitted the case, and the stage keeps it as a choice."""
        shown = getattr(self, "shown_reason", self.reason)
        if shown and self.action == LogAction.STAGE_SKIP and self.stage_id and self.stage.skip_reason:
            return str(self.stage.get_skip_reason_display())
        return shown

    @property
    def from_label(self):
        return STATE_LABELS.get(self.from_state, self.from_state)

    @property
    def to_label(self):
        return STATE_LABELS.get(self.to_state, self.to_state)

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise StateWriteError("the transition log is append-only")
        with transaction.atomic():
            # The case row lock orders the rows of one case, so two writers cannot both chain
            # onto the same predecessor (workflow commands hold it already; this makes it sure).
            Application.objects.select_for_update().filter(pk=self.application_id).values_list("pk").first()
            self.prev_hash = (TransitionLog.objects.filter(application_id=self.application_id)
                              .order_by("-id").values_list("hash", flat=True).first()) or logchain.GENESIS
            self.at = self.at or timezone.now()
            self.hash = logchain.row_hash(self)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise StateWriteError("the transition log is append-only")
