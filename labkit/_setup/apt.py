"""Debian packages: install them (bounded, waiting for another apt), or say which are missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .._lesson.sh import sh
from .._progress import say

APT_LOCK_WAIT = 600  # a fresh cloud machine runs unattended-upgrades at boot
_APT_NAMES = ("apt", "apt-get", "aptitude", "dpkg", "unattended-upgr", "packagekitd")


def apt_processes(proc: Path = Path("/proc")) -> list[str]:
    """``name (pid)`` of the running processes that may hold the dpkg lock."""
    found = []
    for entry in proc.glob("[0-9]*/comm"):
        try:
            name = entry.read_text().strip()
        except OSError:
            continue  # the process ended meanwhile
        if name in _APT_NAMES:
            found.append(f"{name} ({entry.parent.name})")
    return sorted(found)


def apt_install(*packages: str) -> None:
    """Install Debian packages (running `apt-get update` first), bounded.

    When another apt holds the dpkg lock, apt waits for it, up to `APT_LOCK_WAIT` seconds.
    """
    holders = apt_processes()
    if holders:
        say(
            f"    another package manager runs ({', '.join(holders)}): waiting for it to "
            f"release the dpkg lock, up to {APT_LOCK_WAIT // 60} min"
        )
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    apt = f"apt-get -q -o DPkg::Lock::Timeout={APT_LOCK_WAIT}"
    busy = (
        "If another apt holds the lock (`ps aux | grep -E 'apt|dpkg'`, e.g. unattended-upgrades "
        "on a new machine), wait for it to end"
    )
    sh(
        f"{apt} update",
        timeout=APT_LOCK_WAIT + 300,
        env=env,
        fix=f"Check the machine reaches Debian's archive. {busy}.",
    )
    sh(
        f"{apt} install -y --no-install-recommends " + " ".join(packages),
        timeout=APT_LOCK_WAIT + 900,
        env=env,
        fix=f"{busy}, or install {' '.join(packages)} by hand; then run `labkit up` again.",
    )


def missing_packages(*names: str) -> list[str]:
    """The Debian packages among ``names`` that are not installed."""
    missing = []
    for name in names:
        status = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in status.stdout:
            missing.append(name)
    return missing
