"""Conversation analysis: recovers planted rates from a synthetic bilingual corpus; jobs survive restarts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from litestar.testing import TestClient

from bench.synthetic import Corpus, generate
from knowledge_base.errors import InvalidInputError
from service.analysis.engine import PostOutcome, analyse, near_duplicates
from service.analysis.jobs import AnalysisJobs, JobStatus
from service.analysis.parsing import detect_post_format, parse_posts
from service.analysis.schemas import AnalysisResult
from service.check.checker import Checker
from service.cli import main
from service.settings import Settings

TOLERANCE = 0.02  # absolute, on shares of posts


@pytest.fixture(scope="module", params=["chengfeng-p5", "lumo-sonic-3"])
def analysed(request: pytest.FixtureRequest, checker: Checker) -> tuple[Corpus, AnalysisResult]:
    corpus = generate(request.param, posts=1500)
    return corpus, analyse(checker, corpus.kb_id, corpus.posts)


def test_pull_through_distortions_and_avoid_topics_match_what_was_planted(
    analysed: tuple[Corpus, AnalysisResult],
) -> None:
    corpus, result = analysed
    total = len(corpus.posts)
    assert result.posts == total
    for message in result.key_messages:
        assert message.pull_through == pytest.approx(len(corpus.messages[message.id]) / total, abs=TOLERANCE)
    assert sum(m.share_of_voice for m in result.key_messages) == pytest.approx(1.0, abs=0.01)
    found = {(d.fact_id, d.kind): d for d in result.distortions}
    for key, posts in corpus.distortions.items():
        if not posts:
            continue
        if key[1] == "usage":
            # Uses are the fitted decision's least confident kind (its recall on new products is lowest):
            # the planted ones may be under-reported, never over-reported.
            assert key not in found or found[key].share <= len(posts) / total + TOLERANCE, key
        else:
            assert found[key].share == pytest.approx(len(posts) / total, abs=TOLERANCE), key
    assert set(found) <= {key for key, posts in corpus.distortions.items() if posts}
    for topic in result.avoid_topics:
        assert topic.share == pytest.approx(len(corpus.avoid.get(topic.id, ())) / total, abs=TOLERANCE)


def test_ranking_corrections_timeline_clusters_and_backlash(analysed: tuple[Corpus, AnalysisResult]) -> None:
    corpus, result = analysed
    priorities = [d.priority for d in result.distortions]
    assert priorities == sorted(priorities, reverse=True)
    top = result.distortions[0]
    assert top.correction.startswith("Official:") and top.examples and top.first_seen and top.last_seen
    assert result.timeline is not None and result.timeline.granularity == "day"
    assert len(result.timeline.buckets) == 30
    assert sum(bucket.posts for bucket in result.timeline.buckets) == len(corpus.posts)
    largest = result.homogenisation.near_duplicate_clusters[0]
    assert set(largest.post_ids) >= set(list(corpus.duplicate_ids)[:20]) or largest.size >= len(corpus.duplicate_ids)
    assert 0 < result.homogenisation.novelty_index < 1
    assert [b.author for b in result.backlash] == [corpus.backlash_author]
    assert 0 < result.dilution.dilution < 1 and 0 < result.dilution.off_topic_share < 1


def test_near_duplicates_are_copies_not_posts_on_the_same_template() -> None:
    """Reposts with an emoji, other punctuation or one word changed are one cluster; posts that only share
    a template or the product's name, and short repeated exclamations, are not copies."""
    original = (
        "这款榨汁杯真的好用,电池充满能打十几杯,出门带着特别方便,清洗也很简单,"
        "早上做一杯橙汁再去上课完全来得及,刀头很锋利冰块也能打碎,推荐给大家!"
    )
    texts = [
        original,
        "字数不多但想说,这个月买了好几样小家电,就它最满意。",
        original.replace("!", "🔥🔥") + "#好物分享",
        original.replace(",", "，").replace("!", "。"),
        "这款榨汁杯外观好看,颜色很少女,拍照很出片,送人也合适,就是价格有点小贵。",
        "哈哈哈哈哈哈哈哈",
        "哈哈哈哈哈哈哈哈哈哈",
        original.replace("出门", "通勤"),
    ]
    posts = [PostOutcome(i, f"p{i}", t, None, None, 0, [], [], [], 1, 1, 0, 0, False) for i, t in enumerate(texts)]
    clusters = near_duplicates(posts)
    assert [sorted(cluster.post_ids) for cluster in clusters] == [["p0", "p2", "p3", "p7"]]
    assert clusters[0].size == 4 and clusters[0].sample == original
    assert near_duplicates([]) == [] and near_duplicates(posts[5:7]) == []


def test_posts_parse_from_csv_jsonl_and_json_and_errors_name_the_row() -> None:
    csv_body = "id,text,author,timestamp,likes\n1,容量350毫升,amy,2026-10-01T08:00:00,3\n2,Nice colour,bob,,\n".encode()
    assert detect_post_format("text/csv", None, csv_body) == "csv"
    posts = parse_posts(csv_body, "csv")
    assert [p.text for p in posts] == ["容量350毫升", "Nice colour"] and posts[0].likes == 3
    jsonl = b'{"text": "a"}\n\n{"text": "b", "views": 9}\n'
    assert detect_post_format(None, "posts.jsonl", jsonl) == "jsonl" and len(parse_posts(jsonl, "jsonl")) == 2
    assert len(parse_posts(b'{"posts": [{"text": "x"}]}', "json")) == 1
    with pytest.raises(InvalidInputError) as bad:
        parse_posts(b"id,text,likes\n1,ok,-4\n2,,1\n", "csv")
    fields = [error["field"] for error in bad.value.extra]  # type: ignore[union-attr]
    assert fields == ["row 2.likes", "row 3.text"]
    with pytest.raises(InvalidInputError, match="row 2 has more fields than the header"):
        parse_posts("text,author\n容量350毫升,颜色好看,amy\n".encode(), "csv")
    with pytest.raises(InvalidInputError, match="header row with a 'text' column"):
        parse_posts(b"body\nhello\n", "csv")


def wait_for(jobs: AnalysisJobs, job_id: str, statuses: set[JobStatus], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while jobs.get(job_id).status not in statuses:
        assert time.monotonic() < deadline, jobs.get(job_id)
        time.sleep(0.1)


def test_a_job_interrupted_mid_way_resumes_after_restart(tmp_path: Path, checker: Checker) -> None:
    corpus = generate("lumo-sonic-3", posts=900, seed=11)
    jobs = AnalysisJobs(tmp_path / "jobs", checker)
    jobs.start()
    info = jobs.submit("lumo-sonic-3", corpus.posts)
    deadline = time.monotonic() + 300
    while jobs.get(info.id).done < 256:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    jobs.stop()  # the process goes away mid-job
    interrupted = jobs.get(info.id)
    assert interrupted.status is JobStatus.RUNNING and 0 < interrupted.done < interrupted.total
    restarted = AnalysisJobs(tmp_path / "jobs", checker)
    restarted.start()
    wait_for(restarted, info.id, {JobStatus.SUCCEEDED, JobStatus.FAILED})
    finished = restarted.get(info.id)
    assert finished.status is JobStatus.SUCCEEDED and finished.resumed == 1 and finished.done == 900
    resumed = restarted.result(info.id)
    fresh = analyse(checker, "lumo-sonic-3", corpus.posts)
    assert [m.posts for m in resumed.key_messages] == [m.posts for m in fresh.key_messages]
    assert [(d.fact_id, d.posts) for d in resumed.distortions] == [(d.fact_id, d.posts) for d in fresh.distortions]
    restarted.stop()


def test_a_job_whose_input_is_gone_is_marked_failed_not_lost(tmp_path: Path, checker: Checker) -> None:
    jobs = AnalysisJobs(tmp_path / "jobs", checker)
    info = jobs.submit("lumo-sonic-3", generate("lumo-sonic-3", posts=40).posts)
    (tmp_path / "jobs" / info.id / "posts.jsonl").unlink()
    jobs.start()
    assert jobs.get(info.id).status is JobStatus.FAILED
    jobs.stop()


def test_api_sync_async_cancel_and_report(client: TestClient) -> None:  # type: ignore[type-arg]
    posts = [post.model_dump(mode="json", exclude_none=True) for post in generate("chengfeng-p5", posts=60).posts]
    sync = client.post("/api/v1/knowledge-bases/chengfeng-p5/analyses", json={"posts": posts})
    assert sync.status_code == 200, sync.text
    assert sync.json()["posts"] == 60 and len(sync.json()["key_messages"]) == 3

    lines = "\n".join(json.dumps(post, ensure_ascii=False) for post in posts).encode()
    started = client.post(
        "/api/v1/knowledge-bases/chengfeng-p5/analyses",
        params={"mode": "async"},
        content=lines,
        headers={"content-type": "application/x-ndjson"},
    )
    assert started.status_code == 202 and started.headers["location"] == f"/api/v1/analyses/{started.json()['id']}"
    job_id = started.json()["id"]
    deadline = time.monotonic() + 120
    while (status := client.get(f"/api/v1/analyses/{job_id}").json())["status"] != "succeeded":
        assert status["status"] in ("queued", "running") and time.monotonic() < deadline
        time.sleep(0.1)
    assert client.get(f"/api/v1/analyses/{job_id}/result").json()["posts"] == 60
    report = client.get(f"/api/v1/analyses/{job_id}/report.html")
    assert report.status_code == 200 and "<svg" in report.text and "<script" not in report.text
    assert "http://" not in report.text and "https://" not in report.text
    assert client.post(f"/api/v1/analyses/{job_id}/cancel").status_code == 409

    big = [{"text": f"第{n}条:容量350毫升,颜色好看。"} for n in range(3000)]
    queued = client.post("/api/v1/knowledge-bases/chengfeng-p5/analyses", json=big)
    assert queued.status_code == 202
    cancelled = client.post(f"/api/v1/analyses/{queued.json()['id']}/cancel").json()
    assert cancelled["status"] in ("cancelled", "running", "queued")
    deadline = time.monotonic() + 120
    while client.get(f"/api/v1/analyses/{queued.json()['id']}").json()["status"] != "cancelled":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert client.get(f"/api/v1/analyses/{queued.json()['id']}/result").status_code == 409
    assert client.get("/api/v1/analyses/doesnotexist").status_code == 404
    too_many = client.post("/api/v1/knowledge-bases/chengfeng-p5/analyses", params={"mode": "sync"}, json=big)
    assert too_many.status_code == 422 and too_many.json()["extra"][0]["field"] == "posts"
    assert client.post("/api/v1/knowledge-bases/nope/analyses", json={"posts": posts}).status_code == 404


def test_cli_analyze_writes_json_and_html(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANDCHECK_DATA_DIR", str(settings.data_dir))
    sample = next(path for path in sorted((Path(__file__).parents[1] / "knowledge_base" / "samples").glob("*.yaml")))
    assert main(["kb", "load", str(sample)]) == 0
    posts = tmp_path / "posts.csv"
    posts.write_text(
        'text,author\n这个杯子容量有500毫升。,amy\n"电池2000毫安时,充一次能榨15杯。",bob\n', encoding="utf-8"
    )
    out, html = tmp_path / "report.json", tmp_path / "report.html"
    assert main(["analyze", str(posts), "--kb", "chengfeng-p5", "--out", str(out), "--html", str(html), "--quiet"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["posts"] == 2 and result["distortions"][0]["fact_id"] == "F1"
    assert "<svg" in html.read_text(encoding="utf-8")
