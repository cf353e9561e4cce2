"""Word lists shipped as package data, and the light English stemmer that goes with them.

A lexicon file is UTF-8 text, one entry a line; a line starting with ``#`` and anything after `` # ``
is a comment (write ``\\#`` for an entry that starts with ``#``), blank lines are skipped, and
``[name]`` starts a section. Files are read once per process. The stopword lists and :func:`stem`
serve both the lexical encoder (``knowledge_base.lexical``) and the checker's content terms
(``service.check.terms``), so that both see the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources


@cache
def load_sections(package: str, name: str) -> dict[str, tuple[str, ...]]:
    """The sections of lexicon file ``name`` in ``package``; entries before any header are under ``""``."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        line = line.split(" # ", 1)[0].strip()
        if line.startswith("\\#"):
            line = line[1:]
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
            continue
        sections[current].append(line)
    return {key: tuple(values) for key, values in sections.items()}


def load_list(package: str, name: str, section: str = "") -> tuple[str, ...]:
    """One section of a lexicon file (the whole file when it has no sections)."""
    sections = load_sections(package, name)
    if section not in sections:
        raise KeyError(f"lexicon {package}/{name} has no section [{section}]")
    return sections[section]


def phrase_pattern(entries: Iterable[str]) -> str:
    """A regex alternation matching any of ``entries`` literally, longest first; an entry that starts or
    ends with a Latin letter or digit gets a word boundary there, and a space matches any whitespace."""
    parts = []
    for entry in sorted(set(entries), key=lambda e: (-len(e), e)):
        body = r"\s+".join(re.escape(word) for word in entry.split())
        if re.match(r"[A-Za-z0-9]", entry):
            body = r"\b" + body
        if re.search(r"[A-Za-z0-9]$", entry):
            body += r"\b"
        parts.append(body)
    return "|".join(parts) if parts else r"(?!x)x"


@cache
def compiled(package: str, name: str, section: str = "", flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """:func:`phrase_pattern` of one lexicon section, compiled."""
    return re.compile(phrase_pattern(load_list(package, name, section)), flags)


_PACKAGE = __name__


@cache
def stopwords() -> frozenset[str]:
    """English and Chinese stopwords: function words, pronouns, particles and empty verbs."""
    return frozenset(load_list(_PACKAGE, "stopwords_en.txt")) | frozenset(load_list(_PACKAGE, "stopwords_zh.txt"))


@cache
def chinese_stopwords() -> tuple[str, ...]:
    """The Chinese stopwords, longest first (words before single characters)."""
    return tuple(sorted(load_list(_PACKAGE, "stopwords_zh.txt"), key=lambda w: (-len(w), w)))


def stem(word: str) -> str:
    """A light, deterministic English stem: plural, -ed and -ing endings and a final -e are dropped, so
    that "charge", "charges", "charged" and "charging" share one stem ("charg"). Only lowercase
    alphabetic words are stemmed; others are returned as they are."""
    if len(word) <= 2 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("eed"):
            base = word[: -len(suffix)]
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # stopped → stop, running → run
            return _drop_e(base)
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return _drop_e(word[:-1])
    return _drop_e(word)


def _drop_e(word: str) -> str:
    return word[:-1] if len(word) >= 3 and word.endswith("e") and not word.endswith("ee") else word
