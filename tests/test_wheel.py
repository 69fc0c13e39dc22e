"""The wheel is the product: installed from a wheel, outside the repository, storymap
finds the same places as the editable install, curated tables (the Kremlin) included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "samples" / "seed-de.txt"


def places(python_path: str | None, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if python_path:
        env["PYTHONPATH"] = python_path
    out = subprocess.run(
        [sys.executable, "-m", "storymap.cli", "places", str(SEED)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=True,
    )
    return out.stdout


def test_the_installed_wheel_finds_the_same_places(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = wheels.glob("storymap-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=600,
    )
    assert (target / "storymap" / "tables" / "metonyms.tsv").is_file()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    check = subprocess.run(
        [sys.executable, "-c", "import storymap; print(storymap.__file__)"],
        cwd=outside, env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True, text=True, check=True,
    )
    assert check.stdout.startswith(str(target))  # the wheel's copy, not the repository's
    from_wheel = places(str(target), outside)
    assert "Moskau" in from_wheel or "Moscow" in from_wheel
    assert from_wheel == places(None, outside)
