"""The change history in the reader's language.

Django stores a change's field names untranslated and translates them when the history is shown
(``LogEntry.get_change_message``). What it stores is the form field's label, ``capfirst`` of the
model field's verbose name ("Name"), which is not the message id the translations carry ("name"):
the Chinese history showed English field names, or the first catalogue's guess ("Name" is
django-celery-beat's "任务名"). This stores the verbose name itself, so "名称" is shown.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.text import capfirst


def _verbose_names(form) -> dict[str, str]:
    """Each field's stored label mapped to its model field's verbose name (both untranslated);
    a label of the form's own (not derived from the model) is its own message id and stays."""
    names = {}
    model = form._meta.model
    for name, field in form.fields.items():
        try:
            verbose = str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
        label = str(field.label or name)
        if label == capfirst(verbose):
            names[label] = verbose
    return names


class HistoryInReadersLanguage:
    """ModelAdmin mixin: field names in the change history are translated when shown."""

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        with translation.override(None):
            forms = [form, *(formset.forms[0] for formset in formsets or () if formset.forms)]
            names = {}
            for each in forms:
                names.update(_verbose_names(each))
        for entry in message:
            changed = entry.get("changed")
            if changed and "fields" in changed:
                changed["fields"] = [names.get(label, label) for label in changed["fields"]]
        # An inline object's name as the one who changed it reads it ("cn-statutory: 受理", not
        # "...: Acceptance"), as Django stores the changed object's own name (object_repr).
        inline_objects = [obj for formset in formsets or () for obj in (
            *formset.new_objects, *(o for o, _fields in formset.changed_objects), *formset.deleted_objects)]
        inline_entries = [next(iter(entry.values())) for entry in message
                          if "object" in next(iter(entry.values()), {})]
        # Built in the same order as Django builds its entries; never fail a save over a name.
        for entry, obj in zip(inline_entries, inline_objects, strict=False):
            entry["object"] = str(obj)
        return message
