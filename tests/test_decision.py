"""The fitted decision: its fitting, the shipped model, confidences and min_confidence through the API and
the training command. Every post here is written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar.testing import TestClient

from knowledge_base.embedding import SentenceEmbedder
from service.check.checker import Checker
from service.check.decision import DEFAULT_MODEL_PATH, FAMILIES, DecisionModel, DecisionModels, fit_logistic
from service.check.evaluation import product_checkers
from service.check.training import LabelledPost, collect, feedback_curve, fit, fit_with_feedback, with_feedback
from service.cli import main
from service.settings import CheckThresholds

CHECK = "/api/v1/knowledge-bases/{}/check"


def test_logistic_fit_is_deterministic_and_learns_the_direction_of_evidence() -> None:
    rows = [{"cosine": 0.2 + 0.01 * i, "question": float(i % 3 == 0)} for i in range(60)]
    labels = [int(row["cosine"] > 0.5 and not row["question"]) for row in rows]
    first, second = fit_logistic(rows, labels), fit_logistic(rows, labels)
    assert first == second
    assert first.probability({"cosine": 0.75, "question": 0.0}) > 0.8
    assert first.probability({"cosine": 0.75, "question": 1.0}) < first.probability({"cosine": 0.75, "question": 0.0})
    assert first.probability({"cosine": 0.25, "question": 0.0}) < 0.2


def test_a_family_with_one_class_gets_a_constant_model() -> None:
    model = fit_logistic([{"score": 0.3}, {"score": 0.9}], [0, 0])
    assert model.probability({"score": 0.3}) == model.probability({"score": 0.9}) < 0.5


def test_the_shipped_decision_is_small_complete_and_reads_back_identically(tmp_path: Path) -> None:
    assert DEFAULT_MODEL_PATH.stat().st_size < 5 * 1024 * 1024
    model = DecisionModel.load()
    assert set(model.models) == set(FAMILIES) and set(model.thresholds) == set(FAMILIES)
    assert all(0 < threshold < 1 for threshold in model.thresholds.values())
    copy = tmp_path / "decision.json"
    model.save(copy)
    assert copy.read_bytes() == DEFAULT_MODEL_PATH.read_bytes()


def test_every_verdict_has_a_confidence_at_least_its_threshold(checker: Checker) -> None:
    result = checker.check("chengfeng-p5", "杯子能装900毫升,一次就够全家喝。电机功率1000瓦,冰块也能打碎。")
    decision = checker.decision
    assert result.distortions, "a capacity far above the official one is flagged"
    for distortion in result.distortions:
        assert decision.threshold(distortion.kind.value) <= distortion.confidence <= 1
    for message in result.key_messages_carried:
        assert decision.threshold("message") <= message.confidence <= 1


def test_min_confidence_trades_recall_for_fewer_flags(client: TestClient) -> None:  # type: ignore[type-arg]
    text = "The cup holds 900 ml. 这台机器的电机有2000瓦。"
    everything = client.post(CHECK.format("chengfeng-p5"), json={"text": text, "min_confidence": 0.0}).json()
    default = client.post(CHECK.format("chengfeng-p5"), json={"text": text}).json()
    nothing = client.post(CHECK.format("chengfeng-p5"), json={"text": text, "min_confidence": 1.0}).json()
    assert len(everything["distortions"]) >= len(default["distortions"]) >= 1
    assert nothing["distortions"] == [] and nothing["key_messages_carried"] == []
    assert all(0 <= d["confidence"] <= 1 for d in everything["distortions"])


@pytest.mark.parametrize("value", [1.5, -0.1, "high"])
def test_a_bad_min_confidence_is_a_400_naming_it(client: TestClient, value: object) -> None:  # type: ignore[type-arg]
    response = client.post(CHECK.format("chengfeng-p5"), json={"text": "杯子容量350毫升。", "min_confidence": value})
    assert response.status_code == 400
    assert "min_confidence" in json.dumps(response.json()["extra"])


def _tiny_set(root: Path) -> Path:
    """A labelled product in the shared/eval format, written for this test."""
    folder = root / "kettle-en"
    folder.mkdir(parents=True)
    kb = {
        "brand": "Aster",
        "product": "Aster Kettle K2",
        "lang": "en",
        "facts": [
            {"id": "F1", "text": "The kettle holds 1.7 liters of water."},
            {"id": "F2", "text": "It boils a full kettle in 4 minutes."},
            {"id": "F3", "text": "Do not immerse the base in water."},
        ],
        "key_messages": [{"id": "M1", "text": "Boils fast, so your tea is ready in minutes."}],
        "avoid_topics": [{"id": "A1", "text": "Discounts and price comparisons."}],
        "prohibited_claims": [{"id": "P1", "text": "Boiled water from it cures colds."}],
    }
    (folder / "kb.json").write_text(json.dumps(kb), encoding="utf-8")
    cases = [
        ("k1", "It holds 3 liters, huge!", [{"fact": "F1", "kind": "numeric"}], [], []),
        ("k2", "Holds 1.7 l, enough for six cups.", [], [], []),
        ("k3", "Boils in 4 minutes, tea is ready before I know it.", [], ["M1"], []),
        ("k4", "It boils in 30 seconds flat.", [{"fact": "F2", "kind": "numeric"}], [], []),
        ("k5", "I rinse the base under the tap every day.", [{"fact": "F3", "kind": "usage"}], [], []),
        ("k6", "Got it 20% off in the holiday sale.", [], [], ["A1"]),
        ("k7", "Nice matte colour, looks good on the counter.", [], [], []),
        ("k8", "水壶能装1.7升水，够用。", [], [], []),
    ]
    lines = [
        json.dumps({"id": i, "text": t, "distortions": d, "messages": m, "avoid": a}, ensure_ascii=False)
        for i, t, d, m, a in cases
    ]
    (folder / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_training_is_reproducible_and_its_model_is_used(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    set_dir = _tiny_set(tmp_path / "set")
    posts = collect(set_dir, embedder, CheckThresholds())
    assert len(posts) == 8 and any(post.rows for post in posts)
    first, second = fit(posts, version="t"), fit(posts, version="t")
    assert first.to_json() == second.to_json()
    out_a, out_b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["train", str(set_dir), "--out", str(out_a), "--quiet"]) == 0
    assert main(["train", str(set_dir), "--out", str(out_b), "--quiet"]) == 0
    assert out_a.read_bytes() == out_b.read_bytes()
    predictions = tmp_path / "p.jsonl"
    assert main(["eval", str(set_dir), "--out", str(predictions), "--decision", str(out_a), "--quiet"]) == 0
    assert len(predictions.read_text(encoding="utf-8").splitlines()) == 8


def _posts_of(product: str, count: int, right_from: float) -> list[LabelledPost]:
    """Posts with one figure candidate each whose evidence ``x`` runs 0..1; the candidate is right from
    ``right_from`` on (products differ in where that boundary lies)."""
    posts = []
    for number in range(count):
        x = number / (count - 1)
        labels = [{"fact": "F1", "kind": "numeric"}] if x >= right_from else []
        case = {"id": f"{product}-{number}", "distortions": labels, "messages": [], "avoid": []}
        posts.append(LabelledPost(product, case, [("numeric", "F1", {"x": x})]))
    return posts


def test_simulated_reviewers_score_only_the_posts_they_did_not_review() -> None:
    # Shuffled so that a product's first posts are not its lowest ones.
    own = _posts_of("own", 30, right_from=0.8)
    own = own[::3] + own[1::3] + own[2::3]
    posts = [*_posts_of("a", 30, 0.5), *_posts_of("b", 30, 0.5), *own]
    points = {(p.product, p.reviewed): p for p in feedback_curve(posts, reviewed=(0, 10, 20, 40), scored_from=20)}
    assert ("own", 40) not in points  # nothing left to score
    for reviewed in (0, 10, 20):
        point = points[("own", reviewed)]
        assert point.scored_from == 20
        assert point.tp + point.fn == sum(bool(post.case["distortions"]) for post in own[20:])
    # The other products put the boundary at 0.5; this product's own labels move it towards 0.8.
    assert points[("own", 20)].f1 > points[("own", 0)].f1
    assert feedback_curve(posts, reviewed=(10,)) == feedback_curve(posts, reviewed=(10,))


def test_a_knowledge_base_s_feedback_lowers_what_its_reviewers_rejected_and_keeps_the_shared_fit() -> None:
    dev = [*_posts_of("a", 30, 0.5), *_posts_of("b", 30, 0.5)]
    reviewed = _posts_of("own", 20, right_from=0.8)
    shared = fit(dev, version="shared")
    own = fit_with_feedback(dev, reviewed, version="own/1")
    assert own.models == shared.models and own.thresholds == shared.thresholds
    # This brand's reviewers rejected what the other products would flag between 0.5 and 0.8.
    assert own.kind_offsets["numeric"] < 0 and own.fact_offsets["F1"] < 0
    assert own.probability("numeric", {"x": 0.6, "candidates": 1.0}, "F1") < own.threshold("numeric")
    assert shared.probability("numeric", {"x": 0.6, "candidates": 1.0}, "F1") >= shared.threshold("numeric")
    assert own.probability("numeric", {"x": 0.95, "candidates": 1.0}, "F1") >= own.threshold("numeric")
    # The offsets are kept with the model; a model without feedback has none and is stored as before.
    stored = DecisionModel.from_json(own.to_json())
    assert stored.to_json() == own.to_json() and stored.fact_offsets.keys() == own.fact_offsets.keys() == {"F1"}
    plain = fit_with_feedback(dev, [], version="own/1")
    assert (plain.models, plain.thresholds) == (shared.models, shared.thresholds) and "offsets" not in plain.to_json()


LAMP_KB = {
    "brand": "Lumo",
    "product": "Lumo Desk Lamp L1",
    "lang": "en",
    "facts": [
        {"id": "F1", "text": "The lamp gives 800 lumens at full brightness."},
        {"id": "F2", "text": "The battery lasts 6 hours on a single charge."},
        {"id": "F3", "text": "Do not use the lamp outdoors in the rain."},
    ],
    "key_messages": [{"id": "M1", "text": "Soft, flicker-free light for late study sessions."}],
    "avoid_topics": [{"id": "A1", "text": "Comparisons with other brands' lamps."}],
    "prohibited_claims": [{"id": "P1", "text": "Its light cures eye strain."}],
}


def _flags(checker: Checker, kb_id: str, text: str) -> set[tuple[str, str | None]]:
    return {(d.kind.value, d.fact_id) for d in checker.check(kb_id, text).distortions}


def test_a_fact_whose_flags_reviewers_rejected_is_flagged_less_on_later_posts(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    # What reviewers said about the first posts: following the rain rule is no distortion of it (each of these
    # was flagged), and the 20-hour battery is a wrong figure.
    folder = tmp_path / "reviewed" / "lamp"
    folder.mkdir(parents=True)
    (folder / "kb.json").write_text(json.dumps(LAMP_KB), encoding="utf-8")
    reviewed = [
        ("It is not waterproof, so I keep it inside when it rains.", []),
        ("When rain comes, I move it from the porch to the living room.", []),
        ("Whenever there's rain, the lamp comes inside with me.", []),
        ("电池充一次电能用整整二十个小时。", [{"fact": "F2", "kind": "numeric"}]),
    ]
    lines = [
        json.dumps({"id": f"r{n}", "text": t, "distortions": d, "messages": [], "avoid": []}, ensure_ascii=False)
        for n, (t, d) in enumerate(reviewed)
    ]
    (folder / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    thresholds = CheckThresholds()
    shared = DecisionModel.load()
    own = with_feedback(shared, collect(folder.parent, embedder, thresholds, foreign=0))
    assert own.fact_offsets["F3"] < 0 and "F2" not in own.fact_offsets

    later_compliant = "When it rains I bring it in from the patio right away."
    wrong_battery = ["It lasts 20 hours per charge.", "一次充电能亮二十个小时，太夸张了。"]
    with product_checkers(folder.parent, embedder, thresholds, shared) as products:
        _, kb, checker, _ = next(products)
        assert ("usage", "F3") in _flags(checker, kb.id, later_compliant)
        checker.decisions = DecisionModels.of(own)
        assert ("usage", "F3") not in _flags(checker, kb.id, later_compliant)
        for text in wrong_battery:
            assert ("numeric", "F2") in _flags(checker, kb.id, text)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not JSON"),
        ('["a list"]', "line 2: not a JSON object"),
        ('{"id": "k9"}', "line 2: field 'text' must be a string"),
    ],
)
def test_a_broken_case_line_is_named_with_its_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    set_dir = _tiny_set(tmp_path / "set")
    cases = next(set_dir.glob("*/cases.jsonl"))
    first = cases.read_text(encoding="utf-8").splitlines()[0]
    cases.write_text(f"{first}\n{line}\n", encoding="utf-8")
    eval_command = ["eval", str(set_dir), "--out", str(tmp_path / "p.jsonl"), "--quiet"]
    train_command = ["train", str(set_dir), "--out", str(tmp_path / "d.json"), "--quiet"]
    for command in (eval_command, train_command):
        assert main(command) == 2
        # the last line is the error (another test's logging handler may have written before it)
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert last.startswith("error: ") and str(cases) in last and message in last


def test_a_folder_without_products_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(tmp_path), "--out", str(tmp_path / "p.jsonl"), "--quiet"]) == 2
    assert f"no kb.json under {tmp_path}" in capsys.readouterr().err
