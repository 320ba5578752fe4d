"""The model's lexicon file: gazetteer names and word clusters, one per line, sorted.

    G<TAB>LOC<TAB>القاهرة        a gazetteer name and its type
    C<TAB>قاهره<TAB>0110101     a word key and its cluster's bit string

Plain sorted text, so that ``make ner-model`` writes the same bytes each time and a
change shows in ``git diff``.
"""

from __future__ import annotations

from pathlib import Path

from .features import Lexicon


def write_lexicon(path: Path, lexicon: Lexicon) -> None:
    lines = [f"G\t{kind}\t{name}" for kind, names in sorted(lexicon.gazetteer.items())
             for name in sorted(names)]
    lines += [f"C\t{word}\t{bits}" for word, bits in sorted(lexicon.clusters.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_lexicon(path: Path) -> Lexicon:
    gazetteer: dict[str, list[str]] = {}
    clusters: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        kind, first, second = line.split("\t")
        if kind == "G":
            gazetteer.setdefault(first, []).append(second)
        else:
            clusters[first] = second
    return Lexicon({k: tuple(v) for k, v in gazetteer.items()}, clusters)
