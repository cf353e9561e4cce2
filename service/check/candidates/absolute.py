"""Absolute claims: the absolute terms a sentence asserts about the product or brand.

The lexicon and its grammar (what is a bound, a feeling, a downside, a negated superlative or about
another target) are ``service.check.absolute``'s; this turns each claim it finds into a candidate with a
neutral rewording, together with the knowledge base's own absolute terms and exceptions.
"""

from __future__ import annotations

from knowledge_base.models import KnowledgeBase
from service.check.absolute import neutral_wording, reword
from service.check.schemas import Distortion, DistortionKind, Edit
from service.check.segmentation import Span
from service.check.wording import Wording


class AbsoluteTerms:
    """Proposes the ``absolute`` candidates of a sentence."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording

    def propose(self, kb: KnowledgeBase, sentence: Span) -> list[Distortion]:
        """One candidate per absolute term ``sentence`` asserts, with offsets in ``sentence``'s own frame."""
        found = []
        for claim in self.wording.absolute_claims(sentence.text, kb.absolute_terms, kb.absolute_exceptions):
            start, end = sentence.start + claim.start, sentence.start + claim.end
            found.append(
                Distortion(
                    kind=DistortionKind.ABSOLUTE,
                    fact_id=None,
                    fact_text=None,
                    start=start,
                    end=end,
                    explanation=f"“{claim.term}” is an absolute claim the brand never made (banned in advertising)",
                    correction=reword(sentence.text, [claim]),
                    score=1.0,
                    edit=Edit(start=start, end=end, text=neutral_wording(claim.term)),
                )
            )
        return found
