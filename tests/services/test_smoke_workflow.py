from services import workflow
from tests.conftest import MONDAY


def test_class_ii_first_registration_runs_to_approved(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    assert app.state == "acceptance"
    workflow.stage_complete(stage=app.stages.get(kind="acceptance"), actor=users.acceptance,
                            outcome="accepted", today=MONDAY)
    assert app.state == "review"
