"""A candidate distortion of one clause, as the mechanisms propose it: what it is of, why, and its correction."""

from __future__ import annotations

from service.check.quantities import Quantity
from service.check.retrieval import Unit
from service.check.schemas import Distortion, DistortionKind, Edit, Figure


def figure(quantity: Quantity) -> Figure:
    """A figure as the response reports it."""
    return Figure(text=quantity.text, value=quantity.value, unit=quantity.unit, bound=quantity.bound)


def clause_distortion(
    kind: DistortionKind,
    fact_id: str,
    fact_text: str,
    unit: Unit,
    explanation: str,
    correction: str,
    score: float,
    claimed: Quantity | None = None,
    official: Quantity | None = None,
    edit: Edit | None = None,
    marks: frozenset[str] = frozenset(),
) -> Distortion:
    """A distortion spanning the clause ``unit``, with offsets from its sentence's start. Without an ``edit``
    the clause is replaced by the official wording (a prohibited claim is simply dropped). ``marks`` are the
    mechanism's notes for the decision (``Distortion.marks``)."""
    if edit is None:
        replacement = "" if kind is DistortionKind.PROHIBITED else fact_text
        edit = Edit(start=unit.span.start, end=unit.span.end, text=replacement)
    return Distortion(
        edit=edit,
        kind=kind,
        fact_id=fact_id,
        fact_text=fact_text,
        start=unit.span.start,
        end=unit.span.end,
        explanation=explanation,
        correction=correction if kind is DistortionKind.PROHIBITED else correction or fact_text,
        claimed=figure(claimed) if claimed else None,
        official=figure(official) if official else None,
        score=round(score, 4),
    ).marked(marks)
