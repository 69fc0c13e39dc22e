"""Tests for storymap.native: the mypyc build is used only while it matches its sources, can
be turned off, and gives the same stories as pure Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED_DE

from storymap import native

ARTICLES = [
    SEED_DE.read_text("utf-8"),
    "Storms swept through Texas and Ohio. Paris, Texas, is not Paris. Mary Adams met the "
    "governor of Georgia in Atlanta, and the Kremlin said Moscow would wait.",
    "Die Messe in Essen zog Besucher aus Düsseldorf an. Beim Essen lobte Anna Keller die "
    "nordkoreanischen Gäste aus Pjöngjang; im Gebiet Kursk blieb es ruhig.",
]
DUMP = """
import json, sys
from storymap import native
from storymap.pipeline import run
stories = [run(text).to_dict() for text in json.load(sys.stdin)]
print(json.dumps({"native": native.active(), "stories": stories}))
"""


def stories(pure: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "STORYMAP_PURE"}
    if pure:
        env["STORYMAP_PURE"] = "1"
    proc = subprocess.run([sys.executable, "-c", DUMP], input=json.dumps(ARTICLES), env=env,
                          capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_pure_python_on_request() -> None:
    assert stories(pure=True)["native"] is False


def test_the_compiled_modules_tell_the_same_stories() -> None:
    if not native.is_fresh():
        pytest.skip("no compiled build of these sources (python -m storymap.native_build)")
    compiled = stories(pure=False)
    assert compiled["native"] is True
    assert compiled["stories"] == stories(pure=True)["stories"]


def test_a_build_goes_stale_when_a_source_changes(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "storymap"
    package.mkdir()
    for name in native.COMPILED:
        shutil.copy(native.PACKAGE_DIR / f"{name}.py", package)
    monkeypatch.setattr(native, "PACKAGE_DIR", package)
    monkeypatch.setattr(native, "STAMP", package / "_native" / "STAMP")
    monkeypatch.delenv("STORYMAP_PURE", raising=False)
    path: list[str] = [str(package)]
    assert not native.activate(path) and path == [str(package)]  # no build at all

    native.STAMP.parent.mkdir()
    native.STAMP.write_text(native.stamp(), "ascii")
    assert native.is_fresh()
    with (package / "resolve.py").open("a", encoding="utf-8") as source:
        source.write("\n# an edit after the build\n")
    assert not native.is_fresh()
    assert not native.activate(path) and path == [str(package)]


def test_storymap_pure_turns_a_fresh_build_off(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "STAMP", tmp_path / "STAMP")
    native.STAMP.write_text(native.stamp(), "ascii")
    monkeypatch.setenv("STORYMAP_PURE", "1")
    path: list[str] = []
    assert not native.activate(path) and path == []


def test_a_failed_build_is_reported_in_one_line_and_keeps_pure_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from storymap import native_build

    monkeypatch.setattr(native_build, "BUILD_SCRIPT", "import no_compiler_here\n")
    monkeypatch.setattr(native_build, "STAMP", tmp_path / "STAMP")
    monkeypatch.setattr(sys, "argv", ["native_build", "--force"])
    assert native_build.main() == 0
    err = capsys.readouterr().err
    assert "not compiled" in err and "no_compiler_here" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "STAMP").exists()
