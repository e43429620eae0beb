"""The built wheel works from a plain `pip install` into a fresh virtualenv (no source checkout)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


# Nothing of the checkout may leak in: with PYTHONPATH pointing at the repository, pip would find the
# source tree's metadata and consider the package installed already.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}


def run(*args, cwd=None):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=CLEAN_ENV)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-4000:])
    return result.stdout


def test_wheel_installs_and_renders_in_a_fresh_virtualenv(tmp_path):
    source = tmp_path / "source"  # a clean copy: no build/ leftovers or editable-install files can leak in
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", "var", "build", "dist", ".git", ".cache",
                                                               "*.egg-info", "__pycache__", ".tox"))
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source))
    wheels = list(dist.glob("mlcourse-*.whl"))
    assert len(wheels) == 1
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "-q", "-c", str(ROOT / "requirements" / "constraints.txt"),
        str(wheels[0]))
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "tests" / "wheel_check.py", work / "wheel_check.py")
    result = subprocess.run([str(python), "wheel_check.py"], cwd=work, capture_output=True, text=True,
                            env=CLEAN_ENV, timeout=300)
    assert result.returncode == 0 and "WHEEL OK" in result.stdout, result.stderr[-4000:]
