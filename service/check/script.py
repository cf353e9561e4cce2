"""Traditional Chinese (繁體) to Simplified, aligned character by character with the original.

Knowledge bases are written in Simplified Chinese; posts from Taiwan and Hong Kong are often in
Traditional. The checker analyses the simplified text (embedding, retrieval, cue lexicons, figures) and
reports offsets and texts of the original, which works only because ``to_simplified`` keeps the length in
code points and every character at its place. ``restore`` and ``restore_response`` give back the original's
characters in what was derived from the simplified text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import cache, lru_cache

import opencc

from service.check.schemas import CheckResponse, Distortion
from service.check.segmentation import Span

# Han ideographs (the BMP blocks and the supplementary planes' extensions): only these are converted.
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


@cache
def _converter(config: str) -> opencc.OpenCC:
    """One OpenCC converter per configuration for the process (loading its dictionaries takes a while); a
    converter is safe to share between threads (OpenCC's maintainer, BYVoid/OpenCC#231)."""
    return opencc.OpenCC(config)


def _convert(config: str, text: str) -> str:
    return str(_converter(config).convert(text))


def _characters(run: str) -> str:
    """``run`` converted with t2s (its phrases fix one-to-many characters, 乾燥 → 干燥, 頭髮 → 头发), or
    character by character where that changes the length."""
    converted = _convert("t2s", run)
    if len(converted) == len(run):
        return converted
    out = []
    for char in run:
        single = _convert("t2s", char)
        out.append(single if len(single) == 1 else char)
    return "".join(out)


@lru_cache(maxsize=65536)
def _simplified_run(run: str) -> str:
    """A run of Han characters in Simplified, same length: Taiwan vocabulary (軟體 → 软件, 滑鼠 → 鼠标) where
    the phrase keeps its length, characters elsewhere (記憶體 → 内存 would shift every later offset)."""
    characters = _characters(run)
    phrases = _convert("tw2sp", run)
    if phrases == characters:
        return characters
    # Changed stretches. A stretch whose length changed takes in the next change when one shared character at
    # most lies between: 滑鼠 → 鼠标 diffs as "drop 滑, keep 鼠, add 标" but is one same-length phrase.
    changes: list[list[int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, characters, phrases, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if changes:
            last = changes[-1]
            if last[1] - last[0] != last[3] - last[2] and i1 - last[1] <= 1 and j1 - last[3] <= 1:
                last[1], last[3] = i2, j2
                continue
        changes.append([i1, i2, j1, j2])
    out = []
    cursor = 0
    for i1, i2, j1, j2 in changes:
        out.append(characters[cursor:i1])
        out.append(phrases[j1:j2] if i2 - i1 == j2 - j1 else characters[i1:i2])
        cursor = i2
    out.append(characters[cursor:])
    return "".join(out)


def to_simplified(text: str) -> str:
    """``text`` in Simplified Chinese, of the same length, each character at its place (an offset into the
    result is valid in ``text``). English, Simplified Chinese, emoji and anything else pass unchanged."""
    if not _HAN_RUN.search(text) or _convert("t2s", text) == text:
        return text  # nothing Traditional (Taiwan phrases written in Simplified are left alone)
    simplified = _HAN_RUN.sub(lambda match: _simplified_run(match.group()), text)
    return simplified if len(simplified) == len(text) else text  # offsets first: never a shifted text


def restore(derived: str, simplified: str, original: str) -> str:
    """``derived`` (made from ``simplified``: a correction, an edit of it) with each character that comes from
    ``simplified`` given back as ``original``'s character at that place; inserted text stays as it is."""
    if simplified == original or not derived:
        return derived
    # The common ends map one to one; only the edited middle needs a diff.
    head = 0
    limit = min(len(derived), len(simplified))
    while head < limit and derived[head] == simplified[head]:
        head += 1
    tail = 0
    while tail < limit - head and derived[-1 - tail] == simplified[-1 - tail]:
        tail += 1
    middle_derived = derived[head : len(derived) - tail]
    middle_simplified = simplified[head : len(simplified) - tail]
    pieces = [original[:head]]
    matcher = SequenceMatcher(None, middle_simplified, middle_derived, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(original[head + i1 : head + i2])
        else:
            pieces.append(middle_derived[j1:j2])
    pieces.append(original[len(original) - tail :])
    return "".join(pieces)


def _sentence_bounds(response: CheckResponse, distortion: Distortion) -> tuple[int, int]:
    """Where the sentence holding a distortion starts and ends."""
    for sentence in response.sentences:
        if sentence.start <= distortion.start < sentence.end:
            return sentence.start, sentence.end
    return distortion.start, distortion.end


def _restored_distortion(distortion: Distortion, start: int, end: int, original: str, simplified: str) -> Distortion:
    """A distortion in the sentence ``[start, end)`` with the post's characters where its texts quote the post.

    Only an edit that rewrites the post's own words (a figure, an absolute term) is restored, and the
    correction built around it; an official text that replaces a clause is the knowledge base's, left as is."""
    edit = distortion.edit
    if edit is None or edit.text == distortion.fact_text or not distortion.correction:
        return distortion
    written, quoted = simplified[edit.start : edit.end], original[edit.start : edit.end]
    text = restore(edit.text, written, quoted)
    update: dict[str, object] = {"edit": edit.model_copy(update={"text": text})}
    if distortion.correction != edit.text:
        # The sentence with the edit made, then tidied (which only drops characters): diff it against the
        # sentence with the same edit, in both scripts.
        before, after = slice(start, edit.start), slice(edit.end, end)
        update["correction"] = restore(
            distortion.correction,
            simplified[before] + edit.text + simplified[after],
            original[before] + text + original[after],
        )
    if written.strip():
        update["explanation"] = distortion.explanation.replace(written.strip(), quoted.strip(), 1)
    if distortion.claimed is not None and distortion.claimed.text == written:
        update["claimed"] = distortion.claimed.model_copy(update={"text": quoted})
    return distortion.model_copy(update=update)


CorrectedText = Callable[[str, list[Span], dict[int, list[Distortion]]], str]


def restore_response(
    response: CheckResponse, original: str, simplified: str, corrected_text: CorrectedText
) -> CheckResponse:
    """A response computed on ``simplified`` with the original post's characters in every text taken from the
    post: sentences, the sentence a message or topic is carried by, the post's words in corrections, claimed
    figures and explanations, and the corrected text, which ``corrected_text`` (the checker's) makes again
    from the original with the restored edits. Offsets are the same in both. Makes copies: parts of a
    response may be shared with the checker's caches."""
    if simplified == original:
        return response
    restored: dict[int, Distortion] = {}  # by id: the response's list holds the sentences' own objects

    def distortion_of(distortion: Distortion, start: int, end: int) -> Distortion:
        if id(distortion) not in restored:
            restored[id(distortion)] = _restored_distortion(distortion, start, end, original, simplified)
        return restored[id(distortion)]

    sentences = [
        sentence.model_copy(
            update={
                "text": original[sentence.start : sentence.end],
                "distortions": [distortion_of(d, sentence.start, sentence.end) for d in sentence.distortions],
            }
        )
        for sentence in response.sentences
    ]
    return response.model_copy(
        update={
            "sentences": sentences,
            "distortions": [distortion_of(d, *_sentence_bounds(response, d)) for d in response.distortions],
            "key_messages_carried": [
                m.model_copy(update={"sentence": sentences[m.sentence_index].text})
                for m in response.key_messages_carried
            ],
            "avoid_topics_touched": [
                t.model_copy(update={"sentence": sentences[t.sentence_index].text})
                for t in response.avoid_topics_touched
            ],
            "corrected_text": corrected_text(
                original,
                [Span(s.start, s.end, s.text) for s in sentences],
                {s.index: s.distortions for s in sentences},
            ),
        }
    )
