"""The knowledge-base model: a brand's official facts, key messages, avoid-topics and prohibited claims."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# The error type of rules JSON Schema cannot state (periods in order, ids unique): answered 422, not 400.
INCONSISTENT = "inconsistent"
KB_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
ITEM_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
MAX_ITEM_TEXT = 2000

ItemId = Annotated[str, StringConstraints(pattern=ITEM_ID_PATTERN)]
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ITEM_TEXT)]
KnowledgeBaseId = Annotated[str, StringConstraints(pattern=KB_ID_PATTERN)]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_visible(ch: str) -> bool:
    # Not a space, a control or a format character (zero-width, bidi marks); unassigned and private-use
    # characters count, as they render (as a box at least).
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Cs")


def _char_class(excluded: Iterable[int]) -> str:
    """A regex class of every character but ``excluded`` (astral ones written as themselves, as JSON Schema
    dialects spell them differently)."""
    ranges: list[list[int]] = []
    for code in sorted(excluded):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])

    def char(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "[^" + "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges) + "]"


# What pydantic strips (Unicode White_Space, which is not quite str.isspace: it keeps U+001C-U+001F).
_STRIPPED: TypeAdapter[str] = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True)])


@functools.cache
def _patterns() -> dict[str, str]:
    """JSON Schema patterns (which match anywhere) for the OpenAPI document: ``visible``, a character
    :func:`has_visible_text` counts, and ``not_blank``, one that stripping leaves. Computed on first use, as
    it walks all of Unicode (surrogates left out: they are not characters a JSON text can hold)."""
    chars = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    return {
        "visible": _char_class(ord(ch) for ch in chars if not _is_visible(ch)),
        "not_blank": _char_class(ord(ch) for ch in chars if ch.isspace() and not _STRIPPED.validate_python(ch)),
    }


def text_patterns(**fields: str) -> Callable[[dict[str, Any], type], None]:
    """A model's ``json_schema_extra``: each field (``tags[]`` for a list's items) gets the named pattern of
    :func:`_patterns`. Model-level, so it runs only when a JSON schema is made."""

    def extra(schema: dict[str, Any], _: type) -> None:
        for field, kind in fields.items():
            target = schema["properties"][field.removesuffix("[]")]
            target = target["items"] if field.endswith("[]") else target
            target["pattern"] = _patterns()[kind]

    return extra


def _iso_date(value: object) -> object:
    # pydantic would also take 0 or "0" (Unix time) as 1970-01-01; a date is YYYY-MM-DD (or a date, from YAML).
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class ItemKind(enum.StrEnum):
    """The four kinds of knowledge-base item; values are the interchange-format section names."""

    FACT = "facts"
    KEY_MESSAGE = "key_messages"
    AVOID_TOPIC = "avoid_topics"
    PROHIBITED_CLAIM = "prohibited_claims"

    @property
    def url_segment(self) -> str:
        """The path segment used by the REST API (``key-messages``)."""
        return self.value.replace("_", "-")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Item(_Strict):
    id: ItemId = Field(description="Identifier unique within its knowledge base, e.g. F1.")
    model_config = ConfigDict(json_schema_extra=text_patterns(text="visible"))

    text: ItemText = Field(description="The official wording.")

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not _visible(value):
            raise ValueError("text must contain visible characters")
        return value


class Fact(_Item):
    """An official product fact. Content stating another figure, the opposite or a wrong use distorts it."""

    model_config = ConfigDict(json_schema_extra=text_patterns(text="visible", **{"tags[]": "not_blank"}))

    topic: str | None = Field(default=None, max_length=200, description="Attribute the fact is about.")
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(default_factory=list)
    valid_from: IsoDate | None = Field(default=None, description="First day the fact holds (inclusive).")
    valid_until: IsoDate | None = Field(default=None, description="Last day the fact holds (inclusive).")

    @model_validator(mode="after")
    def _period_in_order(self) -> Self:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise PydanticCustomError(INCONSISTENT, "valid_until is before valid_from")
        return self


class KeyMessage(_Item):
    """A campaign selling point whose pull-through is measured."""

    priority: int | None = Field(default=None, ge=1, le=5, description="1 (highest) to 5.")
    campaign_start: IsoDate | None = None
    campaign_end: IsoDate | None = None

    @model_validator(mode="after")
    def _campaign_in_order(self) -> Self:
        if self.campaign_start and self.campaign_end and self.campaign_end < self.campaign_start:
            raise PydanticCustomError(INCONSISTENT, "campaign_end is before campaign_start")
        return self


class AvoidTopic(_Item):
    """A subject the brand wants played down; touching it is reported, not a distortion."""


class ProhibitedClaim(_Item):
    """A claim the brand must never be associated with; making it is a distortion of kind prohibited."""


ITEM_MODELS: dict[ItemKind, type[_Item]] = {
    ItemKind.FACT: Fact,
    ItemKind.KEY_MESSAGE: KeyMessage,
    ItemKind.AVOID_TOPIC: AvoidTopic,
    ItemKind.PROHIBITED_CLAIM: ProhibitedClaim,
}

AnyItem = Fact | KeyMessage | AvoidTopic | ProhibitedClaim


class KnowledgeBaseContent(_Strict):
    """A knowledge base as authored: the interchange format (kb.json) plus optional fields."""

    model_config = ConfigDict(json_schema_extra=text_patterns(brand="not_blank", product="not_blank"))

    brand: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    product: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    lang: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")] = Field(
        description="Language of the official wording, e.g. zh or en."
    )
    facts: list[Fact] = Field(default_factory=list)
    key_messages: list[KeyMessage] = Field(default_factory=list)
    avoid_topics: list[AvoidTopic] = Field(default_factory=list)
    prohibited_claims: list[ProhibitedClaim] = Field(default_factory=list)
    absolute_terms: list[str] = Field(
        default_factory=list, description="Extra absolute-claim terms for this brand (beyond the built-in lexicon)."
    )
    absolute_exceptions: list[str] = Field(
        default_factory=list, description="Terms the brand may use although the lexicon lists them."
    )

    @model_validator(mode="after")
    def _ids_unique(self) -> Self:
        seen: dict[str, str] = {}
        duplicates: list[str] = []
        for kind in ItemKind:
            for item in getattr(self, kind.value):
                if item.id in seen:
                    duplicates.append(f"{item.id} ({seen[item.id]} and {kind.value})")
                seen.setdefault(item.id, kind.value)
        if duplicates:
            raise PydanticCustomError(INCONSISTENT, "duplicate item ids: {ids}", {"ids": ", ".join(duplicates)})
        return self

    def items(self, kind: ItemKind) -> list[AnyItem]:
        """The items of one kind."""
        return list(getattr(self, kind.value))

    def find(self, item_id: str) -> tuple[ItemKind, AnyItem] | None:
        """The kind and item with this id, if any."""
        for kind in ItemKind:
            for item in getattr(self, kind.value):
                if item.id == item_id:
                    return kind, item
        return None

    def to_interchange(self) -> dict[str, Any]:
        """The JSON interchange form (kb.json): optional fields appear only when set."""
        data = self.model_dump(mode="json", exclude_none=True)
        for kind in ItemKind:
            for item in data[kind.value]:
                if not item.get("tags"):
                    item.pop("tags", None)
        for key in ("absolute_terms", "absolute_exceptions"):
            if not data[key]:
                del data[key]
        return data


class KnowledgeBase(KnowledgeBaseContent):
    """A stored knowledge base: its content plus identity and version."""

    id: KnowledgeBaseId = Field(description="URL-safe identifier, e.g. brava-airfry-5.")
    version: int = Field(default=0, ge=0, description="Bumped by every change.")
    updated_at: dt.datetime | None = None

    @property
    def content(self) -> KnowledgeBaseContent:
        """The authored content without identity and version."""
        return KnowledgeBaseContent.model_validate(self.model_dump(exclude={"id", "version", "updated_at"}))


def slugify(text: str) -> str:
    """A knowledge-base id from a name: its ASCII letters and digits, lower-cased, joined by dashes (may be empty)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).lower().strip("-")
    return slug[:64].strip("-")


def derive_kb_id(product: str, brand: str) -> str:
    """The id of a knowledge base given none: the product's slug, else the brand's, else ``kb-`` and a hash of
    both (for names without ASCII letters or digits)."""
    digest = hashlib.sha256(f"{brand}\0{product}".encode()).hexdigest()[:12]
    return slugify(product) or slugify(brand) or f"kb-{digest}"


def has_visible_text(text: str) -> bool:
    """Whether the text has a character other than spaces, controls and format characters (zero-width ones)."""
    return _visible(text)


def _visible(text: str) -> bool:
    return any(_is_visible(ch) for ch in text)


def json_number(value: Any) -> Any:
    """A request's number as JSON typed it: pydantic would read ``true`` as 1 and ``"5"`` as 5, and the API
    validates bodies in lax mode (enum values and dates arrive as strings). For an optional field with bounds,
    use it as a ``field_validator(mode="before")``: inside ``Annotated`` it would hide the bounds from the
    OpenAPI document."""
    if isinstance(value, bool | str):
        raise PydanticCustomError("json_number", "Input should be a number, not {kind}", {"kind": type(value).__name__})
    return value


def _json_bool(value: Any) -> Any:
    """A request's boolean as JSON typed it: pydantic would read 1, "yes" or "true" as true."""
    if not isinstance(value, bool):
        raise PydanticCustomError("json_bool", "Input should be true or false")
    return value


JsonInt = Annotated[int, BeforeValidator(json_number)]
JsonBool = Annotated[bool, BeforeValidator(_json_bool)]
