"""The server killed with SIGKILL mid-write: after a restart nothing acknowledged is lost and nothing is mixed.

Each test runs the real ``brandcheck serve`` (or ``brandcheck kb reindex``) as a child process on its own
data folder, kills it at the worst moment, starts it again and looks at what a user would see.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port

KB = "/api/v1/knowledge-bases"


class ServerProcess:
    """``brandcheck serve`` in a child process on a free loopback port."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "BRANDCHECK_DATA_DIR": str(data_dir), "BRANDCHECK_LOG_LEVEL": "warning"}
        for name in ("BRANDCHECK_API_KEYS", "BRANDCHECK_KEYS_FILE", "BRANDCHECK_QDRANT_URL"):
            env.pop(name, None)
        command = [sys.executable, "-m", "service.cli", "serve", "--seed-samples", "--port", str(self.port)]
        self._log = log.open("ab")
        self.process = subprocess.Popen(command, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=120)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, log.read_text()[-3000:]
            try:
                if self.http.get("/ready").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("server not ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed by the process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.http.close()
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)
        self.http.close()
        self._log.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    """Start servers on one data folder; whatever is still running is stopped at the end."""
    started: list[ServerProcess] = []

    def starter() -> ServerProcess:
        server = ServerProcess(tmp_path / "data", tmp_path / "server.log")
        started.append(server)
        return server

    yield starter
    for server in started:
        if server.process.poll() is None:
            server.stop()


def kettle(facts: int, version_tag: str) -> dict[str, Any]:
    """A knowledge base with ``facts`` facts whose texts carry ``version_tag``."""
    return {
        "brand": "Demo",
        "product": "Demo Kettle",
        "lang": "en",
        "facts": [
            {"id": f"F{i}", "text": f"Kettle part {i} ({version_tag}) is rated for {i % 90 + 10} degrees."}
            for i in range(facts)
        ],
        "key_messages": [{"id": "M1", "text": "Boils a full kettle in four minutes."}],
    }


def fact_texts(server: ServerProcess, kb_id: str) -> tuple[int, set[str]]:
    kb = server.http.get(f"{KB}/{kb_id}").json()
    return kb["version"], {fact["text"] for fact in kb["facts"]}


def test_killed_during_a_bulk_replace_the_knowledge_base_is_the_old_or_the_new_version(start: Any) -> None:
    server = start()
    old = kettle(20, "old")
    assert server.http.put(f"{KB}/kettle", json=old).status_code == 200
    new = kettle(6000, "new")
    outcome: dict[str, Any] = {}

    def replace() -> None:
        try:
            outcome["status"] = server.http.put(f"{KB}/kettle", json=new).status_code
        except httpx.HTTPError as exc:
            outcome["error"] = type(exc).__name__

    sender = threading.Thread(target=replace)
    sender.start()
    time.sleep(2.0)  # the 6,000 facts are being embedded and written
    server.kill()
    sender.join(30)
    assert "status" not in outcome, "the replace finished before the kill: make it bigger"

    server = start()
    version, texts = fact_texts(server, "kettle")
    old_texts = {fact["text"] for fact in old["facts"]}
    new_texts = {fact["text"] for fact in new["facts"]}
    assert (version, texts) in ((1, old_texts), (2, new_texts))
    hits = server.http.post(
        f"{KB}/kettle/search", json={"text": "rated degrees", "limit": 50, "sections": ["facts"]}
    ).json()
    assert {hit["text"] for hit in hits["results"]} <= texts  # search sees only the live version
    assert server.http.post(f"{KB}/kettle/check", json={"text": "It boils in four minutes."}).status_code == 200


def test_every_acknowledged_edit_survives_a_kill(start: Any) -> None:
    server = start()
    assert server.http.put(f"{KB}/kettle", json=kettle(5, "base")).status_code == 200
    acknowledged: dict[str, str] = {}
    for i in range(40):
        item = {"id": f"E{i}", "text": f"Edit number {i}: the lid opens to {i + 60} degrees."}
        assert server.http.post(f"{KB}/kettle/facts", json=item).status_code == 201
        acknowledged[item["id"]] = item["text"]
        if i % 3 == 0:
            item["text"] += " Changed."
            assert server.http.put(f"{KB}/kettle/facts/{item['id']}", json=item).status_code == 200
            acknowledged[item["id"]] = item["text"]
    assert server.http.delete(f"{KB}/kettle/facts/E5").status_code == 204
    del acknowledged["E5"]
    version_before = server.http.get(f"{KB}/kettle").json()["version"]
    server.kill()  # straight after the last acknowledgement

    server = start()
    kb = server.http.get(f"{KB}/kettle").json()
    stored = {fact["id"]: fact["text"] for fact in kb["facts"] if fact["id"].startswith("E")}
    assert stored == acknowledged
    assert kb["version"] == version_before
    audit = server.http.get(f"{KB}/kettle/audit", params={"limit": 1000}).json()
    assert audit[0]["version"] == version_before and audit[0]["action"] == "delete_item"


def test_killed_during_a_reindex_every_knowledge_base_stays_whole(start: Any, tmp_path: Path) -> None:
    server = start()
    assert server.http.put(f"{KB}/kettle", json=kettle(6000, "reindex")).status_code == 200
    before = {kb_id: fact_texts(server, kb_id) for kb_id in ("kettle", "chengfeng-p5", "lumo-sonic-3")}
    server.stop()

    env = {**os.environ, "BRANDCHECK_DATA_DIR": str(tmp_path / "data"), "BRANDCHECK_LOG_LEVEL": "warning"}
    reindex = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "kb", "reindex"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    time.sleep(9.0)  # model loaded, part of the 6,000 items re-embedded
    assert reindex.poll() is None, "the reindex finished before the kill: make it bigger"
    reindex.send_signal(signal.SIGKILL)
    reindex.wait(30)

    server = start()
    after = {kb_id: fact_texts(server, kb_id) for kb_id in before}
    assert after == before
    result = server.http.post(f"{KB}/chengfeng-p5/check", json={"text": "这个杯子容量有500毫升。"}).json()
    assert result["distortions"], "the checker still finds the wrong capacity"


def test_killed_during_an_analysis_job_the_job_resumes_to_the_same_result(start: Any) -> None:
    server = start()
    posts = [
        {"id": f"p{i}", "text": ["续航12小时,太强了", "容量350毫升刚好", "能打冰块吗", "颜色很好看"][i % 4] + f" #{i}"}
        for i in range(4000)
    ]
    submitted = server.http.post(f"{KB}/chengfeng-p5/analyses", params={"mode": "async"}, json={"posts": posts})
    assert submitted.status_code == 202
    job_id = submitted.json()["id"]
    deadline = time.monotonic() + 120
    while True:
        job = server.http.get(f"/api/v1/analyses/{job_id}").json()
        if job["status"] == "running" and 0 < job["done"] < job["total"]:
            break
        assert job["status"] in ("queued", "running") and time.monotonic() < deadline, job
        time.sleep(0.05)
    server.kill()

    server = start()
    deadline = time.monotonic() + 180
    while (job := server.http.get(f"/api/v1/analyses/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["status"] == "succeeded" and job["resumed"] >= 1 and job["done"] == 4000, job
    result = server.http.get(f"/api/v1/analyses/{job_id}/result").json()
    assert result["posts"] == 4000
    fresh = server.http.post(f"{KB}/chengfeng-p5/analyses", params={"mode": "async"}, json={"posts": posts})
    fresh_id = fresh.json()["id"]
    while server.http.get(f"/api/v1/analyses/{fresh_id}").json()["status"] in ("queued", "running"):
        time.sleep(0.2)
    again = server.http.get(f"/api/v1/analyses/{fresh_id}/result").json()
    assert (again["distorted_posts"], again["posts"]) == (result["distorted_posts"], result["posts"])
