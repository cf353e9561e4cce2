"""Reading knowledge bases from YAML (authoring) and JSON (the kb.json interchange format).

Validation errors name the file, the line and the field, e.g.
``samples/blender.yaml:14: facts[2].text: text must contain visible characters``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge_base.models import ItemKind, KnowledgeBase, KnowledgeBaseContent, derive_kb_id, slugify


@dataclass(frozen=True)
class FieldError:
    """One problem in a knowledge-base document."""

    field: str
    message: str
    line: int | None = None
    source: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.source, self.line) if part is not None)
        return f"{where + ': ' if where else ''}{self.field or '(document)'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """JSON form for API error responses."""
        data: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data


class KnowledgeBaseFormatError(ValueError):
    """A knowledge-base document that cannot be parsed or does not validate."""

    def __init__(self, errors: Sequence[FieldError], source: str | None = None) -> None:
        self.errors = list(errors)
        self.source = source
        super().__init__("\n".join(str(error) for error in self.errors))


def duplicate_item_ids(data: Any) -> list[tuple[str, int, str]]:
    """Every (section, index, id) whose id already appeared earlier in any section."""
    if not isinstance(data, dict):
        return []
    seen: set[str] = set()
    duplicates = []
    for kind in ItemKind:
        items = data.get(kind.value)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                duplicates.append((kind.value, index, item_id))
            seen.add(item_id)
    return duplicates


def format_loc(loc: Iterable[int | str]) -> str:
    """``('facts', 2, 'text')`` → ``facts[2].text``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def field_errors(
    exc: ValidationError, data: Any, root: yaml.Node | None = None, source: str | None = None
) -> list[FieldError]:
    """Turn a pydantic error into field errors, located in the YAML node tree when there is one."""
    errors: list[FieldError] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if not loc and message.startswith("duplicate item ids"):
            continue  # reported below, one per item, even when other fields fail too
        if error["type"] == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}"
        errors.append(FieldError(format_loc(loc), message, _line_of(root, loc), source))
    for section, index, item_id in duplicate_item_ids(data):
        path = (section, index, "id")
        errors.append(FieldError(format_loc(path), f"duplicate id {item_id!r}", _line_of(root, path), source))
    return sorted(errors, key=lambda error: error.line or 0)


def _line_of(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the deepest node along ``loc`` (a missing field points at its parent)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    # An unknown field is best shown at its key, a bad value at the value.
                    child = value if part != loc[-1] or isinstance(value, yaml.CollectionNode) else key
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate mapping keys instead of silently keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates stay strings so that pydantic validates them and names the field ("2026-13-01" is a bad date,
# not a YAML crash).
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, source: str | None = None) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into data plus its node tree (for line numbers)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeBaseFormatError([FieldError("", f"invalid YAML: {problem}", line, source)], source) from exc
    return data, root


def parse_json(text: str, source: str | None = None) -> Any:
    """Parse JSON, reporting the line of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise KnowledgeBaseFormatError(
            [FieldError("", f"invalid JSON: {exc.msg}", exc.lineno, source)], source
        ) from exc


def validate_document(
    data: Any, root: yaml.Node | None = None, source: str | None = None, default_id: str | None = None
) -> KnowledgeBase:
    """Validate a parsed knowledge-base document. Its id comes from ``id``, else ``default_id``,
    else the product name."""
    if not isinstance(data, dict):
        raise KnowledgeBaseFormatError([FieldError("", "the document must be a mapping", 1, source)], source)
    try:
        content = KnowledgeBaseContent.model_validate({k: v for k, v in data.items() if k not in ("id", "version")})
    except ValidationError as exc:
        raise KnowledgeBaseFormatError(field_errors(exc, data, root, source), source) from exc
    kb_id = data.get("id") or default_id or derive_kb_id(content.product, content.brand)
    try:
        return KnowledgeBase(id=kb_id, **content.model_dump())
    except ValidationError as exc:
        raise KnowledgeBaseFormatError(field_errors(exc, data, root, source), source) from exc


def parse_document(text: str, fmt: str, source: str | None = None, default_id: str | None = None) -> KnowledgeBase:
    """Parse and validate a knowledge base written as ``yaml`` or ``json``."""
    if fmt == "json":
        return validate_document(parse_json(text, source), None, source, default_id)
    data, root = parse_yaml(text, source)
    return validate_document(data, root, source, default_id)


def load_file(path: Path, default_id: str | None = None) -> KnowledgeBase:
    """Load a knowledge base from a .yaml/.yml or .json file; a kb.json takes its folder's name as id."""
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    if default_id is None:
        default_id = slugify(path.parent.name if path.name == "kb.json" else path.stem) or None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseFormatError([FieldError("", "file is not valid UTF-8")], str(path)) from exc
    return parse_document(text, fmt, str(path), default_id)


def dump_yaml(kb: KnowledgeBase) -> str:
    """YAML authoring form of a knowledge base, id first."""
    data = {"id": kb.id, **kb.content.to_interchange()}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
