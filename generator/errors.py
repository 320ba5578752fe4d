"""The one error type the build reports to people.

Every problem a user can fix (bad front matter, a bad config key, a broken
template) is raised as :class:`BuildError` with the file and, where there is
one, the line. The CLI prints it as ``path:line: message`` and exits non-zero
without a traceback; anything else escaping is a bug in the generator.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from pathlib import Path


class BuildError(Exception):
    """A user-fixable problem, located in a file (and line) where possible."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self):  # raised in a worker process, re-raised in the build's
        return (BuildError, (self.message, self.path, self.line))

    def display_path(self, relative_to: Path | None = None) -> str:
        """The file, relative to ``relative_to`` when it lies inside it ("" if none)."""
        if self.path is None:
            return ""
        path = self.path
        if relative_to is not None:  # symbolic links kept as written, then resolved
            for mine, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(relative_to))),
                               (path.resolve(), relative_to.resolve())):
                with contextlib.suppress(ValueError):
                    return str(mine.relative_to(base))
        return str(path)

    def location(self, relative_to: Path | None = None) -> str:
        path = self.display_path(relative_to)
        return f"{path}:{self.line}" if path and self.line else path

    def format(self, relative_to: Path | None = None) -> str:
        where = self.location(relative_to)
        return f"{where}: {self.message}" if where else self.message

    def __str__(self) -> str:
        return self.format()


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")


def toml_error(exc: Exception, path: Path, text: str, line_offset: int = 0) -> BuildError:
    """Turn a :class:`tomllib.TOMLDecodeError` into a located :class:`BuildError`.

    ``tomllib`` only reports the position inside its message, so it is parsed
    out; ``line_offset`` shifts it when the TOML is embedded (front matter).
    """
    message = str(exc)
    match = _TOML_POSITION.search(message)
    line = None
    if match:
        message = message[: match.start()] + message[match.end() :]
        line = int(match.group(1)) if match.group(1) else text.count("\n") + 1
    return BuildError(f"invalid TOML: {message}", path, line + line_offset if line else None)


def parse_toml(text: str, path: Path, line_offset: int = 0) -> dict:
    """``text`` parsed as TOML, or a :class:`BuildError` naming the file and line (values
    nested too deeply for the parser are refused too). Every TOML the generator reads goes
    through here."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, path, text, line_offset) from None
    except RecursionError:
        raise BuildError("invalid TOML: values nested too deeply", path,
                         line_offset + _deepest_line(text)) from None


def _deepest_line(text: str, limit: int = 100) -> int:
    """The line where brackets or braces first nest ``limit`` deep (the parser gave up)."""
    depth = 0
    for index, char in enumerate(text):
        depth += (char in "[{") - (char in "]}")
        if depth >= limit:
            return text.count("\n", 0, index) + 1
    return 1


def read_file(path: Path) -> bytes:
    """An input file's bytes, or a :class:`BuildError` saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read file: {exc.strerror or exc}", path) from None


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode ``data`` as UTF-8 (a BOM is dropped), or fail naming the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BuildError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", path, line
        ) from None
    return text.removeprefix("\ufeff")
