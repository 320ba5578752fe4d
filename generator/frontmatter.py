"""TOML front matter between ``+++`` lines (Hugo's convention), with line numbers.

:class:`FrontMatter` keeps the file's text so that a problem with any field can
be reported at the line that defines it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from .errors import BuildError, parse_toml
from .text import strip_controls

DELIMITER = "+++"


@dataclass(frozen=True)
class FrontMatter:
    path: Path
    data: dict[str, Any]
    lines: tuple[str, ...]  # the TOML's lines
    first_line: int = 2  # the file's line number of lines[0] (front matter starts on line 2)

    def line_of(self, key: str) -> int | None:
        pattern = re.compile(rf'^\s*(?:"{re.escape(key)}"|{re.escape(key)})\s*=')
        for number, line in enumerate(self.lines, self.first_line):
            if pattern.match(line):
                return number
        return None

    def error(self, key: str, message: str) -> BuildError:
        return BuildError(f"{key}: {message}", self.path, self.line_of(key) or 1)

    def has(self, key: str) -> bool:
        return key in self.data

    def string(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise BuildError(f"missing required field '{key}'", self.path, 1)
            return None
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {_kind(value)}")
        value = strip_controls(value).strip()
        if required and not value:
            raise self.error(key, "must not be empty")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"expected a list of strings, got {_kind(value)}")
        items = (strip_controls(item).strip() for item in value)
        return tuple(dict.fromkeys(item for item in items if item))

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_kind(value)}")
        return value

    def moment(self, key: str, required: bool = False) -> datetime | None:
        """An ISO 8601 date or date-time, as a TOML value or a quoted string."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise BuildError(f"missing required field '{key}' (ISO 8601, e.g. 2019-03-19)",
                                 self.path, 1)
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise self.error(key, f"cannot parse {value!r} as an ISO 8601 date "
                                      "(e.g. 2019-03-19 or 2019-03-19T10:30:00+03:00)") from None
        if isinstance(value, datetime):
            try:
                value.astimezone(UTC)  # the order articles sort in: UTC
            except OverflowError:
                raise self.error(key, f"{value.isoformat()} is out of range once its offset "
                                      "is applied (UTC before year 1 or after 9999)") from None
            return value
        if isinstance(value, date):
            return datetime.combine(value, time())
        raise self.error(key, f"expected an ISO 8601 date, got {_kind(value)}")


def line_in_file(path: Path, key: str) -> int | None:
    """The line of a TOML file (or a Markdown file's front matter) that defines ``key``."""
    try:
        lines = tuple(path.read_text(encoding="utf-8").split("\n"))
    except (OSError, UnicodeDecodeError):
        return None
    return FrontMatter(path, {}, lines, first_line=1).line_of(key)


def _kind(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__) + f" ({value!r})"[:60]


def split(text: str, path: Path) -> tuple[FrontMatter, str, int]:
    """Split a document into its front matter and body; also returns the body's first line.
    Windows (CRLF) and old Mac (CR) line endings are read as newlines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != DELIMITER:
        raise BuildError(f"missing front matter: the file must start with a '{DELIMITER}' line, "
                         f"then TOML fields, then another '{DELIMITER}' line", path, 1)
    for end in range(1, len(lines)):
        if lines[end].strip() == DELIMITER:
            break
    else:
        raise BuildError(f"front matter is not closed: no second '{DELIMITER}' line", path, 1)
    source = "\n".join(lines[1:end])
    data = parse_toml(source, path, line_offset=1)
    body = "\n".join(lines[end + 1:])
    return FrontMatter(path, data, tuple(lines[1:end])), body, end + 2
