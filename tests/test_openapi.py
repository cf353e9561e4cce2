"""The OpenAPI document at /schema/openapi.json describes the API as it behaves (what client generators read)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

from knowledge_base.models import has_visible_text
from service.app import create_app
from service.settings import Settings

KB = "/api/v1/knowledge-bases"
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
SAMPLE_PARAMETERS = {
    "kb_id": "chengfeng-p5",
    "item_id": "F1",
    "job_id": "0123456789abcdef",
    "key_id": "0123456789ab",
    "version": "1",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    """One app with the sample knowledge bases for the whole module."""
    data_dir = tmp_path_factory.mktemp("openapi") / "data"
    settings = Settings(data_dir=data_dir, seed_samples=True, _env_file=None)  # type: ignore[call-arg]
    with TestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def document(api: TestClient[Any]) -> dict[str, Any]:
    """The served document."""
    response = api.get("/schema/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.json()
    return served


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_every_api_operation_states_its_errors_with_the_error_body(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["content"] == {"application/json": {"schema": ERROR_BODY}}, (method, path, code)
        if path.startswith("/api/"):
            assert {"401", "429", "503"} <= set(responses), (method, path)
            if "{kb_id}" in path and not path.endswith("/audit") and method != "put":
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= set(responses), (method, path)
    error_body = document["components"]["schemas"]["ErrorBody"]
    assert error_body["required"] == ["status_code", "detail", "extra"]
    ops = document["paths"]
    assert {"409", "422"} <= set(ops[f"{KB}"]["post"]["responses"])
    assert {"404", "409", "422"} <= set(ops[f"{KB}/import"]["post"]["responses"])
    assert set(ops[f"{KB}/{{kb_id}}/analyses"]["post"]["responses"]) >= {"200", "202", "404", "422"}


def test_item_operations_are_listed_per_section_with_that_sections_body(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert not [path for path in paths if "{section}" in path]
    add_fact = paths[f"{KB}/{{kb_id}}/facts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert add_fact == {"$ref": "#/components/schemas/Fact"}
    listed = paths[f"{KB}/{{kb_id}}/key-messages"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/KeyMessage"}}
    replace = paths[f"{KB}/{{kb_id}}/facts/{{item_id}}"]["put"]["requestBody"]["content"]["application/json"]
    assert "id" not in replace["schema"]["properties"] and replace["schema"]["required"] == ["text"]
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))


def test_bodies_carry_their_real_constraints(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["CheckRequest"]["additionalProperties"] is False
    lang = schemas["CheckRequest"]["properties"]["lang"]
    assert {"enum": ["zh", "en", "mixed"], "type": "string"} in lang["anyOf"]
    assert schemas["KeyCreate"]["properties"]["role"]["enum"] == ["reviewer", "editor", "admin"]
    assert schemas["KeyCreate"]["properties"]["name"]["pattern"]
    kb_id = next(s for s in schemas["KnowledgeBaseCreate"]["properties"]["id"]["anyOf"] if s.get("type") == "string")
    assert kb_id["pattern"] == "^[a-z0-9][a-z0-9_-]{0,63}$"
    parameters = {p["name"]: p for p in document["paths"][f"{KB}/{{kb_id}}"]["delete"]["parameters"]}
    assert parameters["kb_id"]["schema"]["pattern"] and parameters["expected_version"]["schema"]["minimum"] == 0


def test_the_documented_text_pattern_is_what_the_server_counts_as_visible(document: dict[str, Any]) -> None:
    pattern = re.compile(document["components"]["schemas"]["Fact"]["properties"]["text"]["pattern"])
    disagree = [
        hex(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF and bool(pattern.search(chr(code))) != has_visible_text(chr(code))
    ]
    assert disagree == []


def test_options_lists_exactly_the_documented_methods(api: TestClient[Any], document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMETERS[m.group(1)], path)
        response = api.options(url)
        assert response.status_code == 204, (path, response.text)
        allowed = {method.strip() for method in response.headers["allow"].split(",")}
        assert allowed == {method.upper() for method in item} | {"OPTIONS"}, path


def test_export_answers_the_documented_media_type_and_schema(api: TestClient[Any], document: dict[str, Any]) -> None:
    content = document["paths"][f"{KB}/{{kb_id}}/export"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/KnowledgeBaseContent"}
    exported = api.get(f"{KB}/chengfeng-p5/export?format=json")
    assert exported.headers["content-type"].startswith("application/json")
    assert isinstance(exported.json(), dict) and exported.json()["brand"]
    as_yaml = api.get(f"{KB}/chengfeng-p5/export?format=yaml")
    documented = next(media for media in content if media.startswith("application/yaml"))
    assert as_yaml.headers["content-type"] == documented
    assert yaml.safe_load(as_yaml.text)["id"] == "chengfeng-p5"
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    [media_type] = metrics
    assert api.get("/metrics").headers["content-type"] == f"{media_type}; charset=utf-8"


def test_a_knowledge_base_named_without_ascii_gets_an_id(api: TestClient[Any]) -> None:
    created = api.post(f"{KB}/", json={"brand": "成风", "product": "随行杯", "lang": "zh"})
    assert created.status_code == 201, created.text
    assert re.fullmatch(r"kb-[0-9a-f]{12}", created.json()["id"])
    assert api.get(f"{KB}/{created.json()['id']}").status_code == 200


def test_an_import_is_stored_under_the_requested_id(api: TestClient[Any]) -> None:
    document = json.dumps({"id": "original", "brand": "Acme", "product": "Kettle", "lang": "en"})
    imported = api.post(f"{KB}/import?id=acme-copy", content=document, headers={"content-type": "application/json"})
    assert imported.status_code == 200 and imported.json()["id"] == "acme-copy"
    assert api.get(f"{KB}/original").status_code == 404


def test_content_the_schema_cannot_judge_is_a_422_wherever_it_arrives(api: TestClient[Any]) -> None:
    late = {"id": "M1", "text": "Launch", "campaign_start": "2026-06-01", "campaign_end": "2026-01-01"}
    kb = {"brand": "Acme", "product": "Toaster", "lang": "en", "key_messages": [late]}
    created = api.post(f"{KB}/", json=kb)
    assert created.status_code == 422 and created.json()["extra"][0]["field"] == "key_messages[0]", created.text
    added = api.post(f"{KB}/chengfeng-p5/key-messages", json=late)
    assert added.status_code == 422, added.text
    twice = {**kb, "key_messages": [], "facts": [{"id": "F1", "text": "a"}, {"id": "F1", "text": "b"}]}
    assert api.post(f"{KB}/", json=twice).status_code == 422
    blank = {**kb, "key_messages": [{"id": "M1", "text": "\u200b"}]}
    assert api.post(f"{KB}/", json=blank).status_code == 400  # the document's pattern says so


def test_the_document_declares_the_api_keys(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["apiKey"]["name"] == "X-API-Key"
    for path, _, operation in operations(document):
        if path.startswith("/api/"):
            assert {"bearer": []} in operation["security"] and {} in operation["security"]


def test_the_statuses_that_ask_to_retry_document_retry_after(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if path.startswith("/api/"):
            for code in ("429", "503"):
                assert "Retry-After" in operation["responses"][code].get("headers", {}), (method, path, code)
