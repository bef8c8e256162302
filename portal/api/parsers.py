"""The API's parsers. Bodies are JSON (``DepthLimitedJSONParser``: the standard parser,
refusing a body nested deeper than a field client ever sends, since thousands of levels
would exhaust the interpreter's recursion limit in the parser or in a serializer, and a
body that is not an object or a list); the operations that take a file also take a
multipart upload (``UPLOAD_PARSERS``)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

#: The deepest nesting of arrays and objects a request body may have. The deepest body
#: the API takes is a bulk import (an object holding a list of rows, each an object).
DEFAULT_MAX_DEPTH = 20


def json_depth(value) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar is depth 0),
    computed without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """``application/json`` with a limit on nesting (``API_JSON_MAX_DEPTH``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        max_depth = getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - the body nests deeper than {max_depth} levels.") from None
        except (OverflowError, MemoryError) as exc:  # e.g. an integer literal too long to read
            raise ParseError(f"JSON parse error - {type(exc).__name__}.") from None
        if not isinstance(data, (dict, list)):
            raise ParseError("JSON parse error - the body is a JSON object (or, for a bulk import, a list).")
        if json_depth(data) > max_depth:
            raise ParseError(f"JSON parse error - the body nests deeper than {max_depth} levels.")
        return data


#: The parsers of the operations that take a file (bulk imports, documents): JSON or a
#: multipart upload. Every other operation takes JSON only (``DEFAULT_PARSER_CLASSES``).
UPLOAD_PARSERS = [DepthLimitedJSONParser, MultiPartParser]
