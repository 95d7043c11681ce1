"""Chromium for the browser tests: Debian's ``chromium`` package, installed by apt when missing.

Only the tests need it (``tests/browser``, marker ``browser``), not the learners, so `labkit up`
does not call it: the tests' session fixture does. The browser is driven by Playwright from
PyPI (the ``dev`` extra) through ``executable_path``; Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from .._errors import LabkitError
from .._lesson.sh import sh
from .._progress import step

PACKAGE = "chromium"  # Debian's package; its launcher is /usr/bin/chromium

# Headless, and quiet on a closed network: without these, Chromium keeps trying to reach
# Google's services (component updates, sync, field trials, QUIC probes).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

_MANUAL = (
    "Install Chromium as root (`apt-get install chromium` on Debian), or put a Chromium or "
    "Chrome on PATH under the name `chromium`; then run the browser tests again "
    "(`.venv/bin/python -m pytest tests/browser -m browser`)."
)


def chromium() -> Path | None:
    """The ``chromium`` on PATH, if any."""
    found = shutil.which("chromium")
    return Path(found) if found else None


def version(executable: Path) -> str:
    """``"Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)"``, bounded.

    Debian's launcher may also print a warning on its error output: only the line naming the
    browser is kept.
    """
    output = sh(f"{shlex.quote(str(executable))} --version", timeout=30, check=False).output
    lines = [line for line in output.splitlines() if line.startswith(("Chromium", "Google"))]
    return lines[0].strip() if lines else output.strip()


def ensure_browser() -> Path:
    """Chromium's executable: the one on PATH, else Debian's package installed by apt.

    Idempotent: a second call finds the browser and installs nothing.

    Raises:
        LabkitError: no Chromium, and no root or no apt to install one (names the fix).
        CommandFailed: apt failed (its fix names the usual causes); apt's waits are bounded.
    """
    found = chromium()
    if found is not None:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        why = "it needs root" if os.geteuid() != 0 else "there is no apt-get"
        raise LabkitError(
            f"The browser tests need Chromium, which is not installed, and labkit cannot "
            f"install it here ({why}).",
            _MANUAL,
        )
    from .apt import apt_install

    with step(f"installing Chromium (Debian package {PACKAGE}) for the browser tests"):
        apt_install(PACKAGE)
    found = chromium()
    if found is None:
        raise LabkitError(
            f"apt installed the package {PACKAGE}, yet no `chromium` is on PATH.",
            f"Check `dpkg -L {PACKAGE} | grep bin/`. {_MANUAL}",
        )
    return found
