"""The Dockerfile builds an image whose default command lints the mounted directory.

Runs only where a docker engine answers (``docker info`` succeeds); skipped elsewhere. The
build needs the base image and the package index: minutes, not seconds."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from snapshots import FIXTURES, ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text("utf-8")
TAG = "iaccert-test:local"


def _engine() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_dockerfile_shape():
    """What the image promises, checked on the file itself (also where docker is absent)."""
    assert re.search(r"^FROM python:3\.\d+-slim\b", DOCKERFILE, re.M)
    assert re.search(r"^USER iaccert$", DOCKERFILE, re.M)  # never root at run time
    assert 'ENTRYPOINT ["iaccert"]' in DOCKERFILE and 'CMD ["lint", "."]' in DOCKERFILE
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M):
        for name in copied.split():
            assert (ROOT / name).exists(), name


@pytest.mark.skipif(not _engine(), reason="no docker engine (docker info fails)")
def test_image_lints_the_mounted_directory(tmp_path):
    build = subprocess.run(
        ["docker", "build", "-t", TAG, str(ROOT)], capture_output=True, text=True, timeout=1800
    )
    assert build.returncode == 0, build.stderr[-2000:]
    shutil.copytree(FIXTURES / "tf_iac101_email", tmp_path / "m")
    run = ["docker", "run", "--rm", "-v", f"{tmp_path / 'm'}:/src:ro", TAG]
    found = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert found.returncode == 1 and "IAC101 [error]" in found.stdout, found.stderr
    version = subprocess.run([*run, "--version"], capture_output=True, text=True, timeout=300)
    assert version.stdout.startswith("iaccert ")
    user = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", TAG, "-u"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert user.stdout.strip() == "10001"
