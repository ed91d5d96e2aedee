"""What start-up saves must not change what is checked (the character set written as ranges, the map
hashed once for both caches), and the cache directory does not fill up with stale files."""

from __future__ import annotations

import os
import re

import pytest

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


def _cache_file(path, first: bytes, modified: int | None = None):
    path.write_bytes(first + b"\n{}")
    path.chmod(0o600)
    if modified is not None:
        os.utime(path, ns=(modified, modified))
    return path


def test_writing_a_cache_file_prunes_only_our_stale_files_of_its_kind(tmp_path):
    from edi_lint import cache

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    key = "{:032x}".format
    legacy = _cache_file(folder / "grammar-0123456789abcdef.json", b'{"k":"l","id":"837","pos":0}')
    other_versions = [_cache_file(folder / f"grammar-{key(n)}.json", f"edi-lint-grammar {key(n)} 00".encode(),
                                  (1_700_000_000 + n) * 10**9) for n in range(12)]
    untouched = [
        _cache_file(folder / "grammar-fedcba9876543210.json", b"a file of someone else's, named like ours"),
        _cache_file(folder / "ig-guide-0123456789abcdef0123.json", b'{"loops":[]}'),  # another kind
        _cache_file(folder / f"ruleset-{key(99)}.marshal", f"edi-lint-ruleset {key(99)} 00".encode()),
        _cache_file(folder / "notes.json", b'{"k":"l","id":"837"}'),  # not named as we name files
        _cache_file(folder / ".grammar-abc.tmp", b'{"k":"l",'),
    ]
    (folder / f"grammar-{key(98)}.json").mkdir()
    outside = _cache_file(tmp_path / "outside.json", b'{"k":"l","id":"837"}')
    (folder / "grammar-aaaaaaaaaaaaaaaa.json").symlink_to(outside)
    written = folder / f"grammar-{key(100)}.json"

    cache.write(written, f"edi-lint-grammar {key(100)}", b"{}", "test_event")

    assert cache.read(written, f"edi-lint-grammar {key(100)}", 1000, "test_event") == b"{}"
    assert not legacy.exists()  # an earlier format, never read now
    assert [p.exists() for p in other_versions] == [False] * (12 - cache.KEEP) + [True] * cache.KEEP  # newest kept
    assert all(p.exists() for p in untouched) and outside.exists()
    assert (folder / f"grammar-{key(98)}.json").is_dir() and (folder / "grammar-aaaaaaaaaaaaaaaa.json").is_symlink()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to make another user's file")
def test_a_file_of_another_user_is_never_pruned(tmp_path):
    from edi_lint import cache

    theirs = _cache_file(tmp_path / "grammar-0123456789abcdef.json", b'{"k":"l","id":"837"}')
    os.chown(theirs, 12345, 12345)
    cache.write(tmp_path / f"grammar-{1:032x}.json", f"edi-lint-grammar {1:032x}", b"{}", "test_event")
    assert theirs.exists()


def test_a_run_removes_the_grammar_caches_of_earlier_versions(tmp_path, monkeypatch):
    from edi_lint.x12 import grammar

    monkeypatch.setenv("EDI_LINT_CACHE_DIR", str(tmp_path))
    stale = _cache_file(tmp_path / "grammar-0123456789abcdef.json", b'{"k":"l","id":"837","pos":0}')
    grammar.load_grammar()  # compiles the map and writes its cache
    assert not stale.exists() and len(list(tmp_path.glob("grammar-*.json"))) == 1
