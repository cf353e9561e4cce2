"""Every way a request can be turned away answers the one error body ``{status_code, detail, extra}``.

Whichever layer notices (the JSON decoder, pydantic, Litestar's router, the auth or limits middleware, a
service, the store), the client gets the same shape, and bad input names the field (``body`` for the body as
a whole).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from knowledge_base.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    ModelMismatchError,
    NotFoundError,
    StoreUnavailableError,
)
from knowledge_base.store.base import StoreError, StoreUnreachableError
from service.app import create_app
from service.auth.keys import hash_key
from service.errors import INTERNAL_ERROR, STORE_UNREACHABLE, error_answer
from service.settings import Settings
from tests.conftest import TEST_KEYS

KB = "/api/v1/knowledge-bases"
CHECK = f"{KB}/chengfeng-p5/check"
JSON = "application/json"


def assert_error_shape(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with exactly the documented error body, naming ``field`` if given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON), response.headers
    body: dict[str, Any] = response.json()
    assert set(body) == {"status_code", "detail", "extra"}, body
    assert body["status_code"] == status and isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert isinstance(body["extra"], list), body
        assert field in [error["field"] for error in body["extra"]], body
        assert all(isinstance(error["message"], str) for error in body["extra"])
    return body


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "field"),
    [
        pytest.param("POST", CHECK, b'{"text": "\xff\xfe broken"}', JSON, 400, "body", id="bad-utf8"),
        pytest.param("POST", CHECK, b'{"text": "ok"', JSON, 400, "body", id="bad-json"),
        pytest.param("POST", CHECK, b"", JSON, 400, "body", id="empty-body"),
        pytest.param("POST", CHECK, b'["text"]', JSON, 400, "body", id="body-not-an-object"),
        pytest.param("POST", CHECK, b'{"text": 42}', JSON, 400, "text", id="wrong-type"),
        pytest.param("POST", CHECK, b'{"lang": "en"}', JSON, 400, "text", id="missing-field"),
        pytest.param("POST", CHECK, b'{"text": "ok", "lang": "fr"}', JSON, 400, "lang", id="unknown-enum"),
        pytest.param("POST", CHECK, b'{"text": "ok", "colour": 1}', JSON, 400, "colour", id="unknown-field"),
        pytest.param(
            "POST", CHECK, b'{"text": "ok", "min_confidence": true}', JSON, 400, "min_confidence", id="bool-as-number"
        ),
        pytest.param(
            "POST",
            f"{KB}/chengfeng-p5/feedback",
            b'{"text": "ok", "verdict": {"kb_version": true, "distortions": []}, "marks": []}',
            JSON,
            400,
            "verdict.kb_version",
            id="bool-as-version",
        ),
        pytest.param("POST", CHECK, b"text=ok", "application/x-www-form-urlencoded", 400, "body", id="form-body"),
        pytest.param("POST", CHECK, b'{"text": "' + b"a" * 2_000_000 + b'"}', JSON, 413, "body", id="oversize"),
        pytest.param(
            "POST",
            f"{KB}/",
            b'{"brand": "A", "product": "B", "lang": "en", "key_messages": [{"id": "M1", "text": "x", '
            b'"campaign_start": 0}]}',
            JSON,
            400,
            "key_messages[0].campaign_start",
            id="date-as-number",
        ),
        pytest.param("GET", f"{KB}/chengfeng-p5/audit?limit=abc", None, None, 400, "limit", id="bad-query"),
        pytest.param("GET", f"{KB}/chengfeng-p5/export?format=xml", None, None, 400, "format", id="bad-query-enum"),
        pytest.param("GET", f"{KB}/chengfeng-p5/no-such-section", None, None, 400, "section", id="bad-path"),
        pytest.param("PUT", f"{KB}/chengfeng-p5/facts/F1", b'{"text": 5}', JSON, 422, "text", id="bad-item"),
        pytest.param("GET", f"{KB}/no-such-kb", None, None, 404, None, id="unknown-kb"),
        pytest.param("GET", "/api/v1/analyses/no-such-job/report.html", None, None, 404, None, id="unknown-job"),
        pytest.param("GET", "/api/v1/no-such-route", None, None, 404, None, id="unknown-route"),
        pytest.param("DELETE", CHECK, None, None, 405, None, id="wrong-method"),
    ],
)
def test_a_malformed_request_gets_the_error_body_naming_the_field(
    client: TestClient[Any],
    method: str,
    path: str,
    body: bytes | None,
    content_type: str | None,
    status: int,
    field: str | None,
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert_error_shape(client.request(method, path, content=body, headers=headers), status, field)


def test_a_conflict_carries_its_context_in_extra(client: TestClient[Any]) -> None:
    stale = client.delete(f"{KB}/chengfeng-p5?expected_version=99")
    assert assert_error_shape(stale, 409)["extra"]["version"] == 1


def test_a_405_lists_the_methods_the_route_has(client: TestClient[Any]) -> None:
    response = client.delete(CHECK)
    assert_error_shape(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"POST", "OPTIONS"}


def test_the_auth_middleware_answers_with_the_same_body(tmp_path: Path) -> None:
    keys = [
        {"name": "alice", "role": "admin", "sha256": hash_key(TEST_KEYS["admin"])},
        {"name": "rita", "role": "reviewer", "sha256": hash_key(TEST_KEYS["reviewer"])},
    ]
    settings = Settings(
        data_dir=tmp_path / "data",
        api_keys=json.dumps(keys),
        rate_limit_per_minute=1,
        rate_limit_burst=1,
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(app=create_app(settings)) as client:
        assert_error_shape(client.get(f"{KB}/"), 401)
        assert_error_shape(client.get(f"{KB}/", headers={"x-api-key": "bck_wrong"}), 401)
        reviewer = {"authorization": f"Bearer {TEST_KEYS['reviewer']}"}
        forbidden = assert_error_shape(client.delete(f"{KB}/chengfeng-p5", headers=reviewer), 403)
        assert forbidden["extra"] == {"role": "reviewer", "required": "admin"}
        admin = {"authorization": f"Bearer {TEST_KEYS['admin']}"}
        assert client.get(f"{KB}/", headers=admin).status_code == 200
        limited = client.get(f"{KB}/", headers=admin)
        assert_error_shape(limited, 429)
        assert int(limited.headers["retry-after"]) > 0


def test_a_store_that_cannot_be_reached_answers_503_with_retry_after(client: TestClient[Any]) -> None:
    store = client.app.state.resources.store
    store.close()  # the real embedded engine, shut under the running app: every call now raises StoreError
    for method, path, body in [
        ("GET", f"{KB}/chengfeng-p5", None),
        ("GET", f"{KB}/", None),
        ("POST", CHECK, {"text": "续航12小时。"}),
        ("PUT", f"{KB}/chengfeng-p5/facts/F1", {"text": "续航12小时。"}),
    ]:
        response = client.request(method, path, json=body)
        answered = assert_error_shape(response, 503)
        assert int(response.headers["retry-after"]) > 0, (method, path)
        assert answered["detail"] == STORE_UNREACHABLE  # not the store's path: that is the operator's business
        assert answered["extra"] is None


def test_each_domain_and_store_error_maps_to_one_status_and_the_error_body() -> None:
    statuses: dict[type[DomainError], int] = {
        DomainError: 400,
        InvalidInputError: 422,
        ForbiddenError: 403,
        NotFoundError: 404,
        ConflictError: 409,
        ModelMismatchError: 503,
        StoreUnavailableError: 503,
    }
    assert set(DomainError.__subclasses__()) <= set(statuses)
    for error_type, status in statuses.items():
        error = error_type("what happened", extra={"kb_id": "x"})
        assert not hasattr(error, "status_code")  # the domain knows nothing of HTTP
        answer = error_answer(error)
        assert answer.body() == {"status_code": status, "detail": "what happened", "extra": {"kb_id": "x"}}
        assert ("Retry-After" in answer.headers) == (error_type is StoreUnavailableError)
    unreachable = error_answer(StoreUnreachableError("Qdrant query on collection 'brandcheck_items_1' failed: refused"))
    assert unreachable.status_code == 503 and unreachable.headers["Retry-After"] == "5"
    assert "brandcheck_items_1" not in unreachable.detail


def test_a_store_error_that_is_not_about_reaching_the_store_is_a_500_that_names_nothing() -> None:
    # A refused call (a bad collection name, an unsupported filter) is a bug of ours: waiting does not help.
    for error in (
        StoreError("invalid collection name '../x': use letters, digits, '_', '-', '.'"),
        StoreError("qdrant-edge failed on /data/qdrant/brandcheck_items_1: bad request"),
        StoreError("filter on 'reviewed': matching boolean values is not supported"),
    ):
        answer = error_answer(error)
        assert answer.body() == {"status_code": 500, "detail": INTERNAL_ERROR, "extra": None}
        assert "Retry-After" not in answer.headers
