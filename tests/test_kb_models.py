"""A knowledge base's own decision models: fitted by `train --kb` on a labelled set plus its reviewers'
feedback, kept as versions in the store, activated and rolled back from the command line and the API, and named
in every check, analysis and /ready (real app, real model, real embedded store).

Every post here was written for these tests; the "dev data" is the tiny labelled set of test_decision."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brandcheck_client import BrandcheckClient, NotFoundError, PermissionDeniedError
from litestar.testing import TestClient

from knowledge_base.errors import NoFeedbackError
from knowledge_base.models import KnowledgeBaseContent
from knowledge_base.repository import AuditEntry, KnowledgeBaseRepository
from service.app import create_app
from service.check.decision import DecisionModel, DecisionModels
from service.cli import EXIT_USAGE, main
from service.errors import error_answer
from service.settings import Settings
from tests.conftest import TEST_KEYS, keyed_settings
from tests.test_decision import LAMP_KB as LAMP
from tests.test_decision import _tiny_set

KB_ID = "lumo-lamp"
KB = f"/api/v1/knowledge-bases/{KB_ID}"
MODELS = f"{KB}/decision-models"
SHARED = DecisionModel.load().version

# What a reviewer says each post really distorts.
REVIEWED = [
    ("This lamp pumps out 3000 lumens, brighter than my car's headlights.", "numeric", "F1"),
    ("The battery kept going for 20 hours straight on one charge!", "numeric", "F2"),
    ("I leave it on the balcony through every rainstorm and it is fine.", "usage", "F3"),
]


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TEST_KEYS[role]}"}


def cli(settings: Settings, *args: str) -> int:
    return main(["--data-dir", str(settings.data_dir), *args])


def review(client: TestClient[Any], text: str, kind: str, fact_id: str) -> None:
    """Check ``text`` and give feedback: each flag right if it is the reviewer's label, else wrong; the label
    added as missed when the checker did not flag it."""
    result = client.post(f"{KB}/check", json={"text": text}, headers=auth("reviewer")).json()
    flags = result["distortions"]
    marks = [{"distortion": n, "right": (f["kind"], f["fact_id"]) == (kind, fact_id)} for n, f in enumerate(flags)]
    missed = (
        [] if any(m["right"] for m in marks) else [{"start": 0, "end": len(text), "kind": kind, "fact_id": fact_id}]
    )
    body = {
        "text": text,
        "verdict": {"kb_version": result["kb_version"], "distortions": flags},
        "marks": marks,
        "missed": missed,
    }
    response = client.post(f"{KB}/feedback", json=body, headers=auth("reviewer"))
    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Path]]:
    """A store with the lamp's knowledge base (and the samples), and a tiny labelled set for `--set`."""
    root = tmp_path_factory.mktemp("kb-models")
    settings = keyed_settings(root / "data")
    (root / "lamp.json").write_text(json.dumps(LAMP), encoding="utf-8")
    with TestClient(app=create_app(settings)):
        pass  # seeds the samples
    assert cli(settings, "kb", "load", str(root / "lamp.json"), "--id", KB_ID) == 0
    yield settings, _tiny_set(root / "set")


def test_a_knowledge_base_without_feedback_keeps_the_shared_model(
    store: tuple[Settings, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, set_dir = store
    assert cli(settings, "train", "--kb", KB_ID, "--set", str(set_dir), "--quiet") == EXIT_USAGE
    said = capsys.readouterr().err
    assert KB_ID in said and "no feedback" in said and "shared decision model" in said
    answer = error_answer(NoFeedbackError("knowledge base 'x' has no feedback to learn from"))
    assert 400 <= answer.status_code < 500 and "feedback" in answer.detail
    assert cli(settings, "kb", "models", KB_ID) == 0
    assert "uses the shared decision model" in capsys.readouterr().out


def test_train_kb_makes_an_active_version_that_checks_name_and_the_api_switches(
    store: tuple[Settings, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, set_dir = store
    with TestClient(app=create_app(settings)) as client:
        before = client.post(f"{KB}/check", json={"text": REVIEWED[0][0]}, headers=auth("reviewer")).json()
        assert before["decision_version"] == SHARED
        for text, kind, fact_id in REVIEWED:
            review(client, text, kind, fact_id)

    assert cli(settings, "train", "--kb", KB_ID, "--set", str(set_dir), "--quiet") == 0
    assert f"version 1 ({KB_ID}/1), active" in capsys.readouterr().out
    assert cli(settings, "train", "--kb", KB_ID, "--set", str(set_dir), "--quiet") == 0
    assert cli(settings, "kb", "models", KB_ID) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listing[-2:]] == ["  1", "* 2"]
    assert "3 feedback" in listing[-1] and f"3 reviewed posts of {KB_ID}" in listing[-1]
    # Rolling back activates the version before; activating switches to any stored one.
    assert cli(settings, "kb", "models", KB_ID, "--rollback") == 0
    assert f"rolled back to version 1 ({KB_ID}/1)" in capsys.readouterr().out
    assert cli(settings, "kb", "models", KB_ID, "--activate", "9") == 1
    assert "no decision model version 9" in capsys.readouterr().err

    with TestClient(app=create_app(settings)) as client:
        check = client.post(f"{KB}/check", json={"text": REVIEWED[1][0]}, headers=auth("reviewer")).json()
        assert check["decision_version"] == f"{KB_ID}/1"
        other = client.post(
            "/api/v1/knowledge-bases/chengfeng-p5/check", json={"text": "杯子容量350毫升。"}, headers=auth("reviewer")
        ).json()
        assert other["decision_version"] == SHARED  # other knowledge bases keep the shared model
        ready = client.get("/ready").json()
        assert ready["decision"] == {"shared": SHARED, "knowledge_bases_with_own": 1}

        listed = client.get(MODELS, headers=auth("editor"))
        assert listed.status_code == 200, listed.text
        models = listed.json()
        assert [(m["version"], m["active"], m["decision_version"]) for m in models] == [
            (1, True, f"{KB_ID}/1"),
            (2, False, f"{KB_ID}/2"),
        ]
        assert all(m["created"] and m["feedback_entries"] == 3 and "reviewed posts" in m["trained_on"] for m in models)

        activated = client.post(f"{MODELS}/2/activate", headers=auth("editor"))
        assert activated.status_code == 200 and activated.json()["active"] is True
        check = client.post(f"{KB}/check", json={"text": REVIEWED[1][0]}, headers=auth("reviewer")).json()
        assert check["decision_version"] == f"{KB_ID}/2"  # at once: activating forgets the cached version
        analysis = client.post(
            f"{KB}/analyses", json={"posts": [{"text": t} for t, _, _ in REVIEWED]}, headers=auth("reviewer")
        )
        assert analysis.status_code == 200, analysis.text
        assert analysis.json()["decision_version"] == f"{KB_ID}/2"
        audit = client.get(f"{KB}/audit", headers=auth("editor")).json()
        assert any(a["action"] == "activate decision model" and a["actor"] == "erin" for a in audit)
        assert any(a["action"] == "train decision model" and a["added"] == ["decision-model/2"] for a in audit)

        # Errors: an unknown version, a reviewer's key, an unknown knowledge base.
        unknown = client.post(f"{MODELS}/7/activate", headers=auth("admin"))
        assert unknown.status_code == 404
        assert unknown.json()["extra"] == {"kb_id": KB_ID, "version": 7, "versions": [1, 2]}
        assert "version 7" in unknown.json()["detail"]
        assert client.get(MODELS, headers=auth("reviewer")).status_code == 403
        assert client.post(f"{MODELS}/1/activate", headers=auth("reviewer")).status_code == 403
        assert client.get(MODELS, headers=auth("editor")).json()[1]["active"] is True  # the 403 changed nothing
        assert (
            client.get("/api/v1/knowledge-bases/no-such-kb/decision-models", headers=auth("editor")).status_code == 404
        )
        assert client.get(MODELS).status_code == 401

        # The Python client lists and switches the same way, and an unknown version is its NotFoundError.
        api = BrandcheckClient(http_client=client, api_key=TEST_KEYS["editor"])
        assert [(m.version, m.active) for m in api.decision_models(KB_ID)] == [(1, False), (2, True)]
        assert api.activate_decision_model(KB_ID, 1).decision_version == f"{KB_ID}/1"
        assert client.post(f"{KB}/check", json={"text": "x"}, headers=auth("reviewer")).json()["decision_version"] == (
            f"{KB_ID}/1"
        )
        with pytest.raises(NotFoundError) as unknown_version:
            api.activate_decision_model(KB_ID, 7)
        assert "version 7" in unknown_version.value.detail
        with pytest.raises(PermissionDeniedError):
            BrandcheckClient(http_client=client, api_key=TEST_KEYS["reviewer"]).decision_models(KB_ID)

    # Back to the shared model: roll back from version 1.
    assert cli(settings, "kb", "models", KB_ID, "--activate", "1") == 0
    assert cli(settings, "kb", "models", KB_ID, "--rollback") == 0
    assert "rolled back to the shared decision model" in capsys.readouterr().out
    assert cli(settings, "kb", "models", KB_ID, "--rollback") == 1
    assert "nothing to roll back" in capsys.readouterr().err
    with TestClient(app=create_app(settings)) as client:
        check = client.post(f"{KB}/check", json={"text": REVIEWED[1][0]}, headers=auth("reviewer")).json()
        assert check["decision_version"] == SHARED
        assert client.get("/ready").json()["decision"]["knowledge_bases_with_own"] == 0


def test_train_without_a_set_or_with_both_kinds_of_set_is_a_usage_error(
    store: tuple[Settings, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, set_dir = store
    assert cli(settings, "train", "--quiet") == EXIT_USAGE
    assert cli(settings, "train", str(set_dir), "--set", str(set_dir), "--quiet") == EXIT_USAGE
    assert cli(settings, "train", "--kb", KB_ID, "--set", str(set_dir / "missing"), "--quiet") == EXIT_USAGE
    assert "no labelled set" in capsys.readouterr().err


def test_the_provider_reads_the_active_version_once_per_ttl_and_again_after_invalidate(
    repository: KnowledgeBaseRepository,
) -> None:
    shared = DecisionModel.load()
    records = repository.decision_models
    audit = AuditEntry("tester", "train decision model")
    assert records.add("kb-a", 1, shared.to_json(), {"trained_on": "a test"}, audit) == 1
    assert records.add("kb-a", 1, shared.to_json(), {"trained_on": "a test"}, audit) == 2
    assert (records.active("kb-a"), records.active("kb-b"), records.with_own_model()) == (2, None, 1)
    decisions = DecisionModels(shared, repository, ttl=3600)
    assert decisions.for_kb("kb-a").version == "kb-a/2" and decisions.for_kb("kb-b") is shared
    assert decisions.for_kb("kb-a") is decisions.for_kb("kb-a")  # kept, not read again
    records.activate("kb-a", 1, 1, AuditEntry("tester", "activate decision model"))  # as another worker would
    assert decisions.for_kb("kb-a").version == "kb-a/2"  # until the ttl runs out
    decisions.invalidate("kb-a")
    assert decisions.for_kb("kb-a").version == "kb-a/1"
    with decisions.checking("kb-a") as model:
        assert model.version == decisions.current().version == "kb-a/1"
    assert decisions.current() is shared


def test_deleting_a_knowledge_base_deletes_its_feedback_and_models_and_a_new_one_starts_afresh(
    repository: KnowledgeBaseRepository,
) -> None:
    shared = DecisionModel.load()
    lamp = KnowledgeBaseContent.model_validate(LAMP)
    repository.save("kb-d", lamp)
    audit = AuditEntry("tester", "give feedback")
    repository.feedback.add("kb-d", "fb-1", 1, {"text": "a reviewed post"}, audit)
    repository.feedback.put_progress("job-1", "rita", "kb-d", {"reviewed": [0]})
    old = DecisionModel(shared.models, {**shared.thresholds, "numeric": 0.99}, version="old")
    assert repository.decision_models.add("kb-d", 1, old.to_json(), {}, AuditEntry("tester", "train")) == 1
    decisions = DecisionModels(shared, repository, ttl=3600)
    assert decisions.for_kb("kb-d").threshold("numeric") == 0.99
    repository.feedback.add("kb-other", "fb-2", 1, {"text": "another knowledge base's post"}, audit)

    repository.delete("kb-d")
    assert repository.feedback.count("kb-d") == 0 and repository.feedback.progress("job-1", "rita") is None
    assert repository.decision_models.versions("kb-d") == [] and repository.decision_models.active("kb-d") is None
    assert repository.feedback.count("kb-other") == 1  # only the deleted knowledge base's
    assert any(entry["action"] == "delete" for entry in repository.audit_log("kb-d"))

    # Made again under the same id, it has the shared model until trained, and its own version 1 then,
    # not the deleted knowledge base's version 1 that a running provider had read.
    repository.save("kb-d", lamp)
    decisions.invalidate("kb-d")
    assert decisions.for_kb("kb-d") is shared
    new = DecisionModel(shared.models, {**shared.thresholds, "numeric": 0.42}, version="new")
    assert repository.decision_models.add("kb-d", 1, new.to_json(), {}, AuditEntry("tester", "train")) == 1
    decisions.invalidate("kb-d")
    assert decisions.for_kb("kb-d").threshold("numeric") == 0.42
