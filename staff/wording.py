"""Django admin strings whose Simplified Chinese in Django's own catalogue reads wrong or is missing.

Listed here with ``gettext_noop`` only so that ``makemessages`` keeps them in this project's
catalogue (locale/zh_Hans), which Django reads before its own: the filter headings read "以 状态"
("by way of state") instead of "按状态", "None available" reads "无可选的", and the column
headings that screen readers announce on the admin index ("Model name", "Add link", ...) have no
Chinese at all, and a form label's suffix stays the ASCII colon ("编号:") instead of "：".
Nothing imports the names; the strings are the point.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_WORDING = [
    gettext_noop(":"),  # forms' label_suffix, site-wide
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("None available"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]

# django-axes ships no Simplified Chinese: its models and the columns of its admin lists.
AXES_WORDING = [
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"), gettext_noop("Path"),
    gettext_noop("Attempt Time"), gettext_noop("Failed Logins"), gettext_noop("Logout Time"),
    gettext_noop("Access lock out"), gettext_noop("Expires At"),
]
