"""The staff case list (B6, L2): the product column sorts by the product's name, the default order
stays priority and innovation cases first, then the newest; states and dates do not wrap."""

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
