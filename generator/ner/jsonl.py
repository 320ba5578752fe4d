"""``python -m generator ner --in FILE.jsonl --out FILE.jsonl``: tag any JSONL of texts.

Each input line is ``{"id": …, "text": "…"}``; each output line is
``{"id": …, "entities": [{"start", "end", "type", "text"}]}`` with character offsets into
``text``. Every line is checked before anything is tagged, and a bad one is reported with
its line number; the output file appears only when the whole input was tagged.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import BuildError
from ..output import atomic_write


def read_requests(path: Path) -> list[tuple[object, str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read: {exc.strerror}", path) from None
    requests = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise BuildError("not UTF-8 text", path, number) from None
        except json.JSONDecodeError as exc:
            raise BuildError(f"not a JSON object: {exc.msg}", path, number) from None
        if not isinstance(record, dict):
            raise BuildError("expected a JSON object with \"id\" and \"text\"", path, number)
        if "id" not in record:
            raise BuildError("missing \"id\"", path, number)
        if not isinstance(record.get("text"), str):
            raise BuildError("\"text\" must be a string", path, number)
        requests.append((record["id"], record["text"]))
    return requests


def tag_file(source: Path, target: Path) -> int:
    """Tag every line of ``source`` into ``target``; returns the number of lines."""
    from .tagger import Recogniser

    requests = read_requests(source)
    recogniser = Recogniser()
    lines = [json.dumps({"id": identifier,
                         "entities": [span.as_json() for span in recogniser.recognise(text)]},
                        ensure_ascii=False) + "\n" for identifier, text in requests]
    atomic_write(target, "".join(lines).encode("utf-8"))
    return len(requests)
