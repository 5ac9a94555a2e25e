"""The staff case list (B6, L2): the product column sorts by the product's name, the default order
stays priority and innovation cases first, then the newest; states and dates do not wrap."""

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _order(page: str, names) -> list[str]:
    return sorted(names, key=page.index)


def test_product_column_sorts_by_product_name(users, make_application):
    names = ["Charlie infusion set", "Alpha syringe", "Bravo catheter"]
    make_application(product_name=names[0])
    make_application(product_name=names[1], pathway="priority")
    make_application(product_name=names[2])
    url = reverse("admin:review_application_changelist")
    client = _client(users.supervisor)
    default = client.get(url).content.decode()
    # Default: the priority case first, then the newest first.
    assert _order(default, names) == ["Alpha syringe", "Bravo catheter", "Charlie infusion set"]
    column = list(client.get(url).context["cl"].list_display).index("product_display")
    by_name = client.get(url, {"o": str(column)}).content.decode()
    assert _order(by_name, names) == sorted(names)
    reverse_name = client.get(url, {"o": f"-{column}"}).content.decode()
    assert _order(reverse_name, names) == sorted(names, reverse=True)


def test_states_and_dates_do_not_wrap(users, make_application):
    """L2: at 1366 px the state column showed "已中｜止" and the stage table "2026-08-｜28"."""
    from services import workflow
    from tests.conftest import MONDAY

    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    css = open(finders.find("staff/admin.css"), encoding="utf-8").read()
    assert "td.field-state_display" in css and ".case-table .day, #result_list .day { white-space: nowrap; }" in css
    client = _client(users.supervisor)
    assert "staff/admin.css" in client.get(reverse("admin:review_application_changelist")).content.decode()
    page = client.get(reverse("admin:review_application_change", args=[app.pk])).content.decode()
    assert "staff/admin.css" in page
    assert f'<span class="day">{MONDAY:%Y-%m-%d}</span>' in page


def test_a_users_name_and_login_in_the_readers_brackets(users):
    from django.utils import translation

    users.supervisor.first_name, users.supervisor.last_name = "洋", "刘"
    with translation.override("zh-hans"):
        assert str(users.supervisor) == f"{users.supervisor.get_full_name()}（{users.supervisor.username}）"
    with translation.override("en"):
        assert str(users.supervisor) == f"{users.supervisor.get_full_name()} ({users.supervisor.username})"
