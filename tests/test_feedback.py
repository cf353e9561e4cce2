"""Reviewers' feedback on verdicts: given, validated, listed, summed up, kept across restarts, walked through as
a review queue and exported as a labelled set (real app, real model, real embedded store).

Every post here was written for these tests."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from knowledge_base.embedding import SentenceEmbedder
from knowledge_base.lexical import LexicalEncoder
from knowledge_base.repository import AuditEntry, KnowledgeBaseRepository
from knowledge_base.store import EdgeStore
from knowledge_base.store.base import VectorStore
from service.app import create_app
from service.check.profile import claim_texts
from service.check.schemas import DistortionKind
from service.cli import main
from service.feedback.schemas import DistortionMark, FeedbackEntry, ReviewerLabels, VerdictRef
from service.feedback.service import summarise
from tests.conftest import TEST_KEYS, keyed_settings

KB = "/api/v1/knowledge-bases/chengfeng-p5"
FEEDBACK = f"{KB}/feedback"
SCORE = Path(__file__).parents[1].parent / "shared" / "eval" / "score.py"

# Two wrong figures (F1, F2) the checker flags, and a base soaked in water (F8, usage) it misses.
CAMPING = "周末带去露营,这台榨汁杯能装450毫升,电池4000毫安时。底座直接泡水里冲一冲就干净了。"
# Two wrong figures and an absolute claim it flags, and a prohibited claim (P1) it misses.
ENGLISH = "The cup holds 500 ml and it charges in 8 hours. Best blender in the world, it even helps you lose weight."


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TEST_KEYS[role]}"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    """The real app with an admin (alice), an editor (erin) and a reviewer (rita) key."""
    with TestClient(app=create_app(keyed_settings(tmp_path_factory.mktemp("feedback") / "data"))) as client:
        yield client


def check(client: TestClient[Any], text: str, **options: Any) -> dict[str, Any]:
    response = client.post(f"{KB}/check", json={"text": text, **options}, headers=auth("reviewer"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def verdict_of(result: dict[str, Any]) -> dict[str, Any]:
    """The verdict part of a feedback request, straight from a check response."""
    return {
        "kb_version": result["kb_version"],
        "distortions": result["distortions"],  # sent whole: the fields feedback does not use are ignored
        "key_messages_carried": [m["id"] for m in result["key_messages_carried"]],
        "avoid_topics_touched": [a["id"] for a in result["avoid_topics_touched"]],
    }


def camping_feedback(client: TestClient[Any]) -> dict[str, Any]:
    result = check(client, CAMPING)
    flags = [(d["kind"], d["fact_id"]) for d in result["distortions"]]
    assert flags == [("numeric", "F1"), ("numeric", "F2")]
    base = CAMPING.index("底座")
    return {
        "text": CAMPING,
        "verdict": verdict_of(result),
        "marks": [{"distortion": 0, "right": True}, {"distortion": 1, "right": False}],
        "missed": [{"start": base, "end": len(CAMPING), "kind": "usage", "fact_id": "F8"}],
        "key_messages": [{"id": "M1", "right": False}],
    }


def give(client: TestClient[Any], body: dict[str, Any], role: str = "reviewer") -> Any:
    return client.post(FEEDBACK, json=body, headers=auth(role))


def listed(client: TestClient[Any], **params: Any) -> dict[str, Any]:
    response = client.get(FEEDBACK, params=params, headers=auth("reviewer"))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_a_reviewer_gives_feedback_and_it_is_stored_with_who_when_and_the_version(keyed: TestClient[Any]) -> None:
    before = dt.datetime.now(dt.UTC)
    response = give(keyed, camping_feedback(keyed))
    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["kb_id"], entry["kb_version"], entry["reviewer"]) == ("chengfeng-p5", 1, "rita")
    assert entry["reviewer_key_id"] and before <= dt.datetime.fromisoformat(entry["at"]) <= dt.datetime.now(dt.UTC)
    assert entry["agreed"] is False and entry["kinds"] == ["numeric", "usage"]
    base = CAMPING.index("底座")
    assert entry["labels"] == {
        "distortions": [
            {"kind": "numeric", "fact_id": "F1", "start": 7, "end": 19},
            {"kind": "usage", "fact_id": "F8", "start": base, "end": len(CAMPING)},
        ],
        "key_messages": [],
        "avoid_topics": [],
    }
    assert entry["verdict"]["distortions"][0] == {
        "kind": "numeric",
        "fact_id": "F1",
        "start": 7,
        "end": 19,
        "confidence": entry["verdict"]["distortions"][0]["confidence"],
    }
    page = listed(keyed, reviewer="rita")
    assert entry["id"] in [e["id"] for e in page["entries"]]
    # In the audit log, which editors read (and reviewers may not).
    assert keyed.get(f"{KB}/audit", headers=auth("reviewer")).status_code == 403
    audit = keyed.get(f"{KB}/audit", headers=auth("editor")).json()
    line = next(a for a in audit if a["action"] == "feedback" and a["added"] == [f"feedback/{entry['id']}"])
    assert (line["actor"], line["version"]) == ("rita", 1)


def test_every_role_with_a_key_may_give_feedback_and_none_without(keyed: TestClient[Any]) -> None:
    body = camping_feedback(keyed)
    assert give(keyed, body, "editor").json()["reviewer"] == "erin"
    assert give(keyed, body, "admin").json()["reviewer"] == "alice"
    anonymous = keyed.post(FEEDBACK, json=body)
    assert anonymous.status_code == 401
    assert keyed.get(FEEDBACK).status_code == 401
    assert keyed.get(FEEDBACK, headers={"Authorization": "Bearer bck_unknown"}).status_code == 401


def fields(response: Any) -> list[str]:
    body = response.json()
    assert set(body) == {"status_code", "detail", "extra"} and body["status_code"] == response.status_code
    return [error["field"] for error in body["extra"]]


def test_bad_feedback_is_refused_naming_the_field_and_nothing_is_stored(keyed: TestClient[Any]) -> None:
    good = camping_feedback(keyed)
    total = listed(keyed)["total"]

    def refused(change: dict[str, Any], status: int = 422) -> list[str]:
        body = json.loads(json.dumps(good)) | change
        response = give(keyed, body)
        assert response.status_code == status, response.text
        return fields(response)

    verdict = good["verdict"]
    missed = good["missed"][0]
    assert refused({"missed": [missed | {"fact_id": "F99"}]}) == ["missed[0].fact_id"]
    assert refused({"missed": [missed | {"kind": "prohibited"}]}) == ["missed[0].fact_id"]  # F8 is no claim
    assert refused({"missed": [missed | {"kind": "absolute"}]}) == ["missed[0].fact_id"]  # absolute names none
    assert refused({"missed": [missed | {"end": len(CAMPING) + 1}]}) == ["missed[0].end"]
    assert refused({"missed": [missed | {"start": 9, "end": 9}]}) == ["missed[0].start"]
    assert refused({"missed": [missed | {"start": -1}]}, 400) == ["missed[0].start"]
    flags = [verdict["distortions"][0] | {"fact_id": "F77"}, verdict["distortions"][1]]
    assert refused({"verdict": verdict | {"distortions": flags}}) == ["verdict.distortions[0].fact_id"]
    flags = [verdict["distortions"][0] | {"end": 500}, verdict["distortions"][1]]
    assert refused({"verdict": verdict | {"distortions": flags}}) == ["verdict.distortions[0].end"]
    assert refused({"verdict": verdict | {"key_messages_carried": ["M9"]}}) == [
        "verdict.key_messages_carried[0]",
        "key_messages[0].id",  # and M1 is then not carried in the verdict
    ]
    assert refused({"verdict": verdict | {"avoid_topics_touched": ["A7"]}}) == ["verdict.avoid_topics_touched[0]"]
    assert refused({"verdict": verdict | {"kb_version": 2}}) == ["verdict.kb_version"]
    assert refused({"verdict": verdict | {"kb_version": 0}}, 400) == ["verdict.kb_version"]
    assert refused({"marks": [{"distortion": 2, "right": True}]}) == ["marks[0].distortion"]
    assert refused({"marks": [{"distortion": 0, "right": True}, {"distortion": 0, "right": False}]}) == [
        "marks[1].distortion"
    ]
    assert refused({"marks": [{"distortion": 1, "right": False, "fact_id": "F55"}]}) == ["marks[0].fact_id"]
    assert refused({"marks": [{"distortion": 1, "right": True, "kind": "usage"}]}) == ["marks[0].kind"]
    assert refused({"key_messages": [{"id": "M3", "right": True}]}) == ["key_messages[0].id"]
    assert refused({"avoid_topics": [{"id": "A1", "right": True}]}) == ["avoid_topics[0].id"]
    assert refused({"marks": [], "missed": [], "key_messages": []}) == ["marks"]
    assert refused({"text": "  \u200b "}, 400) == ["text"]
    assert refused({"surprise": 1}, 400) == ["surprise"]
    assert refused({"source": {"job_id": "0123456789abcdef", "post_index": 0}}) == ["source.job_id"]
    unknown = keyed.post("/api/v1/knowledge-bases/no-such-kb/feedback", json=good, headers=auth("reviewer"))
    assert unknown.status_code == 404 and unknown.json()["extra"] == {"kb_id": "no-such-kb"}
    assert keyed.get("/api/v1/knowledge-bases/no-such-kb/feedback", headers=auth("reviewer")).status_code == 404
    bad_day = keyed.get(FEEDBACK, params={"from": "2026-02-30"}, headers=auth("reviewer"))
    assert bad_day.status_code == 400 and fields(bad_day) == ["from"]
    backwards = keyed.get(FEEDBACK, params={"from": "2026-03-02", "to": "2026-03-01"}, headers=auth("reviewer"))
    assert backwards.status_code == 422 and fields(backwards) == ["to"]
    assert listed(keyed)["total"] == total  # nothing half-stored


def test_spans_in_utf16_units_are_stored_in_code_points(keyed: TestClient[Any]) -> None:
    text = "🥤🥤今天又用它打了果汁。The cup holds 500 ml, great for the gym."
    result = check(keyed, text, offsets="utf16")
    assert [d["fact_id"] for d in result["distortions"]] == ["F1"]
    flag = result["distortions"][0]
    assert text.encode("utf-16-le")[flag["start"] * 2 : flag["end"] * 2].decode("utf-16-le").startswith("The cup")
    body = {
        "text": text,
        "offsets": "utf16",
        "verdict": verdict_of(result),
        "marks": [{"distortion": 0, "right": True}],
    }
    entry = give(keyed, body).json()
    label = entry["labels"]["distortions"][0]
    assert text[label["start"] : label["end"]].startswith("The cup holds 500 ml")
    inside_an_emoji = body | {"missed": [{"start": 1, "end": 4, "kind": "absolute", "fact_id": None}]}
    response = give(keyed, inside_an_emoji)
    assert response.status_code == 422 and fields(response) == ["missed[0].start"]


def test_the_list_filters_by_reviewer_day_kind_and_agreement(tmp_path: Path) -> None:
    with TestClient(app=create_app(keyed_settings(tmp_path / "data"))) as client:
        english = check(client, ENGLISH)
        assert [(d["kind"], d["fact_id"]) for d in english["distortions"]] == [
            ("numeric", "F1"),
            ("numeric", "F3"),
            ("absolute", None),
        ]
        agreeing = {
            "text": ENGLISH,
            "verdict": verdict_of(english),
            "marks": [{"distortion": n, "right": True} for n in range(3)],
        }
        assert give(client, agreeing, "editor").status_code == 201
        assert give(client, camping_feedback(client)).status_code == 201
        today = dt.datetime.now(dt.UTC).date()
        assert listed(client)["total"] == 2
        assert [e["reviewer"] for e in listed(client, reviewer="erin")["entries"]] == ["erin"]
        assert listed(client, reviewer="nobody")["total"] == 0
        assert listed(client, **{"from": today.isoformat(), "to": today.isoformat()})["total"] == 2
        assert listed(client, to=(today - dt.timedelta(days=1)).isoformat())["total"] == 0
        assert listed(client, **{"from": (today + dt.timedelta(days=1)).isoformat()})["total"] == 0
        assert [e["text"] for e in listed(client, kind="absolute")["entries"]] == [ENGLISH]
        assert [e["text"] for e in listed(client, kind="usage")["entries"]] == [CAMPING]
        assert listed(client, kind="numeric")["total"] == 2
        assert [e["text"] for e in listed(client, agreement="agreed")["entries"]] == [ENGLISH]
        assert [e["text"] for e in listed(client, agreement="disagreed")["entries"]] == [CAMPING]
        page = listed(client, limit=1)
        assert (page["total"], len(page["entries"]), page["entries"][0]["text"]) == (2, 1, CAMPING)  # newest first
        assert listed(client, limit=1, offset=1)["entries"][0]["text"] == ENGLISH

        summary = client.get(f"{FEEDBACK}/summary", headers=auth("reviewer")).json()
        # ENGLISH: 3 flags right. CAMPING: F1 right, F2 wrong, F8 usage missed; M1 rejected.
        assert summary["entries"] == 2
        assert summary["overall"] == {
            "marked": 5,
            "right": 4,
            "wrong": 1,
            "missed": 1,
            "agreement": round(4 / 6, 4),
            "precision": 0.8,
            "recall": 0.8,
        }
        by_kind = {row["kind"]: row for row in summary["by_kind"]}
        assert (by_kind["numeric"]["precision"], by_kind["numeric"]["recall"]) == (0.75, 1.0)
        assert (by_kind["usage"]["precision"], by_kind["usage"]["recall"]) == (None, 0.0)
        by_fact = {row["fact_id"]: row for row in summary["by_fact"]}
        assert by_fact["F2"]["precision"] == 0.0 and by_fact[None]["right"] == 1
        assert summary["key_messages"] == [{"id": "M1", "confirmed": 0, "rejected": 1, "agreement": 0.0}]
        year, week, _ = today.isocalendar()
        assert [(w["week"], w["entries"], w["marked"]) for w in summary["weeks"]] == [(f"{year}-W{week:02d}", 2, 5)]
        only_erin = client.get(f"{FEEDBACK}/summary", params={"reviewer": "erin"}, headers=auth("reviewer")).json()
        assert only_erin["overall"]["precision"] == 1.0


def entry(
    at: str, marks: list[tuple[str, str | None, bool]], missed: list[tuple[str, str | None]] = ()
) -> FeedbackEntry:  # type: ignore[assignment]
    """A stored entry with the given flags (kind, fact, marked right) and added distortions."""
    flags = [{"kind": kind, "fact_id": fact, "start": n, "end": n + 1} for n, (kind, fact, _) in enumerate(marks)]
    return FeedbackEntry(
        id=at,
        kb_id="kb",
        kb_version=1,
        at=at,
        reviewer="r",
        reviewer_key_id=None,
        text="x" * 20,
        verdict=VerdictRef.model_validate({"kb_version": 1, "distortions": flags}),
        marks=[{"distortion": n, "right": right} for n, (_, _, right) in enumerate(marks)],  # type: ignore[misc]
        missed=[{"start": 10, "end": 12, "kind": kind, "fact_id": fact} for kind, fact in missed],  # type: ignore[misc]
        key_messages=[],
        avoid_topics=[],
        agreed=False,
        kinds=[],
        labels=ReviewerLabels(distortions=[], key_messages=[], avoid_topics=[]),
    )


def test_summary_figures_and_weekly_trend_on_a_known_set() -> None:
    entries = [
        # ISO week 2026-W02 (Mon 5 - Sun 11 January): 2 right, 1 wrong, 1 missed.
        entry("2026-01-05T09:00:00+00:00", [("numeric", "F1", True), ("usage", "F2", False)]),
        entry("2026-01-11T23:59:00+00:00", [("numeric", "F1", True)], [("usage", "F2")]),
        # 2026-W03: 1 right, 1 relabelled (a numeric F1 flag that is really a contradiction of F3).
        entry("2026-01-12T00:01:00+00:00", [("absolute", None, True), ("numeric", "F1", False)]),
    ]
    entries[2].marks[1] = DistortionMark.model_validate(
        {"distortion": 1, "right": False, "kind": "contradiction", "fact_id": "F3"}
    )
    summary = summarise("kb", entries)
    assert summary.entries == 3
    assert summary.overall.model_dump() == {
        "marked": 5,
        "right": 3,
        "wrong": 2,
        "missed": 2,
        "agreement": round(3 / 7, 4),
        "precision": 0.6,
        "recall": 0.6,
    }
    kinds = {row.kind: row for row in summary.by_kind}
    assert list(kinds) == [
        DistortionKind.NUMERIC,
        DistortionKind.USAGE,
        DistortionKind.CONTRADICTION,
        DistortionKind.ABSOLUTE,
    ]
    assert (kinds[DistortionKind.NUMERIC].marked, kinds[DistortionKind.NUMERIC].right) == (3, 2)
    assert kinds[DistortionKind.CONTRADICTION].missed == 1 and kinds[DistortionKind.CONTRADICTION].recall == 0.0
    facts = {row.fact_id: row for row in summary.by_fact}
    assert facts["F1"].precision == round(2 / 3, 4) and facts["F2"].recall == 0.0 and facts[None].precision == 1.0
    weeks = [(w.week, w.entries, w.marked, w.right, w.missed, w.precision) for w in summary.weeks]
    assert weeks == [("2026-W02", 2, 3, 2, 1, round(2 / 3, 4)), ("2026-W03", 1, 2, 1, 1, 0.5)]


def wait_for(client: TestClient[Any], job_id: str) -> None:
    deadline = time.monotonic() + 120
    while client.get(f"/api/v1/analyses/{job_id}", headers=auth("reviewer")).json()["status"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.2)


REVIEW_POSTS = [
    {"id": "p-camp", "text": CAMPING, "likes": 3},
    {"id": "p-clean", "text": "早上榨了一杯橙汁,充一次电能榨15杯,背包里放着很方便。", "likes": 900},
    {"id": "p-en", "text": ENGLISH, "likes": 40, "shares": 10},
    {"id": "p-light", "text": "这杯子重量才250克,拿着很轻,通勤带着刚好。", "views": 5},
]


def test_feedback_review_progress_and_labels_survive_a_restart_and_export_as_an_eval_set(tmp_path: Path) -> None:
    settings = keyed_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        submitted = client.post(
            "/api/v1/knowledge-bases/chengfeng-p5/analyses?mode=async",
            json={"posts": REVIEW_POSTS},
            headers=auth("reviewer"),
        )
        job_id = submitted.json()["id"]
        wait_for(client, job_id)
        review = f"/api/v1/analyses/{job_id}/review"
        queue = client.get(review, headers=auth("reviewer")).json()
        assert (queue["order"], queue["total"], queue["reviewed"], queue["remaining"]) == ("confidence", 3, 0, 3)
        confidences = [queue["current"]["post"]["confidence"]]
        by_reach = client.get(review, params={"order": "reach"}, headers=auth("reviewer")).json()
        assert by_reach["current"]["post"]["id"] == "p-en"  # the clean post, with the most likes, is not queued
        back = client.get(review, params={"order": "confidence"}, headers=auth("reviewer")).json()
        current = back["current"]
        assert current["position"] == 1 and current["post"]["confidence"] == confidences[0]
        assert current["post"]["id"] == "p-en"  # its flag on the charging time is the least confident
        assert all(f["id"] for f in current["facts"]) and current["check"]["kb_id"] == "chengfeng-p5"
        first_index = current["post"]["index"]
        # Feedback from the queue (each flag marked right) moves the reviewer on.
        result = current["check"]
        body = {
            "text": current["post"]["text"],
            "verdict": verdict_of(result),
            "marks": [{"distortion": n, "right": True} for n in range(len(result["distortions"]))],
            "source": {"job_id": job_id, "post_index": first_index},
        }
        assert give(client, body).status_code == 201
        queue = client.get(review, headers=auth("reviewer")).json()
        assert (queue["reviewed"], queue["remaining"], queue["current"]["position"]) == (1, 2, 2)
        assert queue["current"]["post"]["confidence"] >= confidences[0]
        skipped = client.post(
            f"{review}/skip", json={"post_index": queue["current"]["post"]["index"]}, headers=auth("reviewer")
        )
        assert skipped.status_code == 200 and skipped.json()["skipped"] == 1 and skipped.json()["remaining"] == 1
        not_queued = client.post(f"{review}/skip", json={"post_index": 1}, headers=auth("reviewer"))
        assert not_queued.status_code == 422 and fields(not_queued) == ["post_index"]
        # Another reviewer starts at the beginning.
        assert client.get(review, headers=auth("editor")).json()["remaining"] == 3
        assert client.get("/api/v1/analyses/ffffffffffffffff/review", headers=auth("reviewer")).status_code == 404
        camping = camping_feedback(client)
        english = check(client, ENGLISH)
        assert give(client, camping).status_code == 201
        english_feedback = {
            "text": ENGLISH,
            "verdict": verdict_of(english),
            "marks": [
                {"distortion": 0, "right": True},
                {"distortion": 1, "right": True},
                {"distortion": 2, "right": False},
            ],
            "missed": [{"start": ENGLISH.index("it even"), "end": len(ENGLISH), "kind": "prohibited", "fact_id": "P1"}],
            "key_messages": [{"id": m, "right": True} for m in verdict_of(english)["key_messages_carried"]],
        }
        assert give(client, english_feedback, "editor").status_code == 201
        stored = listed(client)

    with TestClient(app=create_app(settings)) as client:  # the same store, a new process's worth of app
        assert listed(client) == stored
        queue = client.get(f"/api/v1/analyses/{job_id}/review", headers=auth("reviewer")).json()
        assert (queue["reviewed"], queue["skipped"], queue["remaining"]) == (1, 1, 1)

    out, predictions = tmp_path / "eval-set", tmp_path / "predictions.jsonl"
    assert (
        main(["--data-dir", str(settings.data_dir), "feedback", "export", "--kb", "chengfeng-p5", "--out", str(out)])
        == 0
    )
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    by_text = {case["text"]: case for case in cases}
    # The queue's post (ENGLISH, every flag right) was reviewed again later: the later labels win.
    assert len(cases) == 2
    assert by_text[CAMPING]["distortions"] == [{"fact": "F1", "kind": "numeric"}, {"fact": "F8", "kind": "usage"}]
    assert by_text[CAMPING]["messages"] == [] and by_text[CAMPING]["avoid"] == []
    assert by_text[ENGLISH]["distortions"] == [
        {"fact": "F1", "kind": "numeric"},
        {"fact": "F3", "kind": "numeric"},
        {"fact": "P1", "kind": "prohibited"},
    ]
    assert by_text[ENGLISH]["messages"] == verdict_of(english)["key_messages_carried"]
    exported_kb = json.loads((out / "kb.json").read_text(encoding="utf-8"))
    assert exported_kb["product"] and [f["id"] for f in exported_kb["facts"]][:2] == ["F1", "F2"]
    assert main(["--data-dir", str(settings.data_dir), "eval", str(out), "--out", str(predictions), "--quiet"]) == 0
    assert len(predictions.read_text(encoding="utf-8").splitlines()) == 2
    scored = subprocess.run(
        [sys.executable, str(SCORE), str(out), str(predictions)], capture_output=True, text=True, check=False
    )
    assert scored.returncode == 0, scored.stderr
    assert "distortion" in scored.stdout.lower(), scored.stdout


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect:UserWarning")  # the local stand-in server
@pytest.mark.filterwarnings("ignore:Local mode performs exact")
@pytest.mark.parametrize("backend", ["edge", "server"])
def test_entries_and_queue_progress_are_kept_by_the_repository_on_both_store_backends(
    backend: str, tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    from qdrant_client import QdrantClient

    from knowledge_base.store.server import QdrantServerStore

    def opened() -> tuple[VectorStore, KnowledgeBaseRepository]:
        store: VectorStore = EdgeStore(tmp_path / "store") if backend == "edge" else QdrantServerStore(client)
        repository = KnowledgeBaseRepository(store, embedder, LexicalEncoder(), claim_texts)
        repository.open()
        return store, repository

    client = QdrantClient(":memory:")
    store, repository = opened()
    for number in range(3):
        kb_id = "kb-a" if number < 2 else "kb-b"
        audit = AuditEntry("rita", "feedback", added=(f"feedback/e{number}",))
        repository.feedback.add(kb_id, f"e{number}", 1, {"id": f"e{number}", "n": number}, audit)
    repository.feedback.put_progress("0123456789abcdef", "rita", "kb-a", {"order": "reach", "reviewed": [4]})
    if backend == "edge":  # reopened, as after a restart
        store.close()
        store, repository = opened()
    assert sorted(entry["n"] for entry in repository.feedback.list("kb-a")) == [0, 1]
    assert repository.feedback.count("kb-b") == 1 and repository.feedback.list("kb-c") == []
    assert repository.feedback.progress("0123456789abcdef", "rita") == {"order": "reach", "reviewed": [4]}
    assert repository.feedback.progress("0123456789abcdef", "erin") is None
    audit_lines = repository.audit_log("kb-a")
    assert sorted(line["added"][0] for line in audit_lines) == ["feedback/e0", "feedback/e1"]
    assert repository.list_all() == []  # feedback records are no knowledge bases
    store.close()
