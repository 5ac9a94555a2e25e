"""The core every workflow command is built on: lock, conflict check, permission, transition, log.

Every command has one shape (Zulip's ``do_*`` actions): open a transaction, lock the case row,
refuse a stale caller (``Conflict``), check the permission for that transition on that object
(django-fsm never does it for you), run the pure transition, save with ``update_fields``, write
the log row in the same transaction, and leave side effects to ``transaction.on_commit``.

The case is the unit of locking: stage commands lock their application too, so the join of a
parallel phase cannot be raced by two branches finishing at once.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from notifications.emails import case_event_queue
from review.exceptions import Conflict, InvalidInput, NotAllowedNow, PermissionDenied
from review.models import Application, Stage, TransitionLog
from services.workflow import visibility


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


@contextmanager
def locked_case(application: Application, *, expected_version: int | None = None, check: bool = True):
    """Lock the case row for the transaction; refuse a caller whose copy is stale."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        seen = application.version if expected_version is None else expected_version
        if check and locked.version != seen:
            raise Conflict(
                _("Case %(ref)s was changed by someone else since you opened it (it is now “%(state)s”). "
                  "Reload the page and try again.")
                % {"ref": locked.reference, "state": locked.get_state_display()},
                {"version": locked.version},
            )
        yield locked
        # Hand the fresh values back to the caller's instance, so it is not stale itself.
        application.refresh_from_db()


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def check(obj, name: str, actor, *, what: str) -> None:
    """409 when the transition is not possible now, 403 when this actor may not run it."""
    bound = getattr(obj, name)
    if not can_proceed(bound):
        raise NotAllowedNow(
            _("%(what)s is not possible while it is “%(state)s”.")
            % {"what": what, "state": obj.get_state_display()}
        )
    if actor is not None:
        require(
            has_transition_perm(bound, actor),
            _("You are not permitted to do this: %(what)s.") % {"what": what},
        )


def transition(obj, name: str, actor, *args, what: str):
    """Run a named transition after ``check``; ``actor=None`` for consequences of a checked one."""
    check(obj, name, actor, what=what)
    bound = getattr(obj, name)
    before = obj.state
    try:
        bound(*args)
    except TransitionNotAllowed as exc:  # a condition turned false between check and call
        raise NotAllowedNow(str(exc)) from exc
    return before


def log(application, *, action: str, actor, stage=None, from_state="", to_state="",
         reason="", details=None, for_applicant=True, reason_for_applicant=None) -> TransitionLog:
    """Append the row; whether the applicant may read its ``reason`` is decided here, once
    (``services.workflow.visibility``: hidden unless a rule shows it), and stored on the row."""
    if reason_for_applicant is None:
        reason_for_applicant = visibility.reason_for_applicant(action)
    if actor is None:  # every row names who acted; for jobs and commands: services.actors.system_actor()
        raise ValueError("a log row needs its actor")
    entry = TransitionLog.objects.create(
        application=application, stage=stage, action=action, from_state=from_state,
        to_state=to_state, actor=actor, reason=reason, details=details or {},
        for_applicant=for_applicant, reason_for_applicant=bool(for_applicant and reason_for_applicant),
    )
    if for_applicant:
        # The enterprise's e-mail goes into the outbox in this same transaction; it is sent
        # after commit (notifications.emails), so a broker or mail outage never fails this.
        case_event_queue(application, entry)
    return entry


def bump(application: Application, *fields: str) -> None:
    application.version += 1
    application.save(update_fields=["state", "version", "updated_at", *fields])


@contextmanager
def locked_stage(stage: Stage, *, expected_version: int | None = None):
    """Lock the stage's case and yield (case, fresh stage); refuse a caller whose stage is stale.

    Staleness is judged on the stage, not the case: the reviewer's form for the technical review
    stays valid when the inspector finishes the parallel QMS verification, but not when someone
    else acted on the same stage (or a suspension or withdrawal touched it).
    """
    with locked_case(stage.application, check=False) as app:
        try:
            fresh = app.stages.get(pk=stage.pk)
        except Stage.DoesNotExist:
            raise InvalidInput(_("This stage does not belong to case %(ref)s.")
                               % {"ref": app.reference}) from None
        seen = stage.version if expected_version is None else expected_version
        if fresh.version != seen:
            raise Conflict(
                _("%(stage)s of case %(ref)s was changed by someone else since you opened it (it is "
                  "now “%(state)s”). Reload the page and try again.")
                % {"stage": fresh.get_kind_display(), "ref": app.reference,
                   "state": fresh.get_state_display()},
                {"version": fresh.version},
            )
        # One state check for every stage command, before its own (the hand-over was
        # recorded on approved and refused cases): nothing acts on a closed case or a finished stage.
        if app.is_closed:
            raise NotAllowedNow(_("Case %(ref)s is closed (“%(state)s”): nothing more can be recorded on it.")
                                % {"ref": app.reference, "state": app.get_state_display()})
        if fresh.is_final:
            raise NotAllowedNow(_("%(stage)s of case %(ref)s is finished (“%(state)s”): nothing more can be "
                                  "recorded on it.") % {"stage": fresh.get_kind_display(), "ref": app.reference,
                                                        "state": fresh.get_state_display()})
        yield app, fresh
    stage.refresh_from_db()




def deadline_details(stage: Stage) -> dict:
    return {
        "target_due": stage.target_due.isoformat() if stage.target_due else None,
        "statutory_due": stage.statutory_due.isoformat() if stage.statutory_due else None,
        "provisional": stage.deadline_provisional,
    }


