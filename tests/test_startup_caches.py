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

