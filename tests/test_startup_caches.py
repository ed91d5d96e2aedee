"""What start-up saves must not change what is checked: the character set written as ranges, the
map hashed once for both caches."""

from __future__ import annotations

import re

# The X12 basic and extended character sets, as element_checks.py listed them before it wrote ranges
X12_EXTENDED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"&'()*+,-./:;?=%~@[]_{}\\|<>^`#$"


def test_the_character_ranges_are_the_x12_extended_character_set():
    from edi_lint.x12.element_checks import _GOOD, _GOOD_NOT_SPACE

    def accepted(ranges: str) -> set[str]:
        return {chr(i) for i in range(0x3000) if re.fullmatch(f"[{ranges}]", chr(i), re.ASCII)}

    assert accepted(_GOOD) == set(X12_EXTENDED)
    assert accepted(_GOOD_NOT_SPACE) == set(X12_EXTENDED) - {" "}


def test_both_cache_keys_come_from_one_reading_of_the_map_files(monkeypatch):
    from pathlib import Path

    from edi_lint.x12 import grammar, ig_grammar

    grammar._digests.clear()
    reads: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    source = grammar.map_path()
    key = grammar.content_key(source)
    assert reads == ["837.5010.X222.A1.xml", "dataele.xml", "codes.xml", "x12.control.00501.xml"]
    assert grammar.content_key(source) == key and len(reads) == 4
    hasher = __import__("hashlib").sha256()
    for path in ig_grammar.source_files(source):
        hasher.update(real(path) + b"\0")
    assert grammar.sources_digest(source) == hasher.digest()
