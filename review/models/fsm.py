"""django-fsm-2's protected state field, made safe under threads.

``django_fsm.FSMModelMixin.refresh_from_db`` (django-fsm-2 4.2.4) lets Django's reload write the
protected field by setting ``field.protected = False`` and back to ``True`` around it. The field
object belongs to the model class, shared by every instance in every thread of the process, so:

- a thread that switches the flag back on while another is still reloading makes that reload
  raise ``AttributeError: Direct state modification is not allowed`` (20 concurrent submits under
  ``gunicorn --threads`` gave 500s);
- while the flag is off, any code in any thread may assign the state directly, bypassing the
  transitions;
- a reload that raises (the row was deleted) leaves the flag off for the life of the process.

The descriptor refuses an assignment only when the instance already holds a value
(``field.name in instance.__dict__``), so the reload here takes the instance's own state out of
its ``__dict__`` first and lets Django set it like a fresh load: nothing shared is touched. Not
reported upstream as a thread-safety issue at the time of writing (docs/security.md#threads).
"""

from __future__ import annotations

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


class ThreadSafeFSMMixin(ConcurrentTransitionMixin):
    _RELOADING = "_fsm_reloading"  # per instance: the protected values taken out for a reload

    def get_deferred_fields(self):
        # A state taken out for the reload is not "deferred": Django reloads it with the rest.
        return super().get_deferred_fields() - self.__dict__.get(self._RELOADING, set())

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        names = {f.name for f in self._meta.concrete_fields if isinstance(f, FSMFieldMixin) and f.protected}
        # Every protected value comes out, even when ``fields`` leaves it out: loading the other
        # fields builds an instance whose own bookkeeping loads the state, and Django then copies it.
        held = {name: self.__dict__.pop(name) for name in names if name in self.__dict__}
        self.__dict__[self._RELOADING] = set(held)
        try:
            # Django's own reload, skipping FSMModelMixin's flag switching (ConcurrentTransitionMixin's
            # bookkeeping of the state it last read is done below, as its refresh_from_db does).
            models.Model.refresh_from_db(self, using=using, fields=fields, from_queryset=from_queryset)
        finally:
            del self.__dict__[self._RELOADING]
            for name, value in held.items():  # what the reload did not set keeps its value
                self.__dict__.setdefault(name, value)
        self._update_initial_state()
