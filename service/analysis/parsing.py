"""Reading posts from JSON, JSONL or CSV; errors name the line (or row) and the field."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from pydantic import ValidationError

from knowledge_base.errors import InvalidInputError, utf8_text
from knowledge_base.loading import format_loc
from service.analysis.schemas import MAX_POSTS, Post

PostFormat = Literal["json", "jsonl", "csv"]
_MAX_ERRORS = 20


def named_post_format(hint: str | None) -> PostFormat | None:
    """The format a content type (or file name) names, if it names one."""
    hint = (hint or "").lower()
    if "csv" in hint:
        return "csv"
    if "jsonl" in hint or "ndjson" in hint or "json-lines" in hint:
        return "jsonl"
    if "json" in hint:
        return "json"
    return None


def detect_post_format(content_type: str | None, filename: str | None, body: bytes) -> PostFormat:
    """The format from the content type, the file name, or the body itself."""
    named = named_post_format(f"{content_type or ''} {filename or ''}")
    if named is not None:
        return named
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"["):
        first_line = stripped.split(b"\n", 1)[0].strip()
        if stripped[:1] == b"{" and first_line.endswith(b"}") and b"\n{" in stripped:
            return "jsonl"
        return "json"
    return "csv"


def parse_posts(body: bytes, fmt: PostFormat) -> list[Post]:
    """Validated posts; raises InvalidInputError listing the bad lines and fields."""
    text = utf8_text(body, "the upload", "utf-8-sig")
    rows: list[tuple[str, Any]] = []
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                "invalid JSON", extra=[{"field": "body", "message": exc.msg, "line": exc.lineno}]
            ) from exc
        if isinstance(data, dict) and (unknown := sorted(set(data) - {"posts"})):
            raise InvalidInputError(
                f"unknown field '{unknown[0]}'; the body is {{\"posts\": [...]}} or a list of posts",
                extra=[{"field": name, "message": "unknown field"} for name in unknown],
            )
        items = data.get("posts") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise InvalidInputError(
                'expected a list of posts or {"posts": [...]}', extra=[{"field": "posts", "message": "not a list"}]
            )
        rows = [(f"posts[{index}]", item) for index, item in enumerate(items)]
    elif fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InvalidInputError(
                    f"invalid JSON on line {number}", extra=[{"field": f"line {number}", "message": exc.msg}]
                ) from exc
    else:
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or "text" not in [name.strip().lower() for name in reader.fieldnames]:
            raise InvalidInputError(
                "the CSV needs a header row with a 'text' column",
                extra=[{"field": "text", "message": "missing column"}],
            )
        for number, row in enumerate(reader, start=2):
            if None in row:
                raise InvalidInputError(
                    f"row {number} has more fields than the header; quote texts that contain commas",
                    extra=[{"field": f"row {number}", "message": "more fields than the header"}],
                )
            clean = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
            rows.append((f"row {number}", {key: value for key, value in clean.items() if value != ""}))
    if not rows:
        raise InvalidInputError("no posts in the upload", extra=[{"field": "posts", "message": "empty"}])
    if len(rows) > MAX_POSTS:
        raise InvalidInputError(
            f"{len(rows)} posts; at most {MAX_POSTS:,} per analysis",
            extra=[{"field": "posts", "message": f"more than {MAX_POSTS}"}],
        )
    posts: list[Post] = []
    errors: list[dict[str, Any]] = []
    for where, item in rows:
        try:
            # JSON posts are held to their JSON types (no 1 for true, "5" for 5); CSV cells are all text.
            posts.append(
                Post.model_validate(item) if fmt == "csv" else Post.model_validate_json(json.dumps(item), strict=True)
            )
        except ValidationError as exc:
            for error in exc.errors():
                field = format_loc(error["loc"]) or "post"
                errors.append({"field": f"{where}.{field}", "message": error["msg"]})
            if len(errors) >= _MAX_ERRORS:
                break
    if errors:
        raise InvalidInputError(f"{len(errors)} invalid post field(s), first: {errors[0]['field']}", extra=errors)
    return posts
