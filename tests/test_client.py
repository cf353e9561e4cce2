"""The Python client end to end against the real app (its test client is an httpx client)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from brandcheck_client import (
    AsyncBrandcheckClient,
    AuthenticationError,
    BrandcheckClient,
    CheckResult,
    ConflictError,
    DistortionMark,
    FeedbackRequest,
    ItemMark,
    Job,
    MissedDistortion,
    NotFoundError,
    ReviewSource,
    ValidationError,
    VerdictRef,
)
from litestar.testing import AsyncTestClient, TestClient

from knowledge_base.samples import sample_paths
from service.app import create_app
from service.observability import JsonFormatter, access_logger
from service.settings import Settings
from tests.conftest import TEST_KEYS

KETTLE = {
    "id": "kettle",
    "brand": "Demo",
    "product": "Demo Kettle",
    "lang": "en",
    "facts": [{"id": "F1", "text": "The kettle holds 1.7 litres."}],
    "key_messages": [{"id": "M1", "text": "A full kettle in four minutes."}],
}


def test_every_method_against_the_real_app(client: TestClient, tmp_path: Path) -> None:  # type: ignore[type-arg]
    api = BrandcheckClient(http_client=client)
    assert {kb.id for kb in api.list_knowledge_bases()} == {"chengfeng-p5", "lumo-sonic-3"}
    created = api.create_knowledge_base(KETTLE)
    assert created.version == 1 and created.facts[0].text == "The kettle holds 1.7 litres."
    with pytest.raises(ConflictError):
        api.create_knowledge_base(KETTLE)
    assert api.get_knowledge_base("kettle").product == "Demo Kettle"
    replaced = api.replace_knowledge_base("kettle", {k: v for k, v in KETTLE.items() if k != "id"}, expected_version=1)
    assert replaced.version == 2
    with pytest.raises(ConflictError):
        api.replace_knowledge_base("kettle", {k: v for k, v in KETTLE.items() if k != "id"}, expected_version=1)
    change = api.add_item("kettle", "facts", {"id": "F2", "text": "It boils in 4 minutes."})
    assert change.version == 3
    with pytest.raises(ValidationError) as invalid:
        api.add_item("kettle", "key-messages", {"id": "M2", "text": "ok", "priority": 9})
    assert invalid.value.field_errors[0]["field"] == "priority"
    assert api.update_item("kettle", "facts", "F2", {"text": "It boils in 3 minutes."}).version == 4
    assert api.get_item("kettle", "facts", "F2")["text"] == "It boils in 3 minutes."
    assert [item["id"] for item in api.list_items("kettle", "facts")] == ["F1", "F2"]
    api.delete_item("kettle", "facts", "F2")
    exported = json.loads(api.export_knowledge_base("kettle"))
    assert exported["facts"] == [{"id": "F1", "text": "The kettle holds 1.7 litres."}]
    assert api.export_knowledge_base("kettle", format="yaml").startswith("id: kettle")
    imported = api.import_knowledge_base(sample_paths()[0], mode="replace")
    assert imported.id == "chengfeng-p5"
    copy = tmp_path / "kb.json"
    copy.write_text(json.dumps(exported), encoding="utf-8")
    assert api.import_knowledge_base(copy, kb_id="kettle-copy", mode="create").id == "kettle-copy"
    api.delete_knowledge_base("kettle")
    with pytest.raises(NotFoundError):
        api.get_knowledge_base("kettle")

    found = api.search("chengfeng-p5", "Can it crush ice?", limit=3, sections=["facts"])
    assert found.results[0].id == "F6"
    checked = api.check("chengfeng-p5", "这个杯子容量有500毫升。")
    assert [(d.fact_id, d.kind) for d in checked.distortions] == [("F1", "numeric")]
    assert checked.corrected_text == "这个杯子容量有350毫升。"
    emoji = "好喝🥤。这个杯子容量有500毫升。"
    assert [s.start for s in api.check("chengfeng-p5", emoji).sentences] == [0, 4]
    assert [s.start for s in api.check("chengfeng-p5", emoji, offsets="utf16").sentences] == [0, 5]

    posts = [{"text": "这个杯子容量有500毫升。", "author": "amy"}, {"text": "电池2000毫安时,充一次能榨15杯。"}]
    job = api.submit_analysis("chengfeng-p5", posts)
    assert isinstance(job, Job)
    seen: list[int] = []
    result = api.wait_for_analysis(job.id, poll_interval=0.05, timeout=120, on_progress=lambda j: seen.append(j.done))
    assert result.posts == 2 and result.distortions[0]["fact_id"] == "F1"
    assert seen and seen[-1] == 2
    assert api.get_analysis(job.id).status == "succeeded"
    assert api.analysis_result(job.id).posts == 2
    with pytest.raises(ConflictError):
        api.cancel_analysis(job.id)
    immediate = api.submit_analysis("chengfeng-p5", posts, mode="auto")
    assert not isinstance(immediate, Job) and immediate.posts == 2


async def test_async_client_against_the_real_app(settings: Settings) -> None:
    settings.seed_samples = True
    async with AsyncTestClient(app=create_app(settings)) as http, AsyncBrandcheckClient(http_client=http) as api:
        summaries = await api.list_knowledge_bases()
        assert {kb.id for kb in summaries} == {"chengfeng-p5", "lumo-sonic-3"}
        checked = await api.check("lumo-sonic-3", "It has 5 cleaning modes.")
        assert [(d.fact_id, d.kind) for d in checked.distortions] == [("F5", "numeric")]
        with pytest.raises(NotFoundError):
            await api.get_knowledge_base("nope")
        job = await api.submit_analysis("lumo-sonic-3", [{"text": "It connects to an app over Bluetooth."}])
        assert isinstance(job, Job)
        result = await api.wait_for_analysis(job.id, poll_interval=0.05, timeout=120)
        assert result.distortions[0]["fact_id"] == "F8"


# Written for these tests: two wrong figures the checker flags (F1 capacity, F2 battery) and a base rinsed
# under the tap (F8, usage) it does not.
HIKE = "爬山带着这台榨汁杯,能装450毫升,电池4000毫安时。底座直接放水龙头下冲洗。"


def hike_feedback(result: CheckResult) -> FeedbackRequest:
    """The first flag right, the second wrong, the base missed, every carried key message rejected."""
    assert [(d.kind, d.fact_id) for d in result.distortions] == [("numeric", "F1"), ("numeric", "F2")]
    return FeedbackRequest(
        text=HIKE,
        verdict=VerdictRef.of(result),
        marks=[DistortionMark(distortion=0, right=True), DistortionMark(distortion=1, right=False)],
        missed=[MissedDistortion(start=HIKE.index("底座"), end=len(HIKE), kind="usage", fact_id="F8")],
        key_messages=[ItemMark(id=m.id, right=False) for m in result.key_messages_carried],
    )


def test_feedback_and_the_review_queue_through_the_client(client: TestClient) -> None:  # type: ignore[type-arg]
    api = BrandcheckClient(http_client=client)
    kb = "chengfeng-p5"
    checked = api.check(kb, HIKE)
    entry = api.give_feedback(kb, hike_feedback(checked))
    assert (entry.kb_id, entry.kb_version, entry.reviewer, entry.agreed) == (kb, checked.kb_version, "local", False)
    assert entry.kinds == ["numeric", "usage"] and entry.verdict.distortions[0].confidence is not None
    assert [(label.kind, label.fact_id) for label in entry.labels.distortions] == [("numeric", "F1"), ("usage", "F8")]
    assert entry.at.tzinfo is not None

    today = dt.datetime.now(dt.UTC).date()
    page = api.list_feedback(kb, kind="usage", agreement="disagreed", since=today, until=today.isoformat())
    assert (page.total, [e.id for e in page.entries]) == (1, [entry.id])
    assert api.list_feedback(kb, agreement="agreed").total == 0
    assert api.list_feedback(kb, reviewer="someone-else").entries == []
    summary = api.feedback_summary(kb, reviewer="local")
    overall = summary.overall
    assert (summary.entries, overall.marked, overall.right, overall.wrong, overall.missed) == (1, 2, 1, 1, 1)
    assert overall.precision == 0.5 and [k.kind for k in summary.by_kind] == ["numeric", "usage"]
    assert summary.weeks[0].entries == 1

    # An unknown fact is refused with the field named, and nothing is stored.
    unknown = hike_feedback(checked).model_copy(
        update={"missed": [MissedDistortion(start=0, end=5, kind="usage", fact_id="F99")]}
    )
    with pytest.raises(ValidationError) as refused:
        api.give_feedback(kb, unknown)
    assert refused.value.status_code == 422
    assert [error["field"] for error in refused.value.field_errors] == ["missed[0].fact_id"]
    assert api.list_feedback(kb).total == 1

    # The review queue of a job: feedback from it moves the reviewer on, a skip too.
    posts = [{"id": "hike", "text": HIKE, "likes": 5}, {"id": "en", "text": "The cup holds 500 ml.", "likes": 80}]
    job = api.submit_analysis(kb, posts)
    assert isinstance(job, Job)
    api.wait_for_analysis(job.id, poll_interval=0.05, timeout=120)
    queue = api.review_queue(job.id, order="reach")
    assert (queue.order, queue.total, queue.reviewed, queue.remaining) == ("reach", 2, 0, 2)
    assert queue.current is not None and queue.current.post.id == "en" and queue.current.position == 1
    assert queue.current.check.distortions[0].fact_id == "F1" and queue.current.facts[0].id == "F1"
    current = queue.current
    from_queue = FeedbackRequest(
        text=current.post.text,
        verdict=VerdictRef.of(current.check),
        marks=[DistortionMark(distortion=n, right=True) for n in range(len(current.check.distortions))],
        source=ReviewSource(job_id=job.id, post_index=current.post.index),
    )
    assert api.give_feedback(kb, from_queue).source is not None
    queue = api.review_queue(job.id)  # the order is kept
    assert (queue.order, queue.reviewed, queue.remaining) == ("reach", 1, 1)
    assert queue.current is not None and queue.current.post.id == "hike"
    done = api.skip_review(job.id, queue.current.post.index)
    assert (done.skipped, done.remaining, done.current) == (1, 0, None)
    with pytest.raises(ValidationError) as not_queued:
        api.skip_review(job.id, 99)
    assert [error["field"] for error in not_queued.value.field_errors] == ["post_index"]
    with pytest.raises(NotFoundError):
        api.review_queue("ffffffffffffffff")


async def test_async_feedback_through_the_client(settings: Settings) -> None:
    settings.seed_samples = True
    async with AsyncTestClient(app=create_app(settings)) as http, AsyncBrandcheckClient(http_client=http) as api:
        kb = "chengfeng-p5"
        checked = await api.check(kb, HIKE)
        entry = await api.give_feedback(kb, hike_feedback(checked).model_dump(mode="json", exclude_unset=True))
        assert (entry.reviewer, entry.agreed, entry.kinds) == ("local", False, ["numeric", "usage"])
        page = await api.list_feedback(kb, kind="usage", limit=1)
        assert (page.total, page.limit, [e.id for e in page.entries]) == (1, 1, [entry.id])
        summary = await api.feedback_summary(kb)
        assert (summary.entries, summary.overall.right, summary.overall.missed) == (1, 1, 1)
        bad = hike_feedback(checked)
        bad.missed[0].fact_id = "F99"
        with pytest.raises(ValidationError) as refused:
            await api.give_feedback(kb, bad)
        assert refused.value.status_code == 422
        assert [error["field"] for error in refused.value.field_errors] == ["missed[0].fact_id"]
        assert (await api.list_feedback(kb)).total == 1
        job = await api.submit_analysis(kb, [{"text": HIKE}])
        assert isinstance(job, Job)
        await api.wait_for_analysis(job.id, poll_interval=0.05, timeout=120)
        queue = await api.review_queue(job.id, offsets="utf16")
        assert queue.current is not None and queue.current.post.index == 0
        skipped = await api.skip_review(job.id, 0)
        assert (skipped.total, skipped.skipped, skipped.current) == (1, 1, None)


def test_keys_roles_and_audit_through_the_client(keyed_live_server: str) -> None:
    from brandcheck_client import AuthenticationError, PermissionDeniedError

    with (
        BrandcheckClient(keyed_live_server, api_key=TEST_KEYS["admin"]) as admin,
        BrandcheckClient(keyed_live_server, api_key=TEST_KEYS["reviewer"]) as reviewer,
        BrandcheckClient(keyed_live_server) as anonymous,
    ):
        assert (admin.me().name, admin.me().role) == ("alice", "admin")
        with pytest.raises(AuthenticationError):
            anonymous.list_knowledge_bases()
        with pytest.raises(PermissionDeniedError) as denied:
            reviewer.add_item("lumo-sonic-3", "facts", {"id": "F77", "text": "It comes in blue."})
        assert "needs editor" in str(denied.value)
        created = admin.create_key("pipeline", "editor", rate_per_minute=120)
        with BrandcheckClient(keyed_live_server, api_key=created.key) as pipeline:
            pipeline.add_item("lumo-sonic-3", "facts", {"id": "F77", "text": "It comes in blue."})
        entry = admin.audit_log("lumo-sonic-3")[0]
        assert (entry.actor, entry.action, entry.added) == ("pipeline", "add_item", ["facts/F77"])
        assert "pipeline" in {key.name for key in admin.list_keys()}
        admin.delete_key(created.key_id)
        with BrandcheckClient(keyed_live_server, api_key=created.key) as revoked, pytest.raises(AuthenticationError):
            revoked.me()


class _ServerLog(logging.Handler):
    """The live server's access log lines as it writes them (JSON, formatted while the request id is set)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def request_ids(self, method: str, path: str) -> list[object]:
        """The request ids logged for ``method path``; the line is written just after the response is sent."""
        deadline = time.monotonic() + 10
        while True:
            found = [line.get("request_id") for line in self.lines if (line["method"], line["path"]) == (method, path)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


@pytest.fixture
def server_log() -> Iterator[_ServerLog]:
    """What the in-process live server logs for each request during the test."""
    handler, level = _ServerLog(), access_logger.level
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    yield handler
    access_logger.removeHandler(handler)
    access_logger.setLevel(level)


def test_an_error_names_its_request_and_the_request_id_the_server_logged(
    keyed_live_server: str, server_log: _ServerLog
) -> None:
    with BrandcheckClient(keyed_live_server, api_key=TEST_KEYS["admin"]) as api, pytest.raises(NotFoundError) as caught:
        api.get_knowledge_base("no-such-kb")
    error, path = caught.value, "/api/v1/knowledge-bases/no-such-kb"
    assert (error.request.method, str(error.request.url)) == ("GET", keyed_live_server + path)
    assert error.request_id is not None and re.fullmatch(r"[0-9a-f]{32}", error.request_id)
    assert server_log.request_ids("GET", path) == [error.request_id]
    assert error.request_id == error.response.headers["x-request-id"]
    assert (error.status_code, error.detail) == (404, "knowledge base 'no-such-kb' not found")
    assert str(error) == (
        f"404 Not Found: knowledge base 'no-such-kb' not found [GET {keyed_live_server}{path}, "
        f"request id {error.request_id}]"
    )

    # A caller's own X-Request-ID comes back as the error's request id.
    http = httpx.Client(base_url=keyed_live_server, headers={"X-Request-ID": "ticket-4711"})
    with BrandcheckClient(http_client=http) as anonymous, pytest.raises(AuthenticationError) as denied:
        anonymous.check("chengfeng-p5", "这个杯子容量有500毫升。")
    http.close()
    path = "/api/v1/knowledge-bases/chengfeng-p5/check"
    assert (denied.value.request.method, denied.value.request.url.path) == ("POST", path)
    assert denied.value.request_id == "ticket-4711"
    assert server_log.request_ids("POST", path) == ["ticket-4711"]
    assert str(denied.value).endswith(f"[POST {keyed_live_server}{path}, request id ticket-4711]")


async def test_an_async_error_names_its_request_and_request_id(keyed_live_server: str, server_log: _ServerLog) -> None:
    async with AsyncBrandcheckClient(keyed_live_server, api_key=TEST_KEYS["editor"]) as api:
        with pytest.raises(NotFoundError) as caught:
            await api.delete_item("lumo-sonic-3", "facts", "F404")
    error, path = caught.value, "/api/v1/knowledge-bases/lumo-sonic-3/facts/F404"
    assert (error.request.method, str(error.request.url)) == ("DELETE", keyed_live_server + path)
    assert error.request_id is not None and server_log.request_ids("DELETE", path) == [error.request_id]
    assert str(error).startswith("404 Not Found: ")
    assert str(error).endswith(f"[DELETE {keyed_live_server}{path}, request id {error.request_id}]")
