"""Privileged containers on machines whose capability bounding set lacks some capabilities.

Some sandboxes (this course's CI among them) drop CAP_SYS_RESOURCE from every process's
bounding set; runc then fails ``docker run --privileged`` with "unable to apply caps".
labkit builds ``runc-capfix`` (a small Go program in ``labkit/recipes/runc-capfix``) that
removes the capabilities the bounding set lacks from the container's spec, then runs runc,
and registers it as the engine's default runtime. On machines with every capability,
nothing is built and the engine keeps plain runc.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from .._errors import LabkitError
from .._lesson.sh import sh
from .._paths import RECIPES_DIR, cache_dir
from .._progress import step

RUNTIME_NAME = "runc-capfix"
SOURCE_DIR = RECIPES_DIR / "runc-capfix"
CAPABILITIES = (
    "chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap "
    "linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner "
    "sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice "
    "sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap "
    "mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf "
    "checkpoint_restore"
).split()


def missing_capabilities(status: str | None = None, last_cap: int | None = None) -> list[str]:
    """Names of the capabilities (up to the kernel's last) that the bounding set lacks."""
    status = status if status is not None else Path("/proc/self/status").read_text()
    if last_cap is None:
        last_cap = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    line = next(row for row in status.splitlines() if row.startswith("CapBnd:"))
    bounding = int(line.split()[1], 16)
    return [
        f"CAP_{name.upper()}"
        for number, name in enumerate(CAPABILITIES[: last_cap + 1])
        if not bounding >> number & 1
    ]


def ensure_capfix() -> Path | None:
    """Build runc-capfix when this machine needs it; return its path (None when not needed)."""
    return build_capfix() if missing_capabilities() else None


def build_capfix() -> Path:
    """Build runc-capfix (cached by source hash) and return its path."""
    digest = hashlib.sha256()
    for path in sorted(SOURCE_DIR.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    binary = cache_dir() / "bin" / f"{RUNTIME_NAME}-{digest.hexdigest()[:12]}"
    if binary.exists():
        return binary
    if not shutil.which("go"):
        raise LabkitError(
            "labkit's runc-capfix (privileged containers where the capability bounding set "
            "lacks some capabilities) is built with Go, which is not installed.",
            "Install Go (https://go.dev/dl/ or apt-get install golang) and run `labkit up`.",
        )
    missing = missing_capabilities()
    why = f"the bounding set lacks {', '.join(missing)}" if missing else "for the kind nodes"
    with step(f"building {RUNTIME_NAME} ({why})"):
        binary.parent.mkdir(parents=True, exist_ok=True)
        sh(
            f"go build -trimpath -ldflags '-s -w' -o {binary} .",
            cwd=SOURCE_DIR,
            env={"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"},
            timeout=600,
            fix="Check that Go works: `go version`.",
        )
    return binary
