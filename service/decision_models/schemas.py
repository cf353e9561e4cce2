"""Response bodies of a knowledge base's own decision models."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DecisionModelInfo(BaseModel):
    """One version of a knowledge base's own decision model (fitted by `brandcheck train --kb`)."""

    kb_id: str
    version: int = Field(ge=1, description="1, 2, ...: each training of the knowledge base's model adds one.")
    decision_version: str = Field(description="How check responses name it (`decision_version`): `<kb id>/<N>`.")
    created: str = Field(description="When it was fitted (UTC, ISO 8601).")
    created_by: str = Field(description="Who fitted it (the command's user: `local`).")
    trained_on: str = Field(description="What it was fitted on: the dev products and the reviewed posts.")
    feedback_entries: int = Field(ge=0, description="The feedback entries it learned from.")
    active: bool = Field(description="Whether checks and analyses of the knowledge base use it.")
