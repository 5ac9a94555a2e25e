"""The admin's change history names fields in the reader's language (staff/history.py):
Django stored "Name" and the Chinese history showed "任务名" (another catalogue's translation)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import translation

from review.models import Department, Enterprise, PolicyPack

pytestmark = pytest.mark.django_db


def _post_changed(client, url, **changes):
    """Post the admin's change form as it was shown, with ``changes`` applied to the main form
    and, given as ``prefix-N-field``, to its inlines."""
    page = client.get(url)
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = list(value)
            elif value is not None:
                data[form.add_prefix(name)] = value
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return LogEntry.objects.latest("action_time")


def _shown(entry, language):
    with translation.override(language):
        return entry.get_change_message()


def test_history_names_the_changed_fields_in_chinese(users):
    client = Client()
    client.force_login(users.sysadmin)
    enterprise = Enterprise.objects.get(pk=users.enterprise_obj.pk)
    entry = _post_changed(client, f"/admin/review/enterprise/{enterprise.pk}/change/",
                          name="重庆改名医疗器械有限公司", contact_email="new@example.com")
    assert _shown(entry, "zh-hans") == "已修改名称 和 联系邮箱。"  # Django's own "和", spaced
    assert _shown(entry, "en") == "Changed name and contact email."

    department = Department.objects.first()
    entry = _post_changed(client, f"/admin/review/department/{department.pk}/change/", name="审评一处")
    assert _shown(entry, "zh-hans") == "已修改名称。"


def test_history_names_an_inline_rules_fields_in_chinese(users):
    client = Client()
    client.force_login(users.sysadmin)
    pack = PolicyPack.objects.get(code="cn-statutory")
    assert not pack.rules.filter(warning_days=3).exists()
    entry = _post_changed(client, f"/admin/review/policypack/{pack.pk}/change/", **{"rules-0-warning_days": "3"})
    rule = pack.rules.get(warning_days=3)
    with translation.override("zh-hans"):
        kind = rule.get_stage_kind_display()
    assert _shown(entry, "zh-hans") == f"修改了 政策规则“cn-statutory: {kind}”的 预警提前量（工作日）。"
