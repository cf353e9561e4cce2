"""Load test: N concurrent clients on loopback for D seconds against a brandcheck server.

    make load                                    # 32 clients x 60 s against a server it starts itself
    .venv/bin/python bench/load.py --clients 16 --duration 30
    .venv/bin/python bench/load.py --server http://127.0.0.1:8000 --api-key KEY

Each client (an ``AsyncBrandcheckClient``, no retries, so every failure shows) loops until the time is up,
picking at random:

- a single-post check (most of the traffic): a Chinese or English post made from the sample knowledge
  bases' facts (``knowledge_base/samples/*.yaml``) with varied wording, figures that are sometimes wrong,
  and small talk, checked against ``chengfeng-p5`` or ``lumo-sonic-3``;
- a small analysis job: 50-200 such posts submitted with ``mode=async``, polled until it finishes, and
  its result fetched (it must count every post);
- a knowledge-base edit in a knowledge base made for the test (``loadtest``, replaced by the sample
  toothbrush at the start): add an item to any of the four sections, replace one of the client's items, or
  delete one. Every edit the server acknowledges (2xx) is recorded with the content it returned.

Afterwards every acknowledged edit is verified: the last acknowledged state of each item is what the
server returns (a deleted item is absent); an edit that failed leaves its item in one of the states it
could be in (the edit applied or not) and the item is not edited again. Also verified: no two
acknowledged edits produced the same version, the knowledge base's version moved by exactly the edits
made, and the audit log holds an entry for each acknowledged edit. ``loadtest`` is deleted at the end
unless something was lost.

Errors are any exception and any non-2xx answer except a 429 (a key's rate limit: counted as
``throttled``, the client waits as told). The goal is 0 errors and 0 lost edits; the exit code is 1
otherwise. Latency is per request (p50/p95/p99 per kind); an analysis job's time from submit to result is
reported separately. Prints a table and writes ``bench/load-results.json``.

Without ``--server`` it starts ``brandcheck serve`` itself on a free loopback port with a temporary data
folder and ``BRANDCHECK_SEED_SAMPLES=true`` (no keys), and also reports that process's peak memory, CPU
time and any error lines in its log. With keys, give a key with the editor role (admin if ``loadtest``
does not exist yet) and a rate limit that fits the load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "clients" / "python"))

from brandcheck_client import (  # noqa: E402
    AnalysisResult,
    AsyncBrandcheckClient,
    BrandcheckError,
    Job,
    PermissionDeniedError,
    RateLimitError,
)
from brandcheck_client._calls import Section  # noqa: E402
from brandcheck_client.models import ItemChange  # noqa: E402

T = TypeVar("T")
SAMPLES_DIR = ROOT / "knowledge_base" / "samples"
LOAD_KB = "loadtest"
LOAD_KB_SOURCE = "lumo-sonic-3-toothbrush.yaml"  # the starting content of LOAD_KB
SECTIONS: tuple[Section, ...] = ("facts", "key-messages", "avoid-topics", "prohibited-claims")
# Share of a client's iterations: checks, edits, analysis jobs (a job keeps its client busy for seconds).
MIX = (("check", 0.85), ("edit", 0.12), ("analysis", 0.03))
JOB_POLL_INTERVAL = 0.5
JOB_TIMEOUT = 300.0

# Wording around a fact's claim, and small talk, per language. {n} is a random small number.
PREFIXES = {
    "zh": ["", "", "说实话,", "用了两周,", "朋友推荐的,", "刚到手,", "官方说", "我发现", "客服告诉我", "实测"],
    "en": ["", "", "Honestly, ", "After two weeks: ", "My friend says ", "Just got it and ", "FYI ", "Turns out "],
}
SUFFIXES = {
    "zh": ["。", "。", "!", ",真的不错!", ",挺满意的。", "?有人试过吗?", "~", ",比想象的好。"],
    "en": [".", ".", "!", ", which is great.", ", not bad at all.", "? Anyone tried?", " :)", ", love it."],
}
SMALL_TALK = {
    "zh": [
        "颜色很好看,我很喜欢。",
        "快递第{n}天就到了。",
        "包装挺用心的。",
        "已经推荐给{n}个朋友了。",
        "比别的牌子便宜了{n}十块。",
        "活动价打了{n}折,赶紧冲!",
        "刀头转起来有点吵。",
        "喝了{n}周果汁,感觉瘦了。",
    ],
    "en": [
        "The colour is lovely.",
        "Shipping took {n} days.",
        "The packaging was nice.",
        "Already recommended it to {n} friends.",
        "Got it for ${n}0 off in the sale.",
        "Half the price of my old Sonicare.",
        "The motor is a bit loud.",
        "My gums stopped bleeding after {n} weeks, it cured my gum disease.",
    ],
}
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_CLAUSE_SPLIT = re.compile(r"[,,;;]\s*")


@dataclass(frozen=True)
class Product:
    """A sample knowledge base as the post generator sees it."""

    kb_id: str
    lang: str
    facts: tuple[str, ...]
    key_messages: tuple[str, ...]


def load_products(directory: Path = SAMPLES_DIR) -> list[Product]:
    """The sample knowledge bases (``*.yaml``) that posts are made from."""
    products = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        products.append(
            Product(
                kb_id=document["id"],
                lang=document["lang"],
                facts=tuple(item["text"] for item in document.get("facts", [])),
                key_messages=tuple(item["text"] for item in document.get("key_messages", [])),
            )
        )
    return products


def _other_figure(figure: str, rng: random.Random) -> str:
    """A different figure of the same shape (thousands separators kept)."""
    value = float(figure.replace(",", ""))
    changed = value * rng.choice([0.5, 0.8, 1.5, 2, 3]) if value else float(rng.randint(1, 9))
    if "." in figure:
        return f"{changed:.1f}"
    number = max(1, round(changed))
    if number == value:
        number += 1
    return f"{number:,}" if "," in figure else str(number)


def claim_sentence(fact: str, lang: str, rng: random.Random) -> str:
    """A user's sentence about an official fact: the whole fact or one clause, sometimes with one figure
    changed, wrapped in everyday wording."""
    text = re.sub(r"[。.!!]+$", "", fact)
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c]
    if len(clauses) > 1 and rng.random() < 0.5:
        text = rng.choice(clauses)
    figures = list(_FIGURE.finditer(text))
    if figures and rng.random() < 0.4:
        match = rng.choice(figures)
        text = text[: match.start()] + _other_figure(match.group(), rng) + text[match.end() :]
    prefix = rng.choice(PREFIXES[lang])
    if lang == "en" and prefix and len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return prefix + text + rng.choice(SUFFIXES[lang])


def make_post(product: Product, rng: random.Random) -> str:
    """A post of 1-4 sentences: claims about the product's facts, perhaps a key message, small talk."""
    sentences = [claim_sentence(rng.choice(product.facts), product.lang, rng) for _ in range(rng.randint(1, 3))]
    if product.key_messages and rng.random() < 0.2:
        sentences.append(rng.choice(product.key_messages))
    if rng.random() < 0.5:
        sentences.append(rng.choice(SMALL_TALK[product.lang]).format(n=rng.randint(2, 9)))
    rng.shuffle(sentences)
    return ("" if product.lang == "zh" else " ").join(sentences)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def audit_key(section: Section, item_id: str) -> str:
    """How the audit log names an item: ``key_messages/L3-7``."""
    return f"{section.replace('-', '_')}/{item_id}"


@dataclass
class ItemTrack:
    """What a client knows about one of its items: the states the server may hold (``None`` = absent).

    After an acknowledged edit that is exactly one state; after an edit that failed, the state before it or
    the state it asked for, and the item is not edited again."""

    section: Section
    states: list[dict[str, Any] | None]
    settled: bool = True


@dataclass
class LoadReport:
    """What a load run measured and what its verification found."""

    base_url: str
    clients: int
    duration_s: float
    elapsed_s: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    requests_in_window: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    latencies_ms: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    job_ms: list[float] = field(default_factory=list)
    posts_checked: int = 0
    posts_analysed: int = 0
    acknowledged_edits: Counter[str] = field(default_factory=Counter)
    uncertain_edits: int = 0
    lost_edits: int = 0
    lost_examples: list[str] = field(default_factory=list)
    version_anomalies: list[str] = field(default_factory=list)
    audit_missing: int | None = None
    server_process: dict[str, Any] = field(default_factory=dict)

    def record(self, kind: str, started: float, deadline: float) -> None:
        """One successful request of ``kind`` that started at ``started`` (perf_counter)."""
        now = time.perf_counter()
        self.requests[kind] += 1
        self.latencies_ms[kind].append((now - started) * 1000)
        if now <= deadline:
            self.requests_in_window += 1

    def error(self, kind: str, exc: BaseException) -> None:
        """A failed request of ``kind``."""
        self.errors[kind] += 1
        if len(self.error_examples) < 20:
            self.error_examples.append(f"{kind}: {type(exc).__name__}: {exc}"[:400])

    def lost(self, message: str) -> None:
        """An acknowledged edit the server does not have."""
        self.lost_edits += 1
        if len(self.lost_examples) < 20:
            self.lost_examples.append(message[:400])

    @property
    def error_count(self) -> int:
        """Every error of every kind."""
        return sum(self.errors.values())

    @property
    def ok(self) -> bool:
        """No error, no lost edit, no version anomaly, nothing missing from the audit log."""
        return not (self.error_count or self.lost_edits or self.version_anomalies or self.audit_missing)

    def summary(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict (what ``bench/load-results.json`` holds)."""
        kinds = sorted(set(self.requests) | set(self.errors) | set(self.throttled))
        every = [v for values in self.latencies_ms.values() for v in values]
        return {
            "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "machine": machine(),
            "server": self.base_url,
            "clients": self.clients,
            "duration_s": self.duration_s,
            "elapsed_s": round(self.elapsed_s, 1),
            "requests": sum(self.requests.values()),
            "errors": self.error_count,
            "throttled": sum(self.throttled.values()),
            "lost_edits": self.lost_edits,
            "ok": self.ok,
            "throughput": {
                "requests_per_s": round(self.requests_in_window / self.duration_s, 1),
                "checks_per_s": round(self.posts_checked / self.elapsed_s, 1) if self.elapsed_s else 0.0,
                "posts_analysed_per_s": round(self.posts_analysed / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            },
            "by_kind": {
                kind: {
                    "requests": self.requests[kind],
                    "errors": self.errors[kind],
                    "throttled": self.throttled[kind],
                    **_latency(self.latencies_ms.get(kind, [])),
                }
                for kind in kinds
            },
            "all_requests": _latency(every),
            "analysis_jobs": {"jobs": len(self.job_ms), "posts": self.posts_analysed, **_latency(self.job_ms)},
            "edits": {
                "acknowledged": dict(self.acknowledged_edits),
                "uncertain": self.uncertain_edits,
                "lost": self.lost_edits,
                "lost_examples": self.lost_examples,
                "version_anomalies": self.version_anomalies,
                "audit_missing": self.audit_missing,
            },
            "error_examples": self.error_examples,
            "server_process": self.server_process,
        }


def _latency(values: Sequence[float]) -> dict[str, float]:
    return {f"p{q}_ms": round(percentile(values, q), 1) for q in (50, 95, 99)}


def machine() -> dict[str, Any]:
    """CPU model, cores and Python version of the machine running the load."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    # Other work on the machine skews the figures: the load averages (1, 5, 15 min) at the end say how much.
    load = [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "load_average": load}


class LoadClient:
    """One simulated user: its own random sequence, its own items in ``LOAD_KB``."""

    def __init__(
        self,
        number: int,
        api: AsyncBrandcheckClient,
        products: Sequence[Product],
        report: LoadReport,
        deadline: float,
        kb_id: str,
    ) -> None:
        self.number = number
        self.api = api
        self.products = products
        self.report = report
        self.deadline = deadline
        self.kb_id = kb_id
        self.rng = random.Random(number)
        self.items: dict[str, ItemTrack] = {}
        self.versions: list[tuple[int, str]] = []  # (version, audit key) of each acknowledged add or replace
        self.deletes: list[str] = []  # audit key of each acknowledged delete
        self._serial = 0

    async def run(self) -> None:
        """Loop until the deadline; the first action is fixed for clients 0 and 1, so that even a short run
        exercises jobs and edits."""
        first = {0: "analysis", 1: "edit"}.get(self.number)
        while time.perf_counter() < self.deadline:
            action = first or self.rng.choices([a for a, _ in MIX], [w for _, w in MIX])[0]
            first = None
            if action == "check":
                await self.check()
            elif action == "edit":
                await self.edit()
            else:
                await self.analysis()

    async def _timed(self, kind: str, call: Awaitable[T]) -> tuple[Literal["ok", "throttled", "failed"], T | None]:
        """Await ``call``, recording its latency, a throttle (then wait as told) or an error."""
        started = time.perf_counter()
        try:
            result = await call
        except RateLimitError as exc:
            self.report.throttled[kind] += 1
            await asyncio.sleep(min(exc.retry_after or 1.0, 60.0))
            return "throttled", None
        except Exception as exc:  # every failure counts, whatever its type
            self.report.error(kind, exc)
            return "failed", None
        self.report.record(kind, started, self.deadline)
        return "ok", result

    async def check(self) -> None:
        """Check one generated post."""
        product = self.rng.choice(self.products)
        status, _ = await self._timed("check", self.api.check(product.kb_id, make_post(product, self.rng)))
        if status == "ok":
            self.report.posts_checked += 1

    async def analysis(self) -> None:
        """Submit 50-200 posts as a job, poll it to the end and fetch its result."""
        product = self.rng.choice(self.products)
        posts = [
            {"text": make_post(product, self.rng), "author": f"user{self.rng.randint(1, 40)}"}
            for _ in range(self.rng.randint(50, 200))
        ]
        started = time.perf_counter()
        status, job = await self._timed("analysis_submit", self.api.submit_analysis(product.kb_id, posts, "async"))
        if status != "ok":
            return
        if not isinstance(job, Job):
            self.report.error("analysis_submit", BrandcheckError("mode=async did not start a job"))
            return
        while True:
            await asyncio.sleep(JOB_POLL_INTERVAL)
            status, polled = await self._timed("analysis_poll", self.api.get_analysis(job.id))
            if status == "failed":
                return
            if polled is not None and polled.finished:
                break
            if time.perf_counter() - started > JOB_TIMEOUT:
                self.report.error("analysis_poll", BrandcheckError(f"job {job.id} unfinished after {JOB_TIMEOUT} s"))
                return
        if polled.status != "succeeded":
            self.report.error("analysis_poll", BrandcheckError(f"job {job.id} {polled.status}: {polled.error}"))
            return
        status, result = "throttled", None
        while status == "throttled":  # (the wait was made)
            status, result = await self._timed("analysis_result", self.api.analysis_result(job.id))
        if status != "ok" or not isinstance(result, AnalysisResult):
            return
        if result.posts != len(posts):
            self.report.error("analysis_result", BrandcheckError(f"job {job.id}: {result.posts} of {len(posts)} posts"))
            return
        self.report.job_ms.append((time.perf_counter() - started) * 1000)
        self.report.posts_analysed += len(posts)

    def _content(self, section: Section, item_id: str) -> dict[str, Any]:
        """New content for an item: a unique text (so a lost replace shows) and, by section, optional fields."""
        rng, self._serial = self.rng, self._serial + 1
        grams, months, revision = rng.randint(5, 900), rng.randint(1, 36), f"{self.number}.{self._serial}"
        if rng.random() < 0.5:
            text = f"负载测试配件{item_id}(第{revision}版)重{grams}克,保修{months}个月。"
        else:
            text = f"Load-test accessory {item_id} (revision {revision}) weighs {grams} g, {months}-month warranty."
        item: dict[str, Any] = {"id": item_id, "text": text}
        if section == "facts" and rng.random() < 0.5:
            item |= {"topic": rng.choice(["weight", "warranty", "配件"]), "tags": ["loadtest", f"r{revision}"]}
            if rng.random() < 0.3:
                item["valid_from"] = f"2026-{rng.randint(1, 12):02d}-01"
        elif section == "key-messages" and rng.random() < 0.7:
            item["priority"] = rng.randint(1, 5)
        return item

    async def edit(self) -> None:
        """Add an item, replace one of this client's items or delete one; record what was acknowledged."""
        live = [item_id for item_id, track in self.items.items() if track.settled and track.states[0] is not None]
        action = "add" if len(live) < 3 or self.rng.random() < 0.4 else self.rng.choice(["replace", "delete"])
        if action == "add":
            section = self.rng.choice(SECTIONS)
            item_id = f"L{self.number}-{len(self.items) + 1}"
            track = self.items[item_id] = ItemTrack(section, [None])
        else:
            item_id = self.rng.choice(live)
            track = self.items[item_id]
            section = track.section
        kind = f"edit_{action}"
        sent: dict[str, Any] | None = None
        change: ItemChange | None = None
        if action == "delete":
            status, _ = await self._timed(kind, self.api.delete_item(self.kb_id, section, item_id))
        else:
            sent = self._content(section, item_id)
            call = (
                self.api.add_item(self.kb_id, section, sent)
                if action == "add"
                else self.api.update_item(self.kb_id, section, item_id, sent)
            )
            status, change = await self._timed(kind, call)
        if status == "throttled":
            return  # refused before it ran: nothing changed
        if status == "failed":
            self.report.uncertain_edits += 1
            track.states.append(sent)
            track.settled = False
            return
        self.report.acknowledged_edits[action] += 1
        if action == "delete" or change is None:
            track.states = [None]
            self.deletes.append(audit_key(section, item_id))
            return
        differs = {key: value for key, value in sent.items() if change.item.get(key) != value} if sent else {}
        if differs or change.kb_id != self.kb_id:
            self.report.error(kind, BrandcheckError(f"{item_id}: acknowledged {change.item}, asked for {sent}"))
        track.states = [change.item]
        self.versions.append((change.version, audit_key(section, item_id)))


async def _verify(
    api: AsyncBrandcheckClient, kb_id: str, start_version: int, clients: Sequence[LoadClient], report: LoadReport
) -> None:
    """Compare every client's acknowledged edits with what the server holds now."""
    stored: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        for item in await api.list_items(kb_id, section):
            stored[item["id"]] = {"section": section, "item": item}
    known: set[str] = set()
    for client in clients:
        for item_id, track in client.items.items():
            known.add(item_id)
            found = stored.get(item_id)
            actual = found["item"] if found and found["section"] == track.section else None
            if found and found["section"] != track.section:
                report.lost(f"{item_id}: in {found['section']}, added to {track.section}")
            elif actual not in track.states:
                expected = track.states[0] if track.settled else " or ".join(map(str, track.states))
                report.lost(f"{track.section}/{item_id}: acknowledged {expected}, server has {actual}")
    strays = sorted(item_id for item_id in stored if item_id.startswith("L") and item_id not in known)
    if strays:
        report.version_anomalies.append(f"items no client made: {strays[:10]}")

    # Versions: each acknowledged add or replace made its own; the version moved by exactly the edits made.
    versions = Counter(version for client in clients for version, _ in client.versions)
    duplicated = sorted(version for version, count in versions.items() if count > 1)
    if duplicated:
        report.version_anomalies.append(f"versions acknowledged to more than one edit: {duplicated[:10]}")
    final = (await api.get_knowledge_base(kb_id)).version
    acknowledged = sum(report.acknowledged_edits.values())
    low, high = start_version + acknowledged, start_version + acknowledged + report.uncertain_edits
    if not low <= final <= high:
        report.version_anomalies.append(f"version {final} after {acknowledged} acknowledged edits from {start_version}")

    # The audit log: an entry for every acknowledged edit, with the version it produced.
    if final - start_version > 10_000:
        return
    try:
        entries = await api.audit_log(kb_id, limit=max(1, final - start_version))
    except PermissionDeniedError:
        return  # a reviewer key cannot read it (nor edit, so there is nothing to verify)
    written = {(entry.version, key) for entry in entries for key in (*entry.added, *entry.changed)}
    removed = {key for entry in entries for key in entry.removed}
    missing = [f"{key} (version {v})" for client in clients for v, key in client.versions if (v, key) not in written]
    missing += [key for client in clients for key in client.deletes if key not in removed]
    report.audit_missing = len(missing)
    if missing:
        report.version_anomalies.append(f"not in the audit log: {missing[:10]}")


async def _prepare(api: AsyncBrandcheckClient, products: Sequence[Product], kb_id: str) -> int:
    """Make sure the sample knowledge bases exist and ``kb_id`` starts from the sample toothbrush; its version."""
    present = {summary.id for summary in await api.list_knowledge_bases()}
    for product in products:
        if product.kb_id not in present:
            path = next(p for p in SAMPLES_DIR.glob("*.yaml") if yaml.safe_load(p.read_text())["id"] == product.kb_id)
            await api.import_knowledge_base(path, mode="upsert")
    document = yaml.safe_load((SAMPLES_DIR / LOAD_KB_SOURCE).read_text(encoding="utf-8"))
    document.pop("id")
    kb = await api.replace_knowledge_base(kb_id, json.loads(json.dumps(document, default=str)))  # dates as text
    return kb.version


async def run_load_async(
    base_url: str,
    clients: int = 32,
    duration: float = 60.0,
    api_key: str | None = None,
    kb_id: str = LOAD_KB,
) -> LoadReport:
    """Run ``clients`` concurrent clients for ``duration`` seconds against ``base_url``, then verify the edits."""
    products = load_products()
    report = LoadReport(base_url=base_url, clients=clients, duration_s=duration)
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    timeout = httpx.Timeout(120.0, connect=10.0)
    async with httpx.AsyncClient(base_url=base_url.rstrip("/"), limits=limits, timeout=timeout) as http:
        # The load goes without retries, so every failure shows; setting up and verifying (idempotent calls)
        # may retry, e.g. after a 429 when the load has used up the key's rate.
        api = AsyncBrandcheckClient(base_url, api_key, http_client=http, max_retries=0)
        admin = AsyncBrandcheckClient(base_url, api_key, http_client=http, max_retries=8)
        start_version = await _prepare(admin, products, kb_id)
        started = time.perf_counter()
        deadline = started + duration
        users = [LoadClient(n, api, products, report, deadline, kb_id) for n in range(clients)]
        await asyncio.gather(*(user.run() for user in users))
        report.elapsed_s = time.perf_counter() - started
        await _verify(admin, kb_id, start_version, users, report)
        if report.lost_edits == 0 and not report.version_anomalies:
            # An editor key may not delete it; it is replaced at the next run.
            with contextlib.suppress(PermissionDeniedError):
                await admin.delete_knowledge_base(kb_id)
    return report


def run_load(
    base_url: str, clients: int = 32, duration: float = 60.0, api_key: str | None = None, kb_id: str = LOAD_KB
) -> LoadReport:
    """Run the load (see :func:`run_load_async`) from synchronous code; returns the report."""
    return asyncio.run(run_load_async(base_url, clients, duration, api_key, kb_id))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_stats(pid: int) -> dict[str, Any]:
    """Peak resident memory and CPU seconds of a process so far (Linux /proc)."""
    stats: dict[str, Any] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                stats["peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        stats["cpu_s"] = round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    except (OSError, ValueError, IndexError):
        pass
    return stats


def log_errors(log: Path) -> list[str]:
    """Lines of a server log at level error or critical (JSON or text format)."""
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            level = str(entry.get("level", "")).lower() if isinstance(entry, dict) else ""
        except ValueError:
            level = "error" if re.search(r"\b(ERROR|CRITICAL)\b|Traceback", line) else ""
        if level in ("error", "critical"):
            found.append(line[:600])
    return found


@contextlib.contextmanager
def local_server() -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """``brandcheck serve`` with the sample knowledge bases on a free loopback port and a temporary data
    folder (no keys, the embedded store); yields its URL, the process and its log file."""
    port = _free_port()
    executable = Path(sys.executable).with_name("brandcheck")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "service.cli"]
    with tempfile.TemporaryDirectory(prefix="brandcheck-load-") as tmp:
        env = {
            **os.environ,
            "BRANDCHECK_DATA_DIR": str(Path(tmp) / "data"),
            "BRANDCHECK_SEED_SAMPLES": "true",
            "BRANDCHECK_HOST": "127.0.0.1",
            "BRANDCHECK_PORT": str(port),
            "BRANDCHECK_LOG_LEVEL": "warning",
            "HF_HUB_OFFLINE": "1",
        }
        for name in (
            "BRANDCHECK_API_KEYS",
            "BRANDCHECK_KEYS_FILE",
            "BRANDCHECK_QDRANT_URL",
            "BRANDCHECK_QDRANT_API_KEY",
        ):
            env.pop(name, None)
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            # Started in the temporary folder, so that no .env of the working copy applies.
            process = subprocess.Popen([*command, "serve"], cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 180
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"the server exited while starting:\n{log.read_text()[-3000:]}")
                    try:
                        if httpx.get(url + "/ready", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("the server did not become ready in 180 s")
                    time.sleep(0.2)
                yield url, process, log
            finally:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(60)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()


def print_table(summary: dict[str, Any]) -> None:
    """The per-kind table and the verdict lines."""
    m = summary["machine"]
    print(
        f"\nbrandcheck load test: {summary['clients']} clients x {summary['duration_s']:g} s "
        f"against {summary['server']}"
    )
    print(
        f"on {m['cpu']} ({m['cores']} cores, load average {m['load_average']}), {summary['when']}; "
        f"{summary['elapsed_s']} s with the last jobs\n"
    )
    header = f"  {'kind':<17}{'requests':>9}{'errors':>8}{'throttled':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
    print(header)
    rows = [
        *summary["by_kind"].items(),
        (
            "all requests",
            {
                "requests": summary["requests"],
                "errors": summary["errors"],
                "throttled": summary["throttled"],
                **summary["all_requests"],
            },
        ),
    ]
    for kind, f in rows:
        print(
            f"  {kind:<17}{f['requests']:>9}{f['errors']:>8}{f['throttled']:>10}"
            f"{f['p50_ms']:>10.1f}{f['p95_ms']:>10.1f}{f['p99_ms']:>10.1f}"
        )
    jobs, edits, t = summary["analysis_jobs"], summary["edits"], summary["throughput"]
    print(
        f"  {'analysis jobs':<17}{jobs['jobs']:>9}{'':>18}{jobs['p50_ms']:>10.1f}{jobs['p95_ms']:>10.1f}"
        f"{jobs['p99_ms']:>10.1f}  (submit to result, {jobs['posts']} posts)"
    )
    print(
        f"\n  throughput: {t['requests_per_s']} requests/s, {t['checks_per_s']} checks/s, "
        f"{t['posts_analysed_per_s']} posts analysed/s"
    )
    acknowledged = sum(edits["acknowledged"].values())
    by_action = ", ".join(f"{action} {n}" for action, n in sorted(edits["acknowledged"].items()))
    print(
        f"  edits: {acknowledged} acknowledged ({by_action}), "
        f"{edits['uncertain']} failed, {edits['lost']} lost; audit log missing {edits['audit_missing']}"
    )
    if summary["server_process"]:
        p = summary["server_process"]
        print(
            f"  server process: peak RSS {p.get('peak_rss_mb')} MB, {p.get('cpu_s')} CPU s "
            f"({p.get('cores_busy')} cores busy), {len(p.get('log_errors', []))} error lines in its log"
        )
    for line in summary["error_examples"] + edits["lost_examples"] + edits["version_anomalies"]:
        print("  ! " + line)
    print(f"\n  {'OK' if summary['ok'] else 'FAILED'}: {summary['errors']} errors, {edits['lost']} lost edits")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="a running server's URL (default: start one with the samples)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument(
        "--api-key", default=os.environ.get("BRANDCHECK_API_KEY") or None, help="key (or BRANDCHECK_API_KEY)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load-results.json")
    args = parser.parse_args()
    if args.server:
        try:
            report = run_load(args.server, args.clients, args.duration, args.api_key)
        except BrandcheckError as exc:  # setting up or verifying failed: no figures to show
            print(f"error: {args.server}: {exc}", file=sys.stderr)
            return 2
    else:
        with local_server() as (url, process, log):
            print(f"server ready at {url}; {args.clients} clients for {args.duration:g} s ...", flush=True)
            cpu_before = process_stats(process.pid).get("cpu_s", 0.0)
            report = run_load(url, args.clients, args.duration, args.api_key)
            stats = process_stats(process.pid)
            if "cpu_s" in stats:
                stats["cpu_s"] = round(stats["cpu_s"] - cpu_before, 1)
                stats["cores_busy"] = round(stats["cpu_s"] / report.elapsed_s, 2)
            stats["log_errors"] = log_errors(log)[:20]
            report.server_process = stats
    summary = report.summary()
    args.out.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(summary)
    print(f"\nwrote {args.out}")
    return 0 if report.ok and not report.server_process.get("log_errors") else 1


if __name__ == "__main__":
    sys.exit(main())
