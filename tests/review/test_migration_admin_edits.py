"""Migrations never undo an administrator's work (docs/policy-packs.md#migrations-and-administrators-edits):
an edited pack rule survives `migrate`, the correction coming as a new pack version beside it, and a
retired route keeps its class and type, retired by its ``active`` flag (docs/policy-packs.md#retiring-a-route).

The database is migrated back for real and forward again; other tests' data is restored after."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from review.models import Application, PolicyPack, PolicyRule, Route
from review.selectors import policy_pack_in_force
from tests.conftest import MONDAY

BEFORE_PACK_CORRECTION = ("review", "0005_clocks_by_law")
BEFORE_ROUTE_FLAG = ("review", "0026_drop_stage_overdue_flag")


def _executor():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _migrate(targets):
    _executor().migrate(targets)


def _leaves():
    return _executor().loader.graph.leaf_nodes()


def _historical(target, model):
    """The model as the migrations left it at ``target`` (what the database has then)."""
    return _executor().loader.project_state([target]).apps.get_model("review", model)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_administrators_edit_to_a_pack_rule_survives_migrate():
    cn_rules = PolicyRule.objects.filter(pack__code="cn-statutory").count()
    try:
        _migrate([BEFORE_PACK_CORRECTION])
        # An administrator shortens Chongqing's technical-review target (40 working days, the
        # correction's figure) to 35, with the columns the database has before the correction.
        HistoricalRule = _historical(BEFORE_PACK_CORRECTION, "PolicyRule")
        edited = HistoricalRule.objects.get(pack__code="cq-2025", stage_kind="technical_review", pathway="")
        assert edited.target_days == 40
        edited.target_days = 35
        edited.save(update_fields=["target_days"])

        _migrate(_leaves())

        rule = PolicyRule.objects.get(pk=edited.pk)  # the same row, not a re-created one
        assert (rule.pack.code, rule.target_days) == ("cq-2025", 35)
        assert not rule.pack.active  # kept whole, no longer chosen for new cases
        correction = PolicyPack.objects.get(code="cq-2025-v2")
        assert (correction.jurisdiction, correction.version, correction.active) == ("CQ", 2, True)
        assert correction.rules.get(stage_kind="technical_review", pathway="").target_days == 40
        assert policy_pack_in_force(MONDAY, "CQ") == correction
        # A pack nobody edited is not duplicated: it is the correction itself.
        assert not PolicyPack.objects.filter(code__startswith="cn-statutory-").exists()
        assert PolicyRule.objects.filter(pack__code="cn-statutory").count() == cn_rules
    finally:
        _migrate(_leaves())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_route_retired_by_rewriting_gets_its_class_back_and_is_retired_by_its_flag():
    """Migration 0006 once made a route in use unchoosable by giving it an impossible class and
    type (III, licence); 0027 restores what 0002 shipped and turns ``active`` off instead."""
    try:
        _migrate([BEFORE_ROUTE_FLAG])
        _historical(BEFORE_ROUTE_FLAG, "Route").objects.create(
            code="III-provincial", name="第三类注册（省局环节）（已停用）", device_class="III",
            application_type="licence")

        _migrate(_leaves())

        route = Route.objects.get(code="III-provincial")
        assert (route.name, route.device_class, route.application_type, route.active) == (
            "第三类注册（省局环节）", "III", "", False)
    finally:
        _migrate(_leaves())


@pytest.mark.django_db
def test_an_inactive_route_is_never_chosen_and_the_admin_shows_it(users, make_application):
    # Sorted before "II-first" and as specific, so it would be chosen if it were active.
    retired = Route.objects.create(code="A-II-first", name="第二类首次注册（旧）", device_class="II",
                                   application_type="first", active=False)
    assert make_application(device_class="II", application_type="first").route.code == "II-first"
    retired.active = True
    retired.save(update_fields=["active"])
    assert make_application(device_class="II", application_type="first").route == retired
    assert Application.objects.filter(route=retired).count() == 1
    retired.active = False
    retired.save(update_fields=["active"])

    client = Client()
    client.force_login(users.sysadmin)
    page = client.get("/admin/review/route/?active__exact=0").content.decode()
    assert "第二类首次注册（旧）" in page and "第二类首次注册<" not in page
    assert 'href="?active__exact=1"' in page  # the filter by the flag
