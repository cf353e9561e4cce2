"""Context cues of a sentence, in Chinese and English, used as evidence by the fitted decision.

Each is a general grammatical resource (question particles, first-person pronouns, hedges, reported
speech, complaint and benefit words), not a phrase of any product: the decision learns how much each one matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUESTION = re.compile(
    r"[?？]|吗|么[。.!！]?$|是不是|是否|有没有|能不能|会不会|可不可以|难道|真的假的|"
    r"^\s*(?:is|are|does|do|did|can|could|will|would|should|has|have)\b|\bis it true\b|\bwhether\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"我|咱|俺|\b(?:i|i'm|i've|i'd|my|me|mine|we|our|us)\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"可能|也许|好像|似乎|大概|估计|应该是|感觉|觉得|据说|听说|传言|网传|有人说|号称|宣称|"
    r"\b(?:maybe|perhaps|probably|might|seems?|apparently|supposedly|reportedly|allegedly|rumou?rs?|"
    r"i think|i guess|i heard|they say|people say|claims?|claimed)\b",
    re.IGNORECASE,
)
_DEBUNK = re.compile(
    r"其实不|并不|并没有|不是真的|谣言|别信|不要信|误区|假的|辟谣|"
    r"\b(?:myth|not true|false|debunk\w*|actually (?:not|no)|no,|nope)\b|"
    # "wrong" said of a claim ("that's wrong", "they're wrong about"), not of a thing ("the wrong colour", "nothing
    # wrong with it"): the one a seller or a buyer got wrong is no claim debunked
    r"(?:\b(?:is|are|was|were|am|be|been|totally|completely|simply|plain|just|dead)|['’](?:s|re))\s+wrong\b|"
    r"\bwrong about\b|^wrong\b",
    re.IGNORECASE,
)
_COMPLAINT = re.compile(
    r"缺点|不足|可惜|遗憾|失望|吐槽|槽点|不满|差评|麻烦|不够|太[慢短小少重贵吵]|一般般|不太|没那么|还行|"
    r"\b(?:but|however|unfortunately|disappoint\w*|downside|complain\w*|annoy\w*|wish|too (?:slow|short|small|"
    r"heavy|loud|noisy|expensive)|not (?:that|as|very|so)|meh|issue|problem)\b",
    re.IGNORECASE,
)
_BENEFIT = re.compile(
    r"方便|省心|省事|省时|轻松|好用|实用|喜欢|满意|惊喜|推荐|值得|安心|放心|舒服|舒适|顺滑|清晰|够用|耐用|快|稳|"
    r"\b(?:love\w*|great|easy|easily|convenient|handy|fast|quick\w*|smooth\w*|sharp|comfortable|reliable|"
    r"worth|recommend\w*|impressive|amazing|happy|perfect|no need|saves?|keeps?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cues:
    """Which context cues a text has (1.0) or not (0.0), as features."""

    question: float
    first_person: float
    hedge: float
    debunk: float
    complaint: float
    benefit: float


def cues_of(text: str) -> Cues:
    """The context cues of a sentence or clause."""
    stripped = text.strip()
    return Cues(
        question=float(bool(_QUESTION.search(stripped))),
        first_person=float(bool(_FIRST_PERSON.search(stripped))),
        hedge=float(bool(_HEDGE.search(stripped))),
        debunk=float(bool(_DEBUNK.search(stripped))),
        complaint=float(bool(_COMPLAINT.search(stripped))),
        benefit=float(bool(_BENEFIT.search(stripped))),
    )
