"""``get_FOO_display`` without translating every choice on every call.

Django's ``Model._get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` on each
call, and hashing a lazy label translates it: a stage kind's label cost the translation of all
13 kinds. The API detail called it about 30 times a request (a sixth of its time, profiled at
100,000 cases; docs/benchmarks.md). Here each field's value-to-label table is built once per
process, labels left lazy, and only the label shown is translated, in the request's language.
"""

from __future__ import annotations

from django.utils.encoding import force_str


class ChoiceLabelsMixin:
    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_choice_labels")
        if labels is None:
            labels = field._choice_labels = dict(field.flatchoices)
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
