"""brandcheck benchmark: the service against the embedding model's own speed and a naive pipeline.

Run with `make bench` (or `.venv/bin/python bench/run.py [--quick]`). Everything is measured in one run
on this machine; compare ratios, not absolute figures. Prints a table and writes bench/results.json.
`--profile` (`make profile`) instead prints where the time goes, with pyinstrument: the analysis of the
benchmark corpus and 100 single-post checks against 10,000 facts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import generate  # noqa: E402
from knowledge_base.embedding import DEFAULT_MODEL, SentenceEmbedder, load_embedding_model  # noqa: E402
from knowledge_base.lexical import LexicalEncoder  # noqa: E402
from knowledge_base.models import Fact, KnowledgeBaseContent  # noqa: E402
from knowledge_base.repository import KnowledgeBaseRepository  # noqa: E402
from knowledge_base.samples import sample_knowledge_bases  # noqa: E402
from knowledge_base.store import EdgeStore  # noqa: E402
from service.analysis.engine import aggregate, check_posts  # noqa: E402
from service.analysis.schemas import Post  # noqa: E402
from service.check.checker import Checker  # noqa: E402
from service.check.profile import claim_texts  # noqa: E402
from service.check.segmentation import split_sentences  # noqa: E402
from service.resources import settle_long_lived_objects  # noqa: E402
from service.settings import CheckThresholds  # noqa: E402

THREE_SENTENCE_POSTS = [
    "这个杯子容量有500毫升。电池2000毫安时,充一次能榨15杯。颜色很好看,我很喜欢。",
    "杯体没装好刀头就不转,很放心。直接放冰块进去打冰沙也没问题。快递第二天就到了。",
    "The cup holds 350 ml. It charges over a USB-C cable in about 3 hours. The colour is lovely.",
    "支持蓝牙,可以用手机App控制。整机重量约480克。比别的牌子便宜了五十块。",
]


def new_posts(count: int) -> list[str]:
    """3-sentence posts that are each new (a number varies), so that no cache of repeated texts helps."""
    return [f"{THREE_SENTENCE_POSTS[i % 4]} 第{i}次。" for i in range(count)]


def uncached_checker(repository: KnowledgeBaseRepository, embedder: SentenceEmbedder) -> Checker:
    """A checker with every cache off: what a post never seen before costs."""
    checker = Checker(repository, embedder.without_cache(), CheckThresholds())
    checker.hits_cache_size = checker.sentence_cache_size = 0
    return checker


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def fifty_fact_kb() -> KnowledgeBaseContent:
    """The blender sample plus generated accessory facts: 50 facts."""
    blender = next(kb for kb in sample_knowledge_bases() if kb.id == "chengfeng-p5").content
    extra = [
        Fact(id=f"X{n}", text=f"配件{n}号的重量为{20 + n}克,长度{5 + n}厘米,可单独购买。")
        for n in range(50 - len(blender.facts))
    ]
    return blender.model_copy(update={"facts": [*blender.facts, *extra]})


def scaled_kb(size: int, seed: int = 1) -> KnowledgeBaseContent:
    """A knowledge base of ``size`` generated facts in both languages, with the blender's messages."""
    rng = random.Random(seed)
    blender = next(kb for kb in sample_knowledge_bases() if kb.id == "chengfeng-p5").content
    nouns_zh = ["杯盖", "刀头", "底座", "杯体", "密封圈", "充电线", "吸管", "背带", "收纳袋", "滤网"]
    nouns_en = ["lid", "blade", "base", "cup", "seal", "cable", "straw", "strap", "pouch", "filter"]
    facts = list(blender.facts)
    for n in range(size - len(facts)):
        if n % 2:
            text = f"型号{n}的{rng.choice(nouns_zh)}重{rng.randint(5, 900)}克,保修{rng.randint(1, 36)}个月。"
        else:
            text = (
                f"Model {n} {rng.choice(nouns_en)} weighs {rng.randint(5, 900)} g and lasts {rng.randint(1, 30)} days."
            )
        facts.append(Fact(id=f"G{n}", text=text))
    return blender.model_copy(update={"facts": facts})


def open_repository(path: Path, embedder: SentenceEmbedder) -> tuple[EdgeStore, KnowledgeBaseRepository]:
    store = EdgeStore(path)
    repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
    repository.open()
    return store, repository


def sample_checker(embedder: SentenceEmbedder, path: Path) -> tuple[EdgeStore, KnowledgeBaseRepository, Checker]:
    """A store at ``path`` holding the sample knowledge bases, and a checker on it."""
    store, repository = open_repository(path, embedder)
    for kb in sample_knowledge_bases():
        repository.save(kb.id, kb.content)
    return store, repository, Checker(repository, embedder, CheckThresholds())


def sample_corpora(posts_per_kb: int) -> list[tuple[str, list[Post]]]:
    """The benchmark corpus: generated posts for each sample knowledge base."""
    return [(kb_id, generate(kb_id, posts=posts_per_kb, seed=5).posts) for kb_id in ("chengfeng-p5", "lumo-sonic-3")]


def bench_analysis(embedder: SentenceEmbedder, path: Path, corpora: Sequence[tuple[str, list[Post]]]) -> dict[str, Any]:
    """The model's own batched encode of the corpora's sentences, and the end-to-end analysis of them."""
    store, repository, checker = sample_checker(embedder, path)
    sentences = [s.text for _, posts in corpora for post in posts for s in split_sentences(post.text)]
    for kb_id, posts in corpora:  # warm both profiles and caches of the model
        checker.check_many(kb_id, [posts[0].text])
    raw = timed(lambda: embedder.without_cache().encode(sentences))
    embedder.clear_cache()  # the analysis starts cold: only its own repeats may help it
    analysis = 0.0
    for kb_id, posts in corpora:
        kb = repository.get(kb_id)
        analysis += timed(lambda: aggregate(kb, *check_posts(checker, kb_id, posts)))
    store.close()
    raw_sps, analysis_sps = len(sentences) / raw, len(sentences) / analysis
    return {
        "posts": sum(len(posts) for _, posts in corpora),
        "sentences": len(sentences),
        "distinct_sentences": len(set(sentences)),
        "raw_encode_sps": round(raw_sps, 1),
        "analysis_sps": round(analysis_sps, 1),
        "analysis_ratio": round(analysis_sps / raw_sps, 3),
    }


def unrepeated(corpora: Sequence[tuple[str, list[Post]]]) -> list[tuple[str, list[Post]]]:
    """The corpora with a tag unique to each sentence (letters, no figure) before its final punctuation, so
    that no whole sentence repeats (clauses before the tagged one still may, as phrases do in real posts)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    count = 0
    result = []
    for kb_id, posts in corpora:
        tagged = []
        for post in posts:
            text = post.text
            for span in reversed(split_sentences(text)):
                count += 1
                tag = "".join(letters[(count // 26**place) % 26] for place in range(4))
                at = span.end - 1 if not text[span.end - 1].isalnum() else span.end
                text = f"{text[:at]} #{tag}{text[at:]}"
            tagged.append(post.model_copy(update={"text": text}))
        result.append((kb_id, tagged))
    return result


def bench_latency(embedder: SentenceEmbedder, work: Path, checks: int) -> dict[str, Any]:
    store, repository = open_repository(work / "latency", embedder)
    repository.save("fifty", fifty_fact_kb())
    embedder = embedder.without_cache()
    checker = uncached_checker(repository, embedder)
    checker.check("fifty", THREE_SENTENCE_POSTS[0])
    posts = new_posts(checks)
    check_times = [timed(lambda post=post: checker.check("fifty", post)) for post in posts]  # type: ignore[misc]
    encode_times = [
        timed(lambda post=post: embedder.encode([s.text for s in split_sentences(post)]))  # type: ignore[misc]
        for post in posts
    ]
    store.close()
    bare = statistics.median(encode_times) * 1000
    return {
        "check_p50_ms": round(percentile(check_times, 50) * 1000, 2),
        "check_p95_ms": round(percentile(check_times, 95) * 1000, 2),
        "check_p99_ms": round(percentile(check_times, 99) * 1000, 2),
        "bare_encode_p50_ms": round(bare, 2),
        "check_p50_target_ms": round(2 * bare + 3, 2),
    }


def bench_scale(embedder: SentenceEmbedder, work: Path, sizes: Sequence[int], checks: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    embedder = embedder.without_cache()
    posts = new_posts(checks)
    bare = statistics.median(timed(lambda p=p: embedder.encode([s.text for s in split_sentences(p)])) for p in posts)  # type: ignore[misc]
    for size in sizes:
        store, repository = open_repository(work / f"scale-{size}", embedder)
        load = timed(lambda size=size: repository.save("scale", scaled_kb(size)))  # type: ignore[misc]
        checker = uncached_checker(repository, embedder)
        checker.check("scale", posts[0])
        times = [timed(lambda post=post: checker.check("scale", post)) for post in posts]  # type: ignore[misc]
        store.close()
        results[str(size)] = {"load_s": round(load, 1), "check_p50_ms": round(percentile(times, 50) * 1000, 2)}
    results["bare_encode_p50_ms"] = round(bare * 1000, 2)
    return results


def bench_naive(embedder: SentenceEmbedder, corpora: Sequence[tuple[str, list[Post]]], posts: int) -> dict[str, Any]:
    """Encode one sentence, query qdrant-client local mode for it, one at a time."""
    from qdrant_client import QdrantClient, models

    embedder = embedder.without_cache()
    client = QdrantClient(":memory:")
    client.create_collection(
        "facts", vectors_config=models.VectorParams(size=embedder.dimension, distance=models.Distance.COSINE)
    )
    kb = next(kb for kb in sample_knowledge_bases() if kb.id == "chengfeng-p5")
    texts = [
        item.text
        for kind in ("facts", "key_messages", "avoid_topics", "prohibited_claims")
        for item in getattr(kb, kind)
    ]
    vectors = embedder.encode(texts)
    client.upsert("facts", [models.PointStruct(id=i, vector=vectors[i].tolist()) for i in range(len(texts))])
    sentences = [
        s.text for _, kb_posts in corpora for post in kb_posts[: posts // 2] for s in split_sentences(post.text)
    ]
    start = time.perf_counter()
    for sentence in sentences:
        vector = embedder.encode([sentence])[0]
        client.query_points("facts", query=vector.tolist(), limit=5)
    elapsed = time.perf_counter() - start
    return {"sentences": len(sentences), "naive_sps": round(len(sentences) / elapsed, 1)}


def profile(embedder: SentenceEmbedder, work: Path) -> None:
    """Print pyinstrument's call tree for the analysis and for single-post checks (caches as in the bench)."""
    from pyinstrument import Profiler

    store, repository, checker = sample_checker(embedder, work / "profile")
    repository.save("scale", scaled_kb(10_000))
    corpora = sample_corpora(2500)
    for kb_id, posts in corpora:
        checker.check_many(kb_id, [posts[0].text])
    embedder.clear_cache()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for kb_id, posts in corpora:
            kb = repository.get(kb_id)
            aggregate(kb, *check_posts(checker, kb_id, posts))
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    uncached = uncached_checker(repository, embedder)
    never_seen = new_posts(100)
    uncached.check("scale", never_seen[0])
    profiler = Profiler(interval=0.0002)
    with profiler:
        for text in never_seen:
            uncached.check("scale", text)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


RESTARTS = 3


def bench_server(work: Path, requests_per_client: int, clients: int = 8) -> dict[str, Any]:
    """Cold start to ready, memory after load, and check throughput with concurrent clients over loopback."""
    data = work / "server"
    command = [sys.executable, "-m", "service.cli", "--data-dir", str(data), "serve", "--seed-samples"]
    results: dict[str, Any] = {}
    restarts: list[float] = []
    # A start is one sample of a noisy machine: the restart figure is the median of three.
    phases = ["first start (samples embedded)", *(["restart"] * RESTARTS)]
    for number, phase in enumerate(phases):
        port = free_port()
        env = {**os.environ, "BRANDCHECK_PORT": str(port), "BRANDCHECK_LOG_LEVEL": "warning"}
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                if httpx.get(url + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.perf_counter() - start > 120:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        ready = time.perf_counter() - start
        if phase == "restart":
            restarts.append(ready)
            results[f"cold_start_s (restart, median of {RESTARTS})"] = round(statistics.median(restarts), 2)
            results["cold_start_s (restarts)"] = [round(value, 2) for value in restarts]
        else:
            results[f"cold_start_s ({phase})"] = round(ready, 2)
        results[f"rss_after_load_mb ({phase})"] = round(rss_mb(process.pid), 1)
        if number == len(phases) - 1:
            latencies: list[float] = []
            lock = threading.Lock()

            def client(number: int) -> None:
                with httpx.Client(base_url=url, timeout=60) as http:
                    for i in range(requests_per_client):
                        text = f"{THREE_SENTENCE_POSTS[(number + i) % 4]} 客户{number}第{i}次。"
                        began = time.perf_counter()
                        response = http.post("/api/v1/knowledge-bases/chengfeng-p5/check", json={"text": text})
                        response.raise_for_status()
                        with lock:
                            latencies.append(time.perf_counter() - began)

            began = time.perf_counter()
            threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            results["concurrent_clients"] = clients
            results["concurrent_checks_per_s"] = round(len(latencies) / elapsed, 1)
            results["concurrent_p50_ms"] = round(percentile(latencies, 50) * 1000, 1)
            results["concurrent_p99_ms"] = round(percentile(latencies, 99) * 1000, 1)
            results["rss_after_load_mb (after checks)"] = round(rss_mb(process.pid), 1)
        process.terminate()
        process.wait(30)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller corpus and knowledge bases (a smoke run)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--profile", action="store_true", help="print where the time goes (pyinstrument) instead")
    args = parser.parse_args()
    quick = args.quick
    embedder = SentenceEmbedder(load_embedding_model(DEFAULT_MODEL), DEFAULT_MODEL)
    settle_long_lived_objects()  # as the service does once its model and store are open
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="brandcheck-profile-") as tmp:
            profile(embedder, Path(tmp))
        return 0
    results: dict[str, Any] = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    with tempfile.TemporaryDirectory(prefix="brandcheck-bench-") as tmp:
        work = Path(tmp)
        print("analysis ...", flush=True)
        corpora = sample_corpora(250 if quick else 2500)
        results["analysis"] = bench_analysis(embedder, work / "analysis", corpora)
        print("analysis of posts that never repeat ...", flush=True)
        results["unrepeated"] = bench_analysis(embedder, work / "unrepeated", unrepeated(corpora))
        print("single-post latency ...", flush=True)
        results["latency"] = bench_latency(embedder, work, 50 if quick else 300)
        print("naive pipeline ...", flush=True)
        naive = bench_naive(embedder, corpora, 100 if quick else 1000)
        naive["speedup"] = round(results["analysis"]["analysis_sps"] / naive["naive_sps"], 1)
        results["naive"] = naive
        print("knowledge-base scale ...", flush=True)
        sizes = (1_000, 5_000) if quick else (1_000, 10_000, 100_000)
        results["scale"] = bench_scale(embedder, work, sizes, 30 if quick else 100)
        print("server ...", flush=True)
        results["server"] = bench_server(work, 10 if quick else 40)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print_table(results)
    return 0


def print_table(r: dict[str, Any]) -> None:
    a, u, lat, n, sc, sv = r["analysis"], r["unrepeated"], r["latency"], r["naive"], r["scale"], r["server"]
    largest = max((k for k in sc if k.isdigit()), key=int)
    rows = [
        ("raw_encode_sps", a["raw_encode_sps"], ""),
        (
            "analysis_sps",
            a["analysis_sps"],
            f"{a['posts']} posts, {a['sentences']} sentences ({a['distinct_sentences']} distinct)",
        ),
        ("analysis_ratio", a["analysis_ratio"], "target >= 0.8"),
        (
            "no repeats: raw / analysis sps, ratio",
            f"{u['raw_encode_sps']} / {u['analysis_sps']}, {u['analysis_ratio']}",
            f"each sentence tagged unique ({u['distinct_sentences']} distinct of {u['sentences']}); no target",
        ),
        (
            "check p50 / p95 / p99 ms",
            f"{lat['check_p50_ms']} / {lat['check_p95_ms']} / {lat['check_p99_ms']}",
            "3-sentence posts, 50 facts",
        ),
        ("bare encode p50 ms", lat["bare_encode_p50_ms"], f"target check p50 <= {lat['check_p50_target_ms']}"),
        (
            "8 clients: checks/s, p50, p99 ms",
            f"{sv['concurrent_checks_per_s']}, {sv['concurrent_p50_ms']}, {sv['concurrent_p99_ms']}",
            "loopback, live server",
        ),
        *[
            (f"check p50 ms, {int(k):,} facts", v["check_p50_ms"], f"loaded in {v['load_s']} s")
            for k, v in sc.items()
            if k.isdigit()
        ],
        (f"target at {int(largest):,} facts", round(sc["bare_encode_p50_ms"] + 10, 2), "bare encode + 10 ms"),
        ("naive_sps", n["naive_sps"], f"{n['sentences']} sentences, one at a time, qdrant-client local"),
        ("speed-up over naive", n["speedup"], "target >= 10"),
        *[
            (k, " / ".join(map(str, v)) if isinstance(v, list) else v, "")
            for k, v in sv.items()
            if k.startswith(("cold_start", "rss"))
        ],
    ]
    width = max(len(str(row[0])) for row in rows)
    print(f"\nbrandcheck benchmark on {r['machine']['cpu']} ({r['machine']['cores']} cores), {r['when']}")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value!s:>22}  {note}")


if __name__ == "__main__":
    sys.exit(main())
