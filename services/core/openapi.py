"""What each route's OpenAPI operation says about its request, taken from the message the
endpoint declares with `accepts`: the one the guard parses and the endpoint executes.

MLflow's wire rule decides where a message lives: GET carries it as query parameters (a list
field as the key repeated), every other method as a JSON body. Endpoints read a raw Request,
so without this FastAPI would describe no request at all, and a fuzzer would have nothing
to aim at.
"""

from typing import Any

from fastapi.routing import APIRoute

from services.core.http import JSON_MEDIA_TYPE, declared_message

Schema = dict[str, Any]
_DEFS_PREFIX = "#/$defs/"


def inline_definitions(schema: Schema) -> Schema:
    """Pydantic's schema with every `$ref` to its own `$defs` replaced by the definition.

    Inside an OpenAPI document `#/$defs/...` would resolve against the document's root, not
    the schema's, so the references cannot stay. A recursive model cannot be inlined; none
    exists, and one would fail here, at startup, rather than give a broken document."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any, expanding: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [resolve(item, expanding) for item in node]
        if not isinstance(node, dict):
            return node
        resolved = {
            key: resolve(value, expanding)
            for key, value in node.items()
            if key not in ("$ref", "$defs")
        }
        reference = node.get("$ref")
        if reference is None:
            return resolved
        name = reference.removeprefix(_DEFS_PREFIX)
        if name in expanding or name not in definitions:
            raise TypeError(f"cannot inline {reference!r} in a request schema")
        # Keywords beside a $ref (a default, a description) refine the definition.
        return {**resolve(definitions[name], expanding | {name}), **resolved}

    inlined: Schema = resolve(schema, frozenset())
    return inlined


def _query_value_schema(schema: Schema) -> Schema:
    """A query string cannot carry null: an absent parameter is how a field is left unset,
    so `X | None` is declared as X."""
    options = [option for option in schema.get("anyOf", ()) if option != {"type": "null"}]
    plain = {key: value for key, value in schema.items() if key != "anyOf"}
    if "anyOf" not in schema:
        return plain
    if len(options) == 1:
        return {**plain, **options[0]}
    return {**plain, "anyOf": options}


def _query_parameters(schema: Schema) -> list[Schema]:
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        value = _query_value_schema(field)
        parameter: Schema = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": value,
        }
        if value.get("type") == "array":
            parameter.update(style="form", explode=True)  # ?run_ids=a&run_ids=b
        parameters.append(parameter)
    return parameters


def _request_body(schema: Schema) -> Schema:
    # An empty body is read as the empty message, so a body is only needed when the
    # message has required fields.
    return {
        "required": bool(schema.get("required")),
        "content": {JSON_MEDIA_TYPE: {"schema": schema}},
    }


def _undeclared_path_parameters(route: APIRoute) -> list[Schema]:
    """Path parameters an endpoint reads from `request.path_params` rather than its
    signature: FastAPI only declares the latter, and OpenAPI requires every one."""
    declared = {field.alias for field in route.dependant.path_params}
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.param_convertors
        if name not in declared
    ]


def request_openapi(route: APIRoute, method: str) -> Schema:
    """The `openapi_extra` of one (route, method): its path parameters, and its message as
    query parameters (GET) or a JSON body (any other method)."""
    extra: Schema = {}
    parameters = _undeclared_path_parameters(route)
    model = declared_message(route.endpoint)
    if model is not None:
        schema = inline_definitions(model.model_json_schema(mode="validation"))
        if method == "GET":
            parameters += _query_parameters(schema)
        else:
            extra["requestBody"] = _request_body(schema)
    if parameters:
        extra["parameters"] = parameters
    return extra
