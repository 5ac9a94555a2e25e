"""threaded servers (gunicorn --threads, make demo's threaded runserver).

20 concurrent submits gave 500s ("Direct state modification is not allowed"): django-fsm-2's
``FSMModelMixin.refresh_from_db`` switches the *field's* ``protected`` flag off and on around the
reload, and the field is shared by every instance in every thread, so one thread switched the
protection back on in the middle of another's reload (and, for that moment, off for everyone).
``review.models.fsm.ThreadSafeFSMMixin`` reloads without touching the shared field.
"""

import pytest

from review.models import Application, TransitionLog
from services import workflow
from tests.conftest import MONDAY
from tests.services.test_workflow_concurrency import postgresql_only, race, threaded_db


@postgresql_only
@threaded_db
def test_twenty_concurrent_submits_under_threads_all_succeed(users, make_application):
    drafts = [make_application(product_name=f"并发提交 {i}") for i in range(20)]
    results = race(*[
        (lambda app=app: workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY))
        for app in drafts])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert set(Application.objects.filter(pk__in=[a.pk for a in drafts]).values_list("state", flat=True)) \
        == {"acceptance"}
    assert TransitionLog.objects.filter(application__in=drafts, action="submit").count() == 20


@postgresql_only
@threaded_db
def test_twenty_threads_reloading_cases_never_trip_over_each_other(users, make_application):
    """The reload every command ends with (``locked_case``), 200 times in each of 20 threads."""
    apps = [make_application(product_name=f"并发刷新 {i}") for i in range(20)]

    def reload(app):
        for _ in range(200):
            app.refresh_from_db()
        return app.state

    results = race(*[(lambda app=app: reload(app)) for app in apps])
    assert results == ["draft"] * 20, [r for r in results if isinstance(r, BaseException)][:3]


@pytest.mark.django_db
def test_a_failed_reload_leaves_the_state_protected(users, make_application):
    """A reload that raises (the row is gone) used to leave the protection off for the process."""
    app = make_application()
    gone = Application(pk=app.pk + 10_000)
    with pytest.raises(Application.DoesNotExist):
        gone.refresh_from_db()
    with pytest.raises(AttributeError):
        app.state = "approved"
