"""Django's own "Change" (the admin's links to edit a record) reads 修改 in Chinese; the language
switch's button, a different word in English too, has its own context and reads 切换."""

import re

from django.test import Client


def test_the_admin_says_xiugai_for_change(users):
    client = Client()
    client.force_login(users.sysadmin)
    html = client.get("/admin/").content.decode()
    links = re.findall(r'class="changelink"[^>]*>([^<]*)</a>', html)
    assert links and set(links) == {"修改"}, links
    assert '<input type="submit" value="切换">' in html  # the language switch without JavaScript
