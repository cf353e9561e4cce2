"""The `brandcheck` command's remote mode against a live server (it uses the Python client)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import EXIT_DISTORTIONS, EXIT_ERROR, EXIT_OK, main


def test_check_exit_codes_and_output(live_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--server", live_server, "check", "--kb", "chengfeng-p5", "这个杯子容量有500毫升。"]) == EXIT_DISTORTIONS
    )
    out = capsys.readouterr().out
    assert "numeric" in out and "350毫升" in out
    assert main(["--server", live_server, "check", "--kb", "chengfeng-p5", "颜色很好看。"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--server", live_server, "check", "--kb", "lumo-sonic-3", "--json", "It has 5 cleaning modes."]) == 3
    assert json.loads(capsys.readouterr().out)["distortions"][0]["fact_id"] == "F5"
    assert main(["--server", live_server, "check", "--kb", "nope", "hello"]) == EXIT_ERROR
    assert "not found" in capsys.readouterr().err


def test_kb_commands_and_analyze_remotely(live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--server", live_server, "kb", "list"]) == EXIT_OK
    listing = capsys.readouterr().out
    assert "chengfeng-p5" in listing and "lumo-sonic-3" in listing
    assert main(["--server", live_server, "kb", "export", "lumo-sonic-3"]) == EXIT_OK
    exported = json.loads(capsys.readouterr().out)
    copy = tmp_path / "brush-copy" / "kb.json"
    copy.parent.mkdir()
    copy.write_text(json.dumps(exported), encoding="utf-8")
    assert main(["--server", live_server, "kb", "load", str(copy)]) == EXIT_OK
    assert "brush-copy: version 1" in capsys.readouterr().out
    posts = tmp_path / "posts.csv"
    posts.write_text(
        'text,author\n这个杯子容量有500毫升。,amy\n"电池2000毫安时,充一次能榨15杯。",bob\n', encoding="utf-8"
    )
    out, html = tmp_path / "report.json", tmp_path / "report.html"
    code = main(
        [
            "--server",
            live_server,
            "analyze",
            str(posts),
            "--kb",
            "chengfeng-p5",
            "--out",
            str(out),
            "--html",
            str(html),
            "--quiet",
        ]
    )
    assert code == EXIT_OK
    assert json.loads(out.read_text(encoding="utf-8"))["posts"] == 2
    assert "<svg" in html.read_text(encoding="utf-8")
