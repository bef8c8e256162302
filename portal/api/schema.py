"""OpenAPI description of the portal's token authentication (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token-based authentication: `Authorization: Token <key>`.",
        }


# The error answers every operation may give (docs/api.md, "Errors"), as shared components.
ERROR_COMPONENTS = {
    "ValidationError": {
        "type": "object",
        "description": "Field name (or `non_field_errors`, or `detail` for a body that cannot be read) "
        "to its messages.",
        "additionalProperties": {},
    },
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
}

_ERROR_RESPONSES = {
    "400": ("ValidationError", "Invalid input: each field with its messages."),
    "401": ("ErrorDetail", "No valid credentials (a missing, unknown, expired or revoked token)."),
    "403": ("ErrorDetail", "The caller's role may not do this."),
    "404": ("ErrorDetail", "Not found, or outside the caller's scope."),
    "409": ("ErrorDetail", "The record's state does not allow this action."),
    "415": ("ErrorDetail", "The body's media type is not one the operation takes."),
    "429": ("ErrorDetail", "Throttled: try again after `Retry-After` seconds."),
}

_SAFE_METHODS = {"get", "head", "options", "trace"}


def _error_response(status: str) -> dict:
    component, description = _ERROR_RESPONSES[status]
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }
    if status == "429":
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
        }
    return response


def declare_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: declares on every operation the error
    statuses it can answer (400, 401, 403, 404, 429; 409 on writes; 415 where it takes a
    body), so that a client, and schemathesis, know every status the server may send."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_COMPONENTS.items():
        schemas.setdefault(name, schema)
    # Request bodies take their declared fields only (portal/api/strict.py refuses others).
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["400", "401", "403", "404", "429"]
            if method not in _SAFE_METHODS:
                statuses.append("409")
            if "requestBody" in operation:
                statuses.append("415")
            for status in statuses:
                operation["responses"].setdefault(status, _error_response(status))
    return result
