"""Contract fuzzing: schemathesis generates requests from /schema/openapi.json against a live server.

Every operation gets valid and invalid bodies, parameters and ids (wrong types, huge and empty strings,
control characters, unicode); the goal is no 5xx at all, every answer as the document describes it (status,
content type, body), and the stored knowledge bases still readable.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from tests.conftest import TEST_KEYS, keyed_settings, serve

MIN_REQUESTS = 1_000
TIME_BUDGET_SECONDS = 75
CONFIG = Path(__file__).parent.parent / "schemathesis.toml"


def test_generated_requests_find_the_api_as_its_openapi_document_describes_it(tmp_path: Path) -> None:
    """Every check schemathesis has (no 5xx, documented statuses, content types and bodies, valid data accepted,
    invalid data rejected, Allow headers, ...), through an admin key on a server that asks for keys."""
    settings = keyed_settings(tmp_path / "data", rate_limit_per_minute=1_000_000, rate_limit_burst=100_000)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    with serve(settings) as url:
        run = subprocess.run(
            [
                str(schemathesis),
                "--config-file",
                str(CONFIG),
                "run",
                f"{url}/schema/openapi.json",
                "--checks",
                "all",
                "--header",
                f"Authorization: Bearer {TEST_KEYS['admin']}",
                "--max-examples",
                "12",
                "--max-time",
                str(TIME_BUDGET_SECONDS),
                "--seed",
                "20261125",
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--report",
                "har",
                "--report-dir",
                str(tmp_path / "report"),
            ],
            capture_output=True,
            text=True,
            timeout=TIME_BUDGET_SECONDS + 120,
            cwd=tmp_path,  # schemathesis keeps a .schemathesis/ cache in its working directory
        )
        still_readable = httpx.get(
            f"{url}/api/v1/knowledge-bases", headers={"x-api-key": TEST_KEYS["reviewer"]}, timeout=30
        )
    har = json.loads(next((tmp_path / "report").glob("har-*.json")).read_text())
    statuses = collections.Counter(entry["response"]["status"] for entry in har["log"]["entries"])
    server_errors = {status: n for status, n in statuses.items() if status >= 500}
    (tmp_path / "schemathesis.txt").write_text(run.stdout)
    sections = [run.stdout.find(f"=== {name} ===") for name in ("ERRORS", "FAILURES")]
    summary = "".join(run.stdout[start : start + 4000] for start in sections if start >= 0) + run.stdout[-2500:]
    assert server_errors == {}, summary
    assert run.returncode == 0, summary
    assert sum(statuses.values()) >= MIN_REQUESTS, (statuses, summary)
    assert still_readable.status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        (b'{"text": "   \\u200b\\u200b  "}', "application/json", "text"),
        (b'{"text": 42}', "application/json", "text"),
        (b'{"text": ["a"]}', "application/json", "text"),
        (b'{"txt": "hello"}', "application/json", "text"),
        (b'{"text": "ok", "lang": "fr"}', "application/json", "lang"),
        (b'{"text": "\xff\xfe broken"}', "application/json", "body"),
        (b"[1, 2", "application/json", None),
    ],
)
def test_bad_check_input_is_a_4xx_naming_the_field(
    client: TestClient[Any], body: bytes, content_type: str, field: str | None
) -> None:
    response = client.post(
        "/api/v1/knowledge-bases/chengfeng-p5/check", content=body, headers={"content-type": content_type}
    )
    assert 400 <= response.status_code < 500, response.text
    if field is not None:
        assert field in json.dumps(response.json().get("extra")), response.text


def test_emoji_control_characters_and_markup_are_checked_as_text(client: TestClient[Any]) -> None:
    text = "🔥🔥 续航<script>alert(1)</script>12小时\x07\u202e,<b>超长</b>!\u200d"
    response = client.post("/api/v1/knowledge-bases/lumo-sonic-3/check", json={"text": text})
    assert response.status_code == 200
    assert "<script>" in "".join(s["text"] for s in response.json()["sentences"])


def test_an_unknown_knowledge_base_is_a_404_and_a_bad_id_a_400(client: TestClient[Any]) -> None:
    unknown = client.post("/api/v1/knowledge-bases/no-such-kb/check", json={"text": "hello"})
    assert unknown.status_code == 404 and "no-such-kb" in unknown.json()["detail"]
    content = client.get("/api/v1/knowledge-bases/lumo-sonic-3").json()
    content = {k: v for k, v in content.items() if k not in ("id", "version", "updated_at")}
    bad = client.put("/api/v1/knowledge-bases/Bad%20Id", json=content)
    assert bad.status_code in (400, 422) and "kb_id" in bad.text
    assert client.get("/api/v1/knowledge-bases").status_code == 200


def test_duplicate_ids_in_an_import_are_a_422_listing_them(client: TestClient[Any]) -> None:
    document = (
        "id: dupes\nbrand: Acme\nproduct: Kettle K1\nlang: en\n"
        "facts:\n  - {id: F1, text: Holds 1.7 litres.}\n  - {id: F1, text: Boils in 3 minutes.}\n"
        "  - {id: F3, text: Switches off when dry.}\n"
        "key_messages:\n  - {id: F3, text: Fast boiling.}\n"
    )
    response = client.post(
        "/api/v1/knowledge-bases/import", content=document.encode(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 422
    listed = json.dumps(response.json()["extra"])
    assert "duplicate id 'F1'" in listed and "duplicate id 'F3'" in listed
    assert client.get("/api/v1/knowledge-bases/dupes").status_code == 404


def test_a_ten_megabyte_body_is_a_413_and_nothing_is_lost(client: TestClient[Any]) -> None:
    before = client.get("/api/v1/knowledge-bases/chengfeng-p5").json()
    huge = b'{"text": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    response = client.post(
        "/api/v1/knowledge-bases/chengfeng-p5/check", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    item = client.put(
        "/api/v1/knowledge-bases/chengfeng-p5/facts/F1", content=huge, headers={"content-type": "application/json"}
    )
    assert item.status_code == 413
    assert client.get("/api/v1/knowledge-bases/chengfeng-p5").json() == before
