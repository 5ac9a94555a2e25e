"""The API's parsers: a body that cannot be read is a 400 saying where and what to send, in the
caller's language.

Python's ``json`` decoder recurses once per nesting level; ``[[[[…]]]]`` a few thousand deep
raised ``RecursionError`` inside DRF's parser, which is not a ``ParseError``, so the request
ended in a 500. No request of this API nests more than a few levels.

DRF's own messages are English whatever the caller's language ("JSON parse error - Expecting
property name enclosed in double quotes: line 1 column 2 (char 1)"); the code stays
``parse_error`` (documented in docs/api.md), the text says the line and column in words. (A
multipart body DRF cannot read is reworded in ``errors.exception_handler``: the parser is
DRF's, in the settings and the answer view alike.)
"""

import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from review.exceptions import InvalidInput
from review.validators import nul_in
from web.input_guard import nul_message


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = self._parse(stream, media_type, parser_context)
        field = nul_in(data)  # "\u0000" in JSON: the middleware's rule, for the parsed body
        if field is not None:
            raise InvalidInput(nul_message(field), {"field": field})
        return data

    def _parse(self, stream, media_type, parser_context):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON body: nested too deeply; send a flat object of the documented "
                               "fields.")) from None
        except ParseError as exc:
            cause = exc.__context__  # DRF re-raises the decoder's ValueError as ParseError
            if isinstance(cause, json.JSONDecodeError):
                message = _("JSON body: not valid JSON at line %(line)d, column %(column)d; send one JSON "
                            "object of the documented fields, names and strings in double quotes, e.g. "
                            "{\"version\": 3}.") % {"line": cause.lineno, "column": cause.colno}
            elif isinstance(cause, UnicodeDecodeError):
                message = _("JSON body: not UTF-8 text; send the body encoded as UTF-8.")
            else:  # NaN or Infinity, which JSON does not have
                message = _("JSON body: not valid JSON (NaN and Infinity are not numbers in JSON); send "
                            "one JSON object of the documented fields.")
            raise ParseError(message) from None

