"""Load test: N concurrent clients on loopback for D seconds, mixing checks, analysis jobs and knowledge-base
edits; reports errors, latency per kind and lost edits (an edit the server acknowledged but does not have).

    make load                                   # 32 clients x 60 s against a server it starts itself
    python bench/load.py --server URL --api-key KEY --clients 16 --duration 30

Every client owns its own items in a knowledge base made for the test (``loadtest``) and remembers the last
state the server acknowledged for each; at the end every such item must read back exactly so. With keys,
give a key whose rate limit fits the load (``brandcheck keys create ... --rate-per-minute 100000``): a 429
counts as an error. Writes ``bench/load-results.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "clients" / "python"))

from brandcheck_client import AsyncBrandcheckClient, BrandcheckError  # noqa: E402

LOAD_KB = "loadtest"
ZH_POSTS = [
    "这个杯子容量有{n}00毫升,装得很多。",
    "充一次电能榨{n}杯,出门很方便。",
    "听说可以直接打冰块,夏天必备!",
    "颜色很好看,送人也合适,续航{n}小时。",
    "刀头转起来有点吵,不过榨汁很细。",
]
EN_POSTS = [
    "The battery lasts {n} weeks on one charge, amazing.",
    "You can use it in the dishwasher, super easy to clean.",
    "It makes {n}0,000 strokes per minute and the timer is handy.",
    "Cheaper than the other brand during the sale, grab it.",
    "The pressure sensor lights up when I brush too hard.",
]


@dataclass
class LoadReport:
    """What a load run measured."""

    clients: int
    duration_s: float
    requests: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    acknowledged_edits: int = 0
    lost_edits: int = 0
    lost_examples: list[str] = field(default_factory=list)

    def record(self, kind: str, started: float) -> None:
        self.requests[kind] += 1
        self.latencies_ms[kind].append((time.perf_counter() - started) * 1000)

    def error(self, kind: str, exc: BaseException) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])

    @property
    def request_count(self) -> int:
        """Requests answered (a finished job counts once, as its submit)."""
        return sum(n for kind, n in self.requests.items() if kind != "analysis_job")

    @property
    def total_errors(self) -> int:
        return sum(self.errors.values())

    def summary(self) -> dict[str, Any]:
        """Figures per kind of request, and the totals."""
        kinds = {}
        for kind, values in sorted(self.latencies_ms.items()):
            ordered = sorted(values)
            kinds[kind] = {
                "requests": self.requests[kind],
                "errors": self.errors.get(kind, 0),
                "p50_ms": round(_percentile(ordered, 50), 1),
                "p95_ms": round(_percentile(ordered, 95), 1),
                "p99_ms": round(_percentile(ordered, 99), 1),
            }
        # A job's time (submit to result, many polls) is not a request's latency.
        every = sorted(v for kind, values in self.latencies_ms.items() if kind != "analysis_job" for v in values)
        return {
            "clients": self.clients,
            "duration_s": round(self.duration_s, 1),
            "requests": self.request_count,
            "requests_per_s": round(self.request_count / max(self.duration_s, 1e-9), 1),
            "errors": self.total_errors,
            "error_examples": self.error_examples,
            "p99_ms": round(_percentile(every, 99), 1),
            "acknowledged_edits": self.acknowledged_edits,
            "lost_edits": self.lost_edits,
            "lost_examples": self.lost_examples,
            "by_kind": kinds,
        }


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _post(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "chengfeng-p5", rng.choice(ZH_POSTS).format(n=rng.randint(2, 9))
    return "lumo-sonic-3", rng.choice(EN_POSTS).format(n=rng.randint(2, 9))


async def _client_loop(
    number: int,
    api: AsyncBrandcheckClient,
    deadline: float,
    report: LoadReport,
    expected: dict[str, str | None],
    uncertain: set[str],
) -> None:
    rng = random.Random(number)
    owned: list[str] = []
    serial = 0
    while time.perf_counter() < deadline:
        roll = rng.random()
        if roll < 0.80:
            kb_id, text = _post(rng)
            started = time.perf_counter()
            try:
                await api.check(kb_id, text)
                report.record("check", started)
            except BrandcheckError as exc:
                report.error("check", exc)
        elif roll < 0.95:
            action = "add" if len(owned) < 3 or rng.random() < 0.4 else rng.choice(["update", "delete"])
            if action == "add":
                serial += 1
                item_id = f"C{number}-{serial}"
            else:
                item_id = rng.choice(owned)
            text = (
                f"Client {number} item {item_id} revision {rng.randint(0, 10**6)}: rated for {rng.randint(10, 99)} C."
            )
            started = time.perf_counter()
            try:
                if action == "add":
                    await api.add_item(LOAD_KB, "facts", {"id": item_id, "text": text})
                    owned.append(item_id)
                    expected[item_id] = text
                elif action == "update":
                    await api.update_item(LOAD_KB, "facts", item_id, {"id": item_id, "text": text})
                    expected[item_id] = text
                else:
                    await api.delete_item(LOAD_KB, "facts", item_id)
                    owned.remove(item_id)
                    expected[item_id] = None
                report.acknowledged_edits += 1
                report.record(f"edit_{action}", started)
            except BrandcheckError as exc:
                report.error(f"edit_{action}", exc)
                uncertain.add(item_id)  # not acknowledged: it may or may not have happened
        else:
            posts = [{"text": _post(rng)[1]} for _ in range(rng.randint(50, 200))]
            started = time.perf_counter()
            try:
                job = await api.submit_analysis("chengfeng-p5", posts, mode="async")
                report.record("analysis_submit", started)
                result = await api.wait_for_analysis(job.id, poll_interval=0.2, timeout=300)  # type: ignore[union-attr]
                if result.posts != len(posts):
                    raise BrandcheckError(f"analysis counted {result.posts} posts of {len(posts)}")
                report.record("analysis_job", started)
            except BrandcheckError as exc:
                report.error("analysis", exc)


async def run_load_async(
    base_url: str, clients: int = 32, duration: float = 60.0, api_key: str | None = None
) -> LoadReport:
    """Run the load against a server and verify every acknowledged edit afterwards."""
    report = LoadReport(clients=clients, duration_s=duration)
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as http:
        api = AsyncBrandcheckClient(base_url, api_key, http_client=http, max_retries=0)
        sample = await api.get_knowledge_base("lumo-sonic-3")
        content = sample.model_dump(mode="json", exclude_none=True, exclude={"id", "version", "updated_at"})
        content["facts"] = content["facts"][:3]
        await api.replace_knowledge_base(LOAD_KB, content)
        expected: dict[str, str | None] = {}
        uncertain: set[str] = set()
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(*(_client_loop(n, api, deadline, report, expected, uncertain) for n in range(clients)))
        report.duration_s = time.perf_counter() - started
        stored = {fact.id: fact.text for fact in (await api.get_knowledge_base(LOAD_KB)).facts}
    for item_id, text in sorted(expected.items()):
        if item_id in uncertain:
            continue
        if stored.get(item_id) != text:
            report.lost_edits += 1
            if len(report.lost_examples) < 10:
                report.lost_examples.append(f"{item_id}: expected {text!r}, server has {stored.get(item_id)!r}")
    return report


def run_load(base_url: str, clients: int = 32, duration: float = 60.0, api_key: str | None = None) -> LoadReport:
    """Synchronous entry point of :func:`run_load_async`."""
    return asyncio.run(run_load_async(base_url, clients, duration, api_key))


@contextmanager
def local_server() -> Iterator[str]:
    """``brandcheck serve`` with the samples on a free loopback port and a temporary data folder."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "BRANDCHECK_DATA_DIR": data_dir, "BRANDCHECK_LOG_LEVEL": "warning"}
        for name in ("BRANDCHECK_API_KEYS", "BRANDCHECK_KEYS_FILE", "BRANDCHECK_QDRANT_URL"):
            env.pop(name, None)
        command = [sys.executable, "-m", "service.cli", "serve", "--seed-samples", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError("the server exited while starting")
                try:
                    if httpx.get(url + "/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not become ready")
                time.sleep(0.2)
            yield url
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="a running server (default: start one with the sample knowledge bases)")
    parser.add_argument("--api-key", default=os.environ.get("BRANDCHECK_API_KEY"))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load-results.json")
    args = parser.parse_args()
    if args.server:
        report = run_load(args.server, args.clients, args.duration, args.api_key)
    else:
        with local_server() as url:
            report = run_load(url, args.clients, args.duration, args.api_key)
    summary = report.summary()
    print(f"{'kind':<18}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind, figures in summary["by_kind"].items():
        print(
            f"{kind:<18}{figures['requests']:>10}{figures['errors']:>8}"
            f"{figures['p50_ms']:>10}{figures['p95_ms']:>10}{figures['p99_ms']:>10}"
        )
    print(
        f"{summary['clients']} clients, {summary['duration_s']} s: {summary['requests']} requests "
        f"({summary['requests_per_s']}/s), {summary['errors']} errors, p99 {summary['p99_ms']} ms, "
        f"{summary['acknowledged_edits']} acknowledged edits, {summary['lost_edits']} lost"
    )
    for example in summary["error_examples"] + summary["lost_examples"]:
        print("  " + example)
    args.out.write_text(json.dumps(summary, indent=2))
    print(f"wrote {args.out}")
    return 0 if summary["errors"] == 0 and summary["lost_edits"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
