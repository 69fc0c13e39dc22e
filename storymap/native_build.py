"""`python -m storymap.native_build [--force]`: compile the hot modules with mypyc (see
native.py for how and when the build is used)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from .native import COMPILED, GROUP, NATIVE_DIR, PACKAGE_DIR, RUNTIME_DIR, STAMP, is_fresh, stamp

MYPY_CONFIG = "[mypy]\nignore_missing_imports = True\n"
BUILD_SCRIPT = """
import sys
from setuptools import setup
from mypyc.build import mypycify
setup(name="storymap-native", script_args=["build_ext", "--build-lib", "lib",
      "--build-temp", "temp"], ext_modules=mypycify(sys.argv[1:], opt_level="3",
      group_name={group!r}, target_dir="c"))
"""


def build(*, force: bool = False) -> str:
    """Compile COMPILED into NATIVE_DIR (~30 s; nothing to do when fresh). Returns what
    happened, in a sentence; raises RuntimeError when mypyc or the C compiler fails."""
    if is_fresh() and not force:
        return "the compiled modules are up to date"
    expected = stamp()
    with tempfile.TemporaryDirectory(prefix="storymap-native-") as tmp:
        work = Path(tmp)
        # A clean directory of its own: no project configuration for setuptools to read,
        # and module names (storymap.recognize) from the relative paths.
        (work / "storymap").symlink_to(PACKAGE_DIR, target_is_directory=True)
        (work / "mypy.ini").write_text(MYPY_CONFIG)
        (work / "build.py").write_text(BUILD_SCRIPT.format(group=GROUP))
        sources = [f"storymap/{name}.py" for name in COMPILED]
        proc = subprocess.run([sys.executable, "build.py", *sources], cwd=work,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines() or ["no output"]
            raise RuntimeError(f"mypyc failed: {lines[-1]}")
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        shutil.rmtree(NATIVE_DIR, ignore_errors=True)
        RUNTIME_DIR.mkdir(parents=True)
        for name in COMPILED:
            shutil.move(work / "lib" / "storymap" / f"{name}{suffix}", NATIVE_DIR)
        for lib in (work / "lib").glob(f"{GROUP}__mypyc*"):
            shutil.move(lib, RUNTIME_DIR)
    if stamp() != expected:
        raise RuntimeError("the sources changed while they were being compiled; build again")
    STAMP.write_text(expected, "ascii")
    return f"compiled {', '.join(COMPILED)} into {NATIVE_DIR}"


def main() -> int:
    """`python -m storymap.native_build [--force]`: build; a failure is reported, not fatal,
    because storymap runs the same without the build, only slower."""
    try:
        print(build(force="--force" in sys.argv[1:]))
    except (RuntimeError, OSError) as exc:
        print(f"storymap: the core was not compiled ({exc}); it runs as pure Python, about "
              "1.6x slower", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
