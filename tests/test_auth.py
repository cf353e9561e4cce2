"""Keys and roles, the audit log, rate limits, body and time limits, request ids and metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import TEST_KEYS, free_port, keyed_settings

CHECK = "/api/v1/knowledge-bases/chengfeng-p5/check"
KB = "/api/v1/knowledge-bases"
NEW_FACT = {"id": "F90", "text": "机身颜色有白色和薄荷绿两种。"}


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TEST_KEYS[role]}"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The real app with an admin, an editor and a reviewer key and the sample knowledge bases."""
    settings = keyed_settings(tmp_path_factory.mktemp("auth") / "data")
    with TestClient(app=create_app(settings)) as client:
        yield client


def test_without_a_key_the_api_answers_401_and_says_how_to_send_one(keyed: TestClient) -> None:  # type: ignore[type-arg]
    response = keyed.post(CHECK, json={"text": "续航12小时"})
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = keyed.get(KB, headers={"Authorization": "Bearer bck_not_a_key"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "unknown API key"
    # Liveness, readiness, metrics and the schema stay open.
    for path in ("/health", "/ready", "/metrics", "/schema/openapi.json"):
        assert keyed.get(path).status_code == 200, path


def test_reviewer_checks_and_reads_but_cannot_change_anything(keyed: TestClient) -> None:  # type: ignore[type-arg]
    assert keyed.post(CHECK, json={"text": "续航12小时"}, headers=auth("reviewer")).status_code == 200
    assert keyed.get(f"{KB}/chengfeng-p5", headers=auth("reviewer")).status_code == 200
    assert keyed.get(f"{KB}/chengfeng-p5", headers={"X-API-Key": TEST_KEYS["reviewer"]}).status_code == 200
    denied = keyed.post(f"{KB}/chengfeng-p5/facts", json=NEW_FACT, headers=auth("reviewer"))
    assert denied.status_code == 403
    assert denied.json()["detail"] == "key 'rita' has the reviewer role; this needs editor"
    assert keyed.get("/api/v1/keys", headers=auth("reviewer")).status_code == 403
    assert keyed.get(f"{KB}/chengfeng-p5/audit", headers=auth("reviewer")).status_code == 403
    assert keyed.get("/api/v1/me", headers=auth("reviewer")).json() == {
        "name": "rita",
        "role": "reviewer",
        "auth_enabled": True,
    }


def test_editor_edits_existing_knowledge_bases_only_admin_creates_and_deletes(keyed: TestClient) -> None:  # type: ignore[type-arg]
    editor, admin = auth("editor"), auth("admin")
    assert keyed.post(f"{KB}/chengfeng-p5/facts", json=NEW_FACT, headers=editor).status_code == 201
    exported = keyed.get(f"{KB}/lumo-sonic-3/export", params={"format": "yaml"}, headers=editor).text
    stored = keyed.get(f"{KB}/lumo-sonic-3", headers=editor).json()
    content = {k: v for k, v in stored.items() if k not in ("id", "version", "updated_at")}
    assert keyed.put(f"{KB}/lumo-sonic-3", json=content, headers=editor).status_code == 200
    created = keyed.put(f"{KB}/brand-new", json=content, headers=editor)
    assert created.status_code == 403
    assert "creating a knowledge base needs admin" in created.json()["detail"]
    copy = exported.replace("id: lumo-sonic-3", "id: copy-of-lumo", 1).encode()
    imported = keyed.post(f"{KB}/import", content=copy, headers=editor)
    assert imported.status_code == 403
    assert keyed.delete(f"{KB}/lumo-sonic-3", headers=editor).status_code == 403
    assert keyed.put(f"{KB}/brand-new", json=content, headers=admin).status_code == 200
    assert keyed.delete(f"{KB}/brand-new", headers=admin).status_code == 204


def test_audit_log_says_who_changed_what_and_which_version_it_made(keyed: TestClient) -> None:  # type: ignore[type-arg]
    editor = auth("editor")
    version = keyed.get(f"{KB}/chengfeng-p5", headers=editor).json()["version"]
    fact = {"id": "F91", "text": "杯体为食品级Tritan材质。"}
    assert keyed.post(f"{KB}/chengfeng-p5/facts", json=fact, headers=editor).status_code == 201
    fact["text"] = "杯体为食品级Tritan材质,不含双酚A。"
    assert keyed.put(f"{KB}/chengfeng-p5/facts/F91", json=fact, headers=auth("admin")).status_code == 200
    assert keyed.delete(f"{KB}/chengfeng-p5/facts/F91", headers=editor).status_code == 204
    log = keyed.get(f"{KB}/chengfeng-p5/audit", headers=editor).json()
    newest = [(e["actor"], e["action"], e["version"], e["added"] + e["changed"] + e["removed"]) for e in log[:3]]
    assert newest == [
        ("erin", "delete_item", version + 3, ["facts/F91"]),
        ("alice", "update_item", version + 2, ["facts/F91"]),
        ("erin", "add_item", version + 1, ["facts/F91"]),
    ]
    assert log[-1]["action"] == "create" and log[-1]["actor"] == "system"  # the seeded sample
    everything = keyed.get("/api/v1/audit", headers=editor, params={"limit": 1000}).json()
    assert {entry["kb_id"] for entry in everything} >= {"chengfeng-p5", "lumo-sonic-3"}
    assert keyed.get(f"{KB}/no-such-kb/audit", headers=editor).status_code == 404


def test_admin_makes_and_revokes_keys_and_only_hashes_are_stored(
    keyed: TestClient,  # type: ignore[type-arg]
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    admin = auth("admin")
    boolean = keyed.post(
        "/api/v1/keys", json={"name": "ci-bot", "role": "reviewer", "rate_per_minute": True}, headers=admin
    )
    assert boolean.status_code == 400 and "rate_per_minute" in boolean.text  # true is no number of requests
    created = keyed.post("/api/v1/keys", json={"name": "ci-bot", "role": "reviewer"}, headers=admin)
    assert created.status_code == 201
    new_key = created.json()["key"]
    key_id = created.json()["key_id"]
    assert keyed.get("/api/v1/me", headers={"X-API-Key": new_key}).json()["name"] == "ci-bot"
    listed = keyed.get("/api/v1/keys", headers=admin).json()
    assert {k["name"]: k["source"] for k in listed}["ci-bot"] == "api"
    assert all("key" not in k for k in listed)
    duplicate = keyed.post("/api/v1/keys", json={"name": "ci-bot", "role": "admin"}, headers=admin)
    assert duplicate.status_code == 409
    bad_role = keyed.post("/api/v1/keys", json={"name": "x", "role": "owner"}, headers=admin)
    assert bad_role.status_code == 400 and "role" in bad_role.text
    # Neither configured nor created keys appear in clear anywhere in the data directory.
    data_dir = Path(keyed.app.state.settings.data_dir)
    stored = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    for key in [new_key, *TEST_KEYS.values()]:
        assert key.encode() not in stored
    configured = next(k for k in listed if k["name"] == "alice")["key_id"]
    assert keyed.delete(f"/api/v1/keys/{configured}", headers=admin).status_code == 409
    assert keyed.delete(f"/api/v1/keys/{key_id}", headers=admin).status_code == 204
    assert keyed.get("/api/v1/me", headers={"X-API-Key": new_key}).status_code == 401


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    settings = keyed_settings(tmp_path / "data", rate_limit_per_minute=3, rate_limit_burst=3, seed_samples=False)
    with TestClient(app=create_app(settings)) as client:
        statuses = [client.get(KB, headers=auth("reviewer")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        limited = client.get(KB, headers=auth("reviewer"))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "rate limit" in limited.json()["detail"]
        # Each key has its own bucket.
        assert client.get(KB, headers=auth("editor")).status_code == 200


def test_body_size_and_time_limits(settings: Settings) -> None:
    settings.seed_samples = True
    settings.max_body_bytes = 4096
    with TestClient(app=create_app(settings)) as client:
        large = client.post(CHECK, json={"text": "续航很长。" * 2000})
        assert large.status_code == 413
        assert "at most 4,096" in large.json()["detail"]
        # Uploads (imports, analyses) have the larger limit.
        posts = {"posts": [{"text": "续航很长,能榨好多杯。"} for _ in range(300)]}
        analysed = client.post("/api/v1/knowledge-bases/chengfeng-p5/analyses", json=posts)
        assert analysed.status_code == 200
    settings.request_timeout = 0.001
    with TestClient(app=create_app(settings)) as client:
        slow = client.post(CHECK, json={"text": "续航12小时,还能防水。"})
        assert slow.status_code == 503
        assert slow.headers["retry-after"] == "5"
        assert "longer than" in slow.json()["detail"]


def test_request_ids_and_metrics(client: TestClient) -> None:  # type: ignore[type-arg]
    given = client.get("/api/v1/knowledge-bases", headers={"X-Request-ID": "trace-123"})
    assert given.headers["x-request-id"] == "trace-123"
    generated = client.get("/api/v1/knowledge-bases", headers={"X-Request-ID": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    result = client.post(CHECK, json={"text": "这个杯子容量有500毫升,充一次能榨15杯。"}).json()
    kinds = {d["kind"] for d in result["distortions"]}
    assert kinds
    metrics = client.get("/metrics").text
    assert 'brandcheck_posts_checked_total{source="api"} 1.0' in metrics
    for kind in kinds:
        assert f'brandcheck_distortions_total{{kind="{kind}",source="api"}}' in metrics
    assert 'brandcheck_http_requests_total{method="GET",route="/api/v1/knowledge-bases",status="200"} 2.0' in metrics
    assert client.get("/ready").json()["status"] == "ready"


def _wait_ready(url: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited"
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server not ready")


def _listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a listening TCP socket on ``port`` (from /proc/net/tcp)."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:
            addresses.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return addresses


def test_serve_without_keys_binds_loopback_and_logs_json_with_request_ids(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "BRANDCHECK_DATA_DIR": str(tmp_path / "data"), "BRANDCHECK_LOG_FORMAT": "json"}
    env.pop("BRANDCHECK_API_KEYS", None)
    env.pop("BRANDCHECK_KEYS_FILE", None)
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "0.0.0.0", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(f"http://127.0.0.1:{port}", process)
            httpx.get(f"http://127.0.0.1:{port}/api/v1/knowledge-bases", headers={"X-Request-ID": "req-42"})
            listening = _listening_addresses(port)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any("listening on 127.0.0.1 instead of 0.0.0.0" in line["message"] for line in lines)
    assert any(line.get("level") == "warning" and "no API keys configured" in line["message"] for line in lines)
    request = next(line for line in lines if line.get("request_id") == "req-42")
    assert request["status"] == 200 and request["route"] == "/api/v1/knowledge-bases"
    assert listening == {"127.0.0.1"}


def test_keys_file_from_the_cli_holds_only_hashes_and_its_keys_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    keys_file = tmp_path / "keys.yaml"
    assert main(["keys", "create", "--name", "bob", "--role", "editor", "--file", str(keys_file)]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("bck_") and key not in keys_file.read_text()
    assert main(["keys", "create", "--name", "bob", "--role", "admin", "--file", str(keys_file)]) == 2
    assert "already exists" in capsys.readouterr().err
    settings = Settings(data_dir=tmp_path / "data", keys_file=keys_file, seed_samples=True, _env_file=None)  # type: ignore[call-arg]
    with TestClient(app=create_app(settings)) as client:
        assert client.get("/api/v1/me", headers={"X-API-Key": key}).json()["role"] == "editor"
        assert client.get("/api/v1/me").status_code == 401


def test_a_broken_keys_file_stops_serve_with_the_field_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import main

    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text("keys:\n  - {name: eve, role: owner, sha256: abc}\n")
    monkeypatch.setenv("BRANDCHECK_KEYS_FILE", str(keys_file))
    assert main(["--data-dir", str(tmp_path / "data"), "serve"]) == 2
    error = capsys.readouterr().err
    assert "keys[0].role" in error and "keys[0].sha256" in error
