"""The course's own Go programs: labkit-net's tests (NetworkPolicy rules) and vet."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_labkit_net_go_tests_pass():
    folder = ROOT / "labkit" / "recipes" / "k8s" / "labkit-net"
    result = subprocess.run(
        ["go", "test", "./..."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
