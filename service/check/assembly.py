"""Response assembly: a post's decided distortions placed in it, its sentences' verdicts, the counts, the
corrected text and the response.

The analyses and decisions work at offsets from each sentence's start (a sentence is analysed once for
every post it occurs in); here each reported distortion is moved to where its sentence starts in the post.
"""

from __future__ import annotations

from knowledge_base.models import KnowledgeBase
from service.check.absolute import reword
from service.check.schemas import (
    CarriedMessage,
    CheckCounts,
    CheckResponse,
    Distortion,
    DistortionKind,
    ItemRef,
    SentenceResult,
    TouchedTopic,
    Verdict,
)
from service.check.segmentation import Span
from service.check.sentence import SentenceAnalysis
from service.settings import CheckThresholds


def shifted(distortion: Distortion, shift: int) -> Distortion:
    """A copy of a distortion found at offset 0, moved to where its sentence starts."""
    edit = distortion.edit
    return distortion.model_copy(
        update={
            "start": distortion.start + shift,
            "end": distortion.end + shift,
            "edit": edit.model_copy(update={"start": edit.start + shift, "end": edit.end + shift}) if edit else None,
        }
    )


def placed(sentences: list[Span], decided: list[list[Distortion]]) -> dict[int, list[Distortion]]:
    """Per sentence index, its decided distortions at offsets in the post."""
    return {index: [shifted(d, sentences[index].start) for d in found] for index, found in enumerate(decided)}


def assembled(
    kb: KnowledgeBase,
    thresholds: CheckThresholds,
    text: str,
    lang: str,
    sentences: list[Span],
    analyses: list[SentenceAnalysis],
    per_sentence: dict[int, list[Distortion]],
    carried: list[CarriedMessage],
    touched: list[TouchedTopic],
    decision_version: str,
) -> CheckResponse:
    """The response for one post: its sentences with their verdicts, its distortions, the key messages it
    carries and misses, the avoid-topics it touches, the counts, the consistency score and the corrected text."""
    results = sentence_results(thresholds, sentences, analyses, per_sentence, carried)
    distortions = [d for result in results for d in result.distortions]
    counts = CheckCounts(
        sentences=len(results),
        consistent=sum(r.verdict is Verdict.CONSISTENT for r in results),
        distortion=sum(r.verdict is Verdict.DISTORTION for r in results),
        unrelated=sum(r.verdict is Verdict.UNRELATED for r in results),
        distortions_by_kind={
            kind.value: n for kind in DistortionKind if (n := sum(d.kind is kind for d in distortions))
        },
    )
    on_topic = counts.consistent + counts.distortion
    carried_ids = {message.id for message in carried}
    return CheckResponse(
        kb_id=kb.id,
        kb_version=kb.version,
        lang=lang,
        sentences=results,
        distortions=distortions,
        key_messages_carried=carried,
        key_messages_missed=[ItemRef(id=m.id, text=m.text) for m in kb.key_messages if m.id not in carried_ids],
        avoid_topics_touched=touched,
        counts=counts,
        consistency_score=round(counts.consistent / on_topic, 4) if on_topic else 1.0,
        corrected_text=corrected_text(text, sentences, per_sentence),
        thresholds=thresholds.model_dump(),
        decision_version=decision_version,
    )


def sentence_results(
    thresholds: CheckThresholds,
    sentences: list[Span],
    analyses: list[SentenceAnalysis],
    per_sentence: dict[int, list[Distortion]],
    carried: list[CarriedMessage],
) -> list[SentenceResult]:
    """Each sentence with its verdict (a distortion; consistent when it is about a fact or carries a key
    message; unrelated otherwise), its matches and its distortions."""
    results = []
    for index, (sentence, analysis) in enumerate(zip(sentences, analyses, strict=True)):
        on_topic = any(fact.score >= thresholds.on_topic_min for fact in analysis.facts) or any(
            m.sentence_index == index for m in carried
        )
        if per_sentence[index]:
            verdict = Verdict.DISTORTION
        elif on_topic:
            verdict = Verdict.CONSISTENT
        else:
            verdict = Verdict.UNRELATED
        results.append(
            SentenceResult(
                index=index,
                start=sentence.start,
                end=sentence.end,
                text=sentence.text,
                verdict=verdict,
                # Validation copies each list: a response never shares one with the cached analysis.
                facts=analysis.facts,
                key_messages=analysis.key_messages,
                avoid_topics=analysis.avoid_topics,
                prohibited_claims=analysis.prohibited_claims,
                distortions=per_sentence[index],
            )
        )
    return results


def corrected_text(text: str, sentences: list[Span], per_sentence: dict[int, list[Distortion]]) -> str:
    """The text with every correction applied: figures and absolute terms in place, a forbidden use or a
    contradiction replaced by the official wording, a prohibited claim dropped."""
    pieces = []
    cursor = 0
    for index, sentence in enumerate(sentences):
        edits = sorted((d.edit for d in per_sentence[index] if d.edit is not None), key=lambda e: (e.start, -e.end))
        if not edits:
            continue
        if any(d.kind is DistortionKind.PROHIBITED for d in per_sentence[index]):
            pieces.append(text[cursor : sentence.start])  # a prohibited claim is dropped with its sentence
            cursor = sentence.end
            continue
        corrected = sentence.text
        last_start = len(text) + 1
        for edit in reversed(edits):  # right to left, skipping an edit that overlaps one already made
            if edit.end > last_start:
                continue
            corrected = corrected[: edit.start - sentence.start] + edit.text + corrected[edit.end - sentence.start :]
            last_start = edit.start
        if any(d.kind is DistortionKind.ABSOLUTE for d in per_sentence[index]):
            corrected = reword(corrected, [])
            if sentence.text[:1].isupper():
                corrected = corrected[:1].upper() + corrected[1:]
        pieces.append(text[cursor : sentence.start])
        pieces.append(corrected)
        cursor = sentence.end
    pieces.append(text[cursor:])
    return "".join(pieces)
