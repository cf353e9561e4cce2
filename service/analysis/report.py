"""The analysis as one self-contained HTML file: inline CSS and SVG charts, no script, no CDN."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.analysis.schemas import AnalysisResult

TEMPLATES = Path(__file__).parent / "templates"
KIND_COLOURS = {
    "numeric": "#b35806",
    "usage": "#7b3294",
    "contradiction": "#c51b7d",
    "prohibited": "#8b0000",
    "absolute": "#1f5fa8",
}


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def _trend(result: AnalysisResult, width: int = 640, height: int = 160) -> dict[str, Any] | None:
    if result.timeline is None or len(result.timeline.buckets) < 2:
        return None
    buckets = result.timeline.buckets
    peak = max(bucket.posts for bucket in buckets) or 1
    step = width / (len(buckets) - 1)

    def points(values: list[float]) -> str:
        return " ".join(f"{i * step:.1f},{height - v / peak * (height - 10):.1f}" for i, v in enumerate(values))

    return {
        "width": width,
        "height": height,
        "posts": points([b.posts for b in buckets]),
        "distorted": points([b.distorted_posts for b in buckets]),
        "first": buckets[0].period,
        "last": buckets[-1].period,
        "peak": peak,
        "granularity": result.timeline.granularity,
    }


def render_report(result: AnalysisResult, title: str | None = None) -> str:
    """The HTML report of an analysis."""
    kinds: dict[str, int] = {}
    for stat in result.distortions:
        kinds[stat.kind] = kinds.get(stat.kind, 0) + stat.posts
    template = _environment().get_template("report.html.j2")
    return template.render(
        r=result,
        title=title or f"brandcheck analysis: {result.kb_id}",
        kinds=sorted(kinds.items(), key=lambda item: -item[1]),
        kind_peak=max(kinds.values(), default=1),
        colours=KIND_COLOURS,
        trend=_trend(result),
    )


def distortions_to_csv(result: AnalysisResult) -> str:
    """The ranked distortion table as CSV (UTF-8, with a header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "rank",
            "fact_id",
            "kind",
            "posts",
            "share",
            "reach",
            "priority",
            "first_seen",
            "last_seen",
            "fact_text",
            "correction",
            "example_correction",
        ]
    )
    for rank, stat in enumerate(result.distortions, start=1):
        writer.writerow(
            [
                rank,
                stat.fact_id or "",
                stat.kind,
                stat.posts,
                stat.share,
                stat.reach,
                stat.priority,
                stat.first_seen.isoformat() if stat.first_seen else "",
                stat.last_seen.isoformat() if stat.last_seen else "",
                stat.fact_text or "",
                stat.correction,
                stat.example_correction,
            ]
        )
    return buffer.getvalue()
