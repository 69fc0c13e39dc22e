"""Tests for storymap.charclass: classes built from predicates, kept in the cache dir."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storymap.charclass import char_class


def _upper(c: str) -> bool:
    return c.isupper()


def test_class_matches_its_predicate_and_is_kept(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(tmp_path))
    built = char_class(_upper, False, "test-upper")
    pattern = re.compile(built)
    assert pattern.fullmatch("Ä") and pattern.fullmatch("Ж") and not pattern.fullmatch("ä")
    kept = list(tmp_path.glob("charclass-test-upper-*.txt"))
    assert len(kept) == 1 and kept[0].read_text("utf-8") == built
    assert char_class(lambda c: False, False, "test-upper") == built  # read, not rebuilt


def test_damaged_or_unwritable_cache_rebuilds(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(tmp_path))
    built = char_class(_upper, False, "test-upper")
    next(tmp_path.glob("charclass-test-upper-*.txt")).write_text("[A-", "utf-8")
    assert char_class(_upper, False, "test-upper") == built
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("STORYMAP_CACHE_DIR", str(blocked))
    assert char_class(_upper, True, "test-upper") == built[:-1] + "\U00010000-\U0010ffff]"
