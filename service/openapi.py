"""The OpenAPI document at /schema: the error responses of each operation and the bodies' real constraints.

Handlers declare their error statuses with :func:`errors`. Litestar's generator loses some of pydantic's
constraints (a pattern inside ``X | None``, ``extra="forbid"``, ``json_schema_extra``), so the rendered
document takes each body model's schema from pydantic itself (:func:`describe_api`), and the item
operations, whose body depends on the section, are listed once per section with that section's item model.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import OpenAPIMediaType, Operation, Reference, RequestBody
from pydantic import BaseModel

from knowledge_base.models import ITEM_ID_PATTERN, ITEM_MODELS, KB_ID_PATTERN
from service.errors import ErrorBody
from service.kb_admin.schemas import Section

REF = "#/components/schemas/{model}"

ERROR_DESCRIPTIONS = {
    400: "The request is malformed: `extra` lists the fields (`body` when the body cannot be decoded).",
    401: "No API key, or an unknown one (only when the server has keys).",
    403: "The key's role does not allow this.",
    404: "No such knowledge base, item, job or key.",
    409: "Conflicts with what is stored: an id in use, a stale `expected_version`, a job not finished.",
    413: "The body is larger than this endpoint takes.",
    422: "The content does not validate (duplicate ids, periods out of order, ...): `extra` lists the fields.",
    429: "The key's rate limit is exceeded; retry after `Retry-After` seconds.",
    503: "The request ran past its time limit, or the store cannot be reached; retry after `Retry-After` seconds.",
}
# Any API call can be turned away by the auth middleware, the rate limit, the timeout or an unreachable store.
ALWAYS = (401, 429, 503)
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}

# Constraints Litestar leaves out of the document (a pattern or bound on an optional parameter is dropped).
PARAMETER_CONSTRAINTS: dict[tuple[str, str], dict[str, Any]] = {
    ("path", "kb_id"): {"pattern": KB_ID_PATTERN},
    ("path", "item_id"): {"pattern": ITEM_ID_PATTERN},
    ("query", "expected_version"): {"minimum": 0},
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "An API key as `Authorization: Bearer <key>`."},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An API key."},
}
# A server without keys takes every call as the local admin, hence the empty alternative: no credentials.
API_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}, {}]


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """The error responses of an API operation: ``codes`` plus 401, 429 and 503, each with the error body."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=ERROR_DESCRIPTIONS[code], generate_examples=False)
        for code in sorted({*codes, *ALWAYS})
    }


def bodies(
    request: Mapping[str, type[BaseModel]] | None = None, ok: Mapping[str, type[BaseModel]] | None = None
) -> type[Operation]:
    """An operation class for a handler that reads or writes its body itself: ``request`` is the request body
    and ``ok`` the success response, each by media type."""

    def content(models: Mapping[str, type[BaseModel]]) -> dict[str, OpenAPIMediaType]:
        return {
            media: OpenAPIMediaType(schema=Reference(ref=REF.format(model=m.__name__))) for media, m in models.items()
        }

    @dataclass
    class WithBodies(Operation):
        def __post_init__(self) -> None:
            if request:
                self.request_body = RequestBody(content=content(request), required=True)
            success = next((code for code in self.responses or {} if code.startswith("2")), None)
            if ok and self.responses and success:
                response = self.responses[success]
                if not isinstance(response, Reference):
                    response.content = content(ok)

    return WithBodies


def _models() -> dict[str, type[BaseModel]]:
    """The service's pydantic models by class name (names used twice are left to Litestar's schema)."""
    found: dict[str, list[type[BaseModel]]] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith(("service.", "knowledge_base.")) and model not in found.get(model.__name__, []):
            found.setdefault(model.__name__, []).append(model)
    return {name: models[0] for name, models in found.items() if len(models) == 1}


def _component_schemas(names: list[str]) -> dict[str, Any]:
    models = _models()
    schemas: dict[str, Any] = {}
    for name in names:
        model = models.get(name)
        if model is None:
            continue
        schema = model.model_json_schema(ref_template=REF)
        for def_name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(def_name, definition)
        schemas[name] = schema
    return schemas


def _without_id(schema: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(schema)
    body["properties"].pop("id", None)
    body["required"] = [name for name in body.get("required", []) if name != "id"]
    body["description"] = (body.get("description") or "") + " The id is the URL's; a body may repeat it."
    return body


def _per_section(path: str, item: dict[str, Any], components: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A path with ``{section}`` as one path per section, whose bodies are that section's item model."""
    for section in Section:
        model = ITEM_MODELS[section.kind].__name__
        ref = {"$ref": REF.format(model=model)}
        concrete = copy.deepcopy(item)
        for method, operation in concrete.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["parameters"] = [p for p in operation.get("parameters", []) if p["name"] != "section"]
            operation["operationId"] = f"{operation['operationId']}{model}"
            operation["summary"] = f"{operation.get('summary', '')} ({section.value})"
            if "requestBody" in operation:
                schema = ref if method == "post" else _without_id(components[model])
                operation["requestBody"]["content"]["application/json"]["schema"] = schema
            ok = operation["responses"].get("200", {}).get("content", {}).get("application/json")
            if ok is not None and method == "get":
                ok["schema"] = {"type": "array", "items": ref} if path.endswith("{section}") else ref
        yield path.replace("{section}", section.value), concrete


def _operations(paths: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in paths.items():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, operation


def _constrain_parameters(paths: dict[str, Any]) -> None:
    for _, operation in _operations(paths):
        for parameter in operation.get("parameters", []):
            constraints = PARAMETER_CONSTRAINTS.get((parameter["in"], parameter["name"]), {})
            parameter["schema"] = {**parameter["schema"], **constraints}


def _referenced(document: dict[str, Any]) -> set[str]:
    return set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))


def describe_api(document: dict[str, Any]) -> dict[str, Any]:
    """The document Litestar generated, with pydantic's schemas for the models and one path per item section."""
    described = copy.deepcopy(document)
    components = described.setdefault("components", {}).setdefault("schemas", {})
    components.update(_component_schemas([*components, ErrorBody.__name__]))
    while missing := _referenced(described) - set(components):
        added = _component_schemas(sorted(missing))
        if not added:
            break
        components.update(added)
    paths: dict[str, Any] = {}
    for path, item in described.get("paths", {}).items():
        if "{section}" in path:
            paths.update(_per_section(path, item, components))
        else:
            paths[path] = item
    _constrain_parameters(paths)
    error_ref = {"$ref": REF.format(model=ErrorBody.__name__)}
    for path, operation in _operations(paths):
        for code, response in operation["responses"].items():
            if code.startswith("4"):  # also Litestar's own 400 for handlers with parameters
                response["content"] = {"application/json": {"schema": error_ref}}
            if code in ("429", "503") and path.startswith("/api/"):
                response["headers"] = {"Retry-After": RETRY_AFTER}
        if path.startswith("/api/"):
            operation["security"] = API_SECURITY
    described["paths"] = paths
    described["components"]["securitySchemes"] = SECURITY_SCHEMES
    return described


class _Described:
    """Renders :func:`describe_api` of the document (computed once: the plugins belong to one app)."""

    _document: dict[str, Any] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._document is None:
            self._document = describe_api(openapi_schema)
        rendered: bytes = super().render(request, self._document)  # type: ignore[misc]
        return rendered


class DescribedJsonRenderPlugin(_Described, JsonRenderPlugin):
    """``/schema/openapi.json``."""


class DescribedYamlRenderPlugin(_Described, YamlRenderPlugin):
    """``/schema/openapi.yaml``."""


class DescribedSwaggerRenderPlugin(_Described, SwaggerRenderPlugin):
    """Swagger UI at ``/schema``."""
