"""The API's JSON parser: a body nested too deeply to decode is a 400, not a crash.

Python's ``json`` decoder recurses once per nesting level; ``[[[[…]]]]`` a few thousand deep
raised ``RecursionError`` inside DRF's parser, which is not a ``ParseError``, so the request
ended in a 500. No request of this API nests more than a few levels.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON body: nested too deeply; send a flat object of the documented "
                               "fields.")) from None
