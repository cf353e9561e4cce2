"""Crash tests: the real ``brandcheck`` process killed with SIGKILL mid-write, then started again.

After a restart a user must find a bulk import as the old or the new version (never a mix), every
acknowledged item edit, every knowledge base whole after a killed reindex, and an analysis job that was
running finished (or failed), never stuck. Each test runs ``brandcheck serve`` or ``brandcheck kb reindex``
as a child process on its own data folder, with the real model and the real embedded store.
"""

from __future__ import annotations

import os
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

from service.analysis.synthetic import generate
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
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


class Server:
    """``brandcheck serve`` as a child process on a free loopback port; ready when constructed."""

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
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, f"server exited with {self.process.returncode}:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"server not ready after 120 s:\n{self.log_tail()}"
            try:
                if self.http.get("/health", timeout=2).status_code == 200 and self.http.get("/ready").status_code == 200:
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

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as an operator stops the service."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)
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
    # The 2,000 facts are embedded first (seconds), then written in batches of 256 (a fraction of a second):
    # kill as soon as the first batch reaches the store, when the knowledge base is half written.
    deadline = time.monotonic() + 90
    while _store_signature(store) == before and sender.is_alive():
        assert time.monotonic() < deadline, "the import never reached the store"
        time.sleep(0.002)
    server.kill()
    sender.join(30)
    acknowledged = answer.get("status") == 200

    server = servers.start()
    kb = server.http.get(f"{KB}/kettle").json()
    versions = {"old": (old_version, _items(old)), "new": (old_version + 1, _items(new))}
    seen = (kb["version"], _items(kb))
    which = next((name for name, expected in versions.items() if seen == expected), None)
    facts = len(kb["facts"])
    assert which is not None, f"a mix after the kill: version {kb['version']} with {facts} facts ({answer})"
    if acknowledged:
        assert which == "new", "the import was acknowledged (200) before the kill but is gone"
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
