"""Crash tests: the real ``brandcheck`` process killed with SIGKILL mid-write, then started again.

After a restart a user must find a bulk import as the old or the new version (never a mix), every
acknowledged item edit, every knowledge base whole after a killed reindex, an analysis job that was
running finished, and one cancelled just before the kill cancelled: never stuck queued or running.
Each test runs ``brandcheck serve`` or ``brandcheck kb reindex`` as a child process on its own data
folder, with the real model and the real embedded store.
"""

from __future__ import annotations

import os
import random
import re
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
import yaml

from bench.synthetic import TEMPLATES, generate
from knowledge_base.embedding import SentenceEmbedder
from knowledge_base.lexical import LexicalEncoder
from knowledge_base.models import KnowledgeBaseContent
from knowledge_base.repository import KnowledgeBaseRepository
from knowledge_base.store import EdgeStore
from service.analysis.schemas import Post
from service.resources import seed_samples
from tests.conftest import free_port

BRANDCHECK = Path(sys.executable).with_name("brandcheck")
KB = "/api/v1/knowledge-bases"
SECTIONS = ("facts", "key_messages", "avoid_topics", "prohibited_claims")
PARTS = ("lid", "spout", "handle", "base", "filter", "element", "gauge", "switch", "seal", "hinge", "cord", "foot")
MEASURES = (("withstands", "degrees"), ("weighs", "grams"), ("draws", "watts"), ("survives", "cycles"))


def _env(data_dir: Path) -> dict[str, str]:
    """The environment of a child process: no inherited BRANDCHECK_* setting, the store under ``data_dir``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("BRANDCHECK_")}
    env.update(
        BRANDCHECK_DATA_DIR=str(data_dir),
        BRANDCHECK_HOST="127.0.0.1",
        BRANDCHECK_LOG_LEVEL="warning",
        BRANDCHECK_LOG_FORMAT="text",
        BRANDCHECK_RATE_LIMIT_PER_MINUTE="100000",  # the tests poll quickly
        BRANDCHECK_RATE_LIMIT_BURST="10000",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


class Server:
    """``brandcheck serve`` as a child process on a free loopback port."""

    def __init__(self, data_dir: Path, log: Path, seed_samples: bool) -> None:
        self.data_dir = data_dir
        self.log = log
        port = free_port()
        env = _env(data_dir) | {"BRANDCHECK_PORT": str(port), "BRANDCHECK_SEED_SAMPLES": str(seed_samples).lower()}
        with log.open("ab") as sink:
            self.process = subprocess.Popen(
                [str(BRANDCHECK), "serve"], env=env, cwd=data_dir.parent, stdout=sink, stderr=subprocess.STDOUT
            )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)

    def wait_ready(self) -> None:
        """Wait for /health and /ready (the model loaded, the store open)."""
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, f"server exited with {self.process.returncode}:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"server not ready after 120 s:\n{self.log_tail()}"
            try:
                if (
                    self.http.get("/health", timeout=2).status_code == 200
                    and self.http.get("/ready").status_code == 200
                ):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)

    def log_tail(self) -> str:
        """The end of the server's log, for failure messages."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs and nothing more is flushed by the process."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.http.close()


class Servers:
    """Starts servers on one data folder and kills whatever is still running at the end of a test."""

    def __init__(self, root: Path) -> None:
        self.data_dir = root / "data"
        self.data_dir.mkdir()
        self.log = root / "server.log"
        self.started: list[Server] = []

    def start(self, seed_samples: bool = False) -> Server:
        """A ready server on the shared data folder (``seed_samples``: load the samples into a new store)."""
        server = Server(self.data_dir, self.log, seed_samples)
        self.started.append(server)
        server.wait_ready()
        return server

    def close(self) -> None:
        """Kill the servers a failing test left running."""
        for server in self.started:
            server.kill()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """Servers on a fresh data folder."""
    started = Servers(tmp_path)
    yield started
    started.close()


def _kettle(tag: str, facts: int, litres: str) -> dict[str, Any]:
    """A generated English knowledge base: ``facts`` facts whose texts carry ``tag``, plus a capacity fact."""
    generated = []
    for i in range(facts):
        verb, unit = MEASURES[i % len(MEASURES)]
        part = PARTS[(i // len(MEASURES)) % len(PARTS)]
        generated.append({"id": f"{tag}{i}", "text": f"The {part} of series {i} ({tag}) {verb} {i % 97 + 3} {unit}."})
    return {
        "brand": "Demo",
        "product": "Demo Kettle",
        "lang": "en",
        "facts": [{"id": "CAP", "text": f"The kettle holds {litres} litres of water."}, *generated],
        "key_messages": [{"id": "M1", "text": f"Boils a full kettle in four minutes ({tag})."}],
    }


def _items(kb: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Each section's items as (id, text), in order: what a user compares between two versions."""
    return {section: [(item["id"], item["text"]) for item in kb.get(section, [])] for section in SECTIONS}


def _search(server: Server, kb_id: str, text: str, limit: int = 5) -> list[dict[str, Any]]:
    """The search hits for ``text``, best first."""
    response = server.http.post(f"{KB}/{kb_id}/search", json={"text": text, "limit": limit})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert results, f"no hit for {text!r}"
    return results


def _store_signature(store: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the embedded store's files: changes when a write lands."""
    signature = []
    for path in store.rglob("*"):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if path.is_file() and path.name != ".lock":
            signature.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(signature))


def test_import_killed_mid_write_leaves_exactly_the_old_or_the_new_version(servers: Servers) -> None:
    """A replace import of 2,000 facts killed while it is written: old or new version, search and check agree."""
    server = servers.start()
    old = _kettle("A", 12, "1.7")
    created = server.http.post(f"{KB}/", json={"id": "kettle", **old})
    assert created.status_code == 201, created.text
    old_version = created.json()["version"]
    new = _kettle("B", 2000, "1.5")
    body = yaml.safe_dump({"id": "kettle", **new}, allow_unicode=True, sort_keys=False)

    store = servers.data_dir / "qdrant"
    before = _store_signature(store)
    answer: dict[str, Any] = {}

    def send_import() -> None:
        try:
            response = server.http.post(
                f"{KB}/import",
                params={"id": "kettle", "mode": "replace"},
                content=body.encode("utf-8"),
                headers={"content-type": "application/yaml"},
            )
            answer["status"] = response.status_code
        except httpx.TransportError as exc:
            answer["error"] = repr(exc)

    sender = threading.Thread(target=send_import)
    sender.start()
    # The 2,000 facts are embedded first (seconds), then written in batches of 256 and flipped live (a few
    # tenths of a second): kill at a random moment from when the first batch reaches the store, so runs
    # land half written, just after the flip, or just after the answer.
    deadline = time.monotonic() + 90
    while _store_signature(store) == before and sender.is_alive():
        assert time.monotonic() < deadline, "the import never reached the store"
        time.sleep(0.025)
    delay = random.uniform(0.0, 0.3)
    time.sleep(delay)
    server.kill()
    sender.join(30)
    acknowledged = answer.get("status") == 200

    server = servers.start()
    kb = server.http.get(f"{KB}/kettle").json()
    versions = {"old": (old_version, _items(old)), "new": (old_version + 1, _items(new))}
    seen = (kb["version"], _items(kb))
    which = next((name for name, expected in versions.items() if seen == expected), None)
    facts = len(kb["facts"])
    killed = f"killed {delay:.3f} s after the first write ({answer})"
    assert which is not None, f"a mix after the kill: version {kb['version']} with {facts} facts; {killed}"
    if acknowledged:
        assert which == "new", f"the import was acknowledged before the kill but is gone; {killed}"
    live, other = (old, new) if which == "old" else (new, old)

    summary = next(s for s in server.http.get(f"{KB}/").json() if s["id"] == "kettle")
    assert (summary["version"], summary["counts"]["facts"]) == (kb["version"], len(live["facts"]))
    # Search sees the live version only, and finds its items by their own words.
    assert _search(server, "kettle", live["facts"][5]["text"])[0]["id"] == live["facts"][5]["id"]
    live_items = {pair for pairs in _items(live).values() for pair in pairs}
    hits = _search(server, "kettle", other["facts"][5]["text"], limit=20)
    assert {(hit["id"], hit["text"]) for hit in hits} <= live_items, "search returned items of the dead version"
    # The checker answers from the live version's capacity fact.
    check = server.http.post(f"{KB}/kettle/check", json={"text": "The kettle holds 3 litres of water."})
    assert check.status_code == 200, check.text
    cited = {(d["fact_id"], d["fact_text"]) for d in check.json()["distortions"]}
    assert cited == {("CAP", live["facts"][0]["text"])}, cited


def test_every_acknowledged_item_edit_survives_a_kill(servers: Servers) -> None:
    """Adds, rewrites and deletes, then SIGKILL right after the last answer: all of them are there."""
    server = servers.start()
    lamp = {
        "id": "lamp",
        "brand": "Demo",
        "product": "Demo Desk Lamp",
        "lang": "en",
        "facts": [{"id": f"F{i}", "text": f"The lamp's arm joint {i} tilts {i * 15 + 10} degrees."} for i in range(6)],
        "key_messages": [{"id": "M1", "text": "Soft light that is kind to your eyes."}],
        "avoid_topics": [{"id": "A1", "text": "Price comparisons with other lamps."}],
    }
    created = server.http.post(f"{KB}/", json=lamp)
    assert created.status_code == 201, created.text
    version: int = created.json()["version"]
    expected = {section: dict(pairs) for section, pairs in _items(lamp).items()}

    def acknowledge(response: httpx.Response, section: str, item: dict[str, str] | None, item_id: str) -> int:
        assert response.status_code in (200, 201, 204), response.text
        if item is None:
            del expected[section][item_id]
            return version + 1
        expected[section][item["id"]] = item["text"]
        return int(response.json()["version"])

    # Adds, in-place rewrites and deletes in two sections; the last one rewrites an item in place.
    for i in range(12):
        fact = {"id": f"N{i}", "text": f"Lamp note {i}: the {PARTS[i]} is rated for {i * 7 + 40} thousand hours."}
        version = acknowledge(server.http.post(f"{KB}/lamp/facts", json=fact), "facts", fact, fact["id"])
        if i % 3 == 1:
            message = {"id": f"M{i + 2}", "text": f"Key message {i}: a {PARTS[i]} you never have to adjust."}
            response = server.http.post(f"{KB}/lamp/key-messages", json=message)
            version = acknowledge(response, "key_messages", message, message["id"])
        if i % 4 == 2:
            response = server.http.delete(f"{KB}/lamp/facts/F{i // 4}")
            version = acknowledge(response, "facts", None, f"F{i // 4}")
        rewrite = {"id": f"N{i // 2}", "text": f"Lamp note {i // 2}, revised {i}: the {PARTS[i]} glows amber."}
        response = server.http.put(f"{KB}/lamp/facts/{rewrite['id']}", json=rewrite)
        version = acknowledge(response, "facts", rewrite, rewrite["id"])
    server.kill()  # straight after the last acknowledgement

    server = servers.start()
    kb = server.http.get(f"{KB}/lamp").json()
    assert {section: dict(pairs) for section, pairs in _items(kb).items()} == expected
    assert kb["version"] == version
    # The rewritten item's new text is searchable: its vectors were rewritten too, not only its payload.
    hit = _search(server, "lamp", rewrite["text"])[0]
    assert (hit["id"], hit["text"]) == (rewrite["id"], rewrite["text"])
    audit = server.http.get(f"{KB}/lamp/audit", params={"limit": 1000})
    assert audit.status_code == 200, audit.text
    assert sorted(entry["version"] for entry in audit.json()) == list(range(1, version + 1)), "an audit entry lost"


def _reindex_until_progress(data_dir: Path) -> tuple[int, int, str]:
    """Run ``brandcheck kb reindex`` and SIGKILL it once some but not all items are re-embedded.

    Returns (items re-embedded when killed, items in all, the command's output)."""
    process = subprocess.Popen(
        [str(BRANDCHECK), "kb", "reindex"],
        env=_env(data_dir),
        cwd=data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    stream = process.stdout.fileno()
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(stream, 4096), b"")))
    reader.start()
    progress = re.compile(rb"(\d+)/(\d+) \[")  # tqdm's "256/1038 [00:01<...]"
    deadline = time.monotonic() + 120
    done = total = 0
    try:
        while not 0 < done < total:
            output = b"".join(chunks)
            assert process.poll() is None, f"the reindex ended before the kill: add items\n{output.decode()[-2000:]}"
            assert time.monotonic() < deadline, f"no reindex progress after 120 s\n{output.decode()[-2000:]}"
            found = progress.findall(output)
            if found:
                done, total = (int(number) for number in found[-1])
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        reader.join(30)
        process.stdout.close()
    return done, total, b"".join(chunks).decode(errors="replace")


def test_reindex_killed_midway_leaves_every_knowledge_base_whole(servers: Servers, embedder: SentenceEmbedder) -> None:
    """``kb reindex`` killed after its first batch: the server starts on the old vectors, every item intact."""
    teapot = {
        "brand": "演示",
        "product": "演示 恒温水壶",
        "lang": "zh",
        "facts": [
            {"id": f"T{i}", "text": f"第{i}号滤网可耐受{i % 80 + 20}摄氏度,清洗周期为{i % 9 + 1}周。"}
            for i in range(300)
        ],
    }
    # The data folder a stopped server leaves: the samples and two generated knowledge bases (1,000+ items).
    store = EdgeStore(servers.data_dir / "qdrant")
    try:
        repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder())
        repository.open()
        seed_samples(repository)
        for kb_id, document in (("kettle", _kettle("R", 700, "1.7")), ("teapot", teapot)):
            repository.save(kb_id, KnowledgeBaseContent.model_validate(document))
        before = {kb.id: kb.model_dump(mode="json") for kb in repository.list_all()}
    finally:
        store.close()
    assert set(before) == {"chengfeng-p5", "kettle", "lumo-sonic-3", "teapot"}

    done, total, output = _reindex_until_progress(servers.data_dir)
    assert total == sum(len(pairs) for kb in before.values() for pairs in _items(kb).values()), output

    server = servers.start()
    for kb_id, kb in before.items():
        after = server.http.get(f"{KB}/{kb_id}").json()
        assert (after["version"], _items(after)) == (kb["version"], _items(kb)), f"{kb_id} changed ({done}/{total})"
        item_id, text = _items(kb)["facts"][-1]
        assert _search(server, kb_id, text)[0]["id"] == item_id, f"{kb_id}: search lost its vectors"
    check = server.http.post(f"{KB}/chengfeng-p5/check", json={"text": "这个杯子容量有500毫升。"})
    assert check.status_code == 200, check.text
    assert [(d["kind"], d["fact_id"]) for d in check.json()["distortions"]] == [("numeric", "F1")]


def _submit(server: Server, posts: list[Post]) -> str:
    """Start an analysis job on the chengfeng-p5 sample; returns its id."""
    payload = {"posts": [post.model_dump(mode="json", exclude_none=True) for post in posts]}
    response = server.http.post(f"{KB}/chengfeng-p5/analyses", params={"mode": "async"}, json=payload)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def _wait_until_running(server: Server, job_id: str) -> None:
    """Wait until the job runs and has checkpointed at least one batch, but not all of them."""
    deadline = time.monotonic() + 120
    while True:
        job = server.http.get(f"/api/v1/analyses/{job_id}").json()
        if job["status"] == "running" and job["done"] > 0:
            assert job["done"] < job["total"], "the job finished before the kill: add posts"
            return
        assert job["status"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"the job did not progress: {job}"
        time.sleep(0.05)


def _wait_until_finished(server: Server, job_id: str, timeout: float = 180) -> dict[str, Any]:
    """The job once it is no longer queued or running (fails if it stays so for ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = server.http.get(f"/api/v1/analyses/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, f"job stuck after the restart: {job}"
        time.sleep(0.2)


def test_analysis_jobs_killed_mid_run_resume_to_a_complete_result_and_a_cancelled_one_stays_cancelled(
    servers: Servers,
) -> None:
    """A job killed mid-run resumes to the full result; one cancelled just before a kill ends cancelled."""
    server = servers.start(seed_samples=True)
    corpus = generate("chengfeng-p5", posts=2000, seed=23)
    first = _submit(server, corpus.posts)
    second = _submit(server, generate("chengfeng-p5", posts=150, seed=29).posts)  # queued behind the first
    _wait_until_running(server, first)
    time.sleep(random.uniform(0.0, 0.3))  # anywhere in a batch: checking, or writing its checkpoint
    server.kill()

    server = servers.start()
    job = _wait_until_finished(server, first)
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 2000, 2000), job
    assert job["resumed"] >= 1, "the job was not running when the server was killed"
    job = _wait_until_finished(server, second)
    assert (job["status"], job["done"]) == ("succeeded", 150), job
    result = server.http.get(f"/api/v1/analyses/{first}/result").json()
    assert result["posts"] == 2000
    # Outcomes stay aligned with their posts across the resume, and the planted messages are found.
    texts = {post.id: post.text for post in corpus.posts}
    for message in result["key_messages"]:
        planted = corpus.messages[message["id"]]
        # A post that carries the message only through a wrong figure (the templates' implied messages) is
        # credited when the checker is confident of it, which it is not for every phrasing.
        through_a_wrong_figure = {
            post_id
            for key, posts in corpus.distortions.items()
            if message["id"] in TEMPLATES["chengfeng-p5"].implied.get(key, ())
            for post_id in posts
        }
        low = len(planted - through_a_wrong_figure) / len(corpus.posts) - 0.02
        assert low <= message["pull_through"] <= len(planted) / len(corpus.posts) + 0.02, message["id"]
        assert all(texts[example["id"]] == example["text"] for example in message["examples"])
    assert all(texts[ex["id"]] == ex["text"] for stat in result["distortions"] for ex in stat["examples"])

    # A cancel acknowledged while the job runs, then a kill before the worker reaches its next batch.
    third = _submit(server, generate("chengfeng-p5", posts=800, seed=31).posts)
    _wait_until_running(server, third)
    cancel = server.http.post(f"/api/v1/analyses/{third}/cancel")
    assert cancel.status_code == 200, cancel.text
    server.kill()

    server = servers.start()
    job = _wait_until_finished(server, third, timeout=30)
    assert job["status"] == "cancelled", job
    assert server.http.get(f"/api/v1/analyses/{third}/result").status_code == 409
