"""The bundled sample knowledge bases (YAML), loaded on first start by ``make serve``."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.loading import load_file
from knowledge_base.models import KnowledgeBase

SAMPLES_DIR = Path(__file__).parent


def sample_paths() -> list[Path]:
    """The sample YAML files, sorted by name."""
    return sorted(SAMPLES_DIR.glob("*.yaml"))


def sample_knowledge_bases() -> list[KnowledgeBase]:
    """Every bundled sample, validated."""
    return [load_file(path) for path in sample_paths()]
