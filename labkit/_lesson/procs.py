"""The host's process tree around a container: dockerd → containerd, shim → container."""

from __future__ import annotations

import re
from pathlib import Path

from .._engines import current
from .docker import client

PROC = Path("/proc")


def _cmdline(pid: int) -> str:
    raw = (PROC / str(pid) / "cmdline").read_bytes()
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _parent(pid: int) -> int:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    kids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                if _parent(int(entry.name)) == pid:
                    kids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return sorted(kids)


def _short(command: str, width: int = 90) -> str:
    """Shorten full container IDs to docker's 12 characters, then cut to ``width``."""
    command = re.sub(r"\b([0-9a-f]{12})[0-9a-f]{52}\b", r"\1", command)
    return command if len(command) <= width else command[: width - 1] + "…"


def _find(name: str) -> int | None:
    for entry in sorted(PROC.iterdir(), key=lambda p: p.name):
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    return int(entry.name)
            except (FileNotFoundError, ProcessLookupError):
                continue
    return None


def _course_dockerd() -> int | None:
    """The course's dockerd: the one its pid file names (another may run beside it)."""
    try:
        pid = int(current().pid_file.read_text())
        if (PROC / str(pid) / "comm").read_text().strip() == "dockerd":
            return pid
    except (OSError, ValueError):
        pass
    return _find("dockerd")


def _proxy_last(command: str) -> tuple[bool, str]:
    """Sort key: containerd before the port proxies, each group by command line."""
    return ("docker-proxy" in command, command)


def branches(items: list[str], indent: str = "") -> list[str]:
    """``items`` as the children of the line above: ``├─`` for each, ``└─`` for the last.

    Example:
        >>> branches(["a", "b"])
        ['├─ a', '└─ b']
    """
    return [
        f"{indent}{'└─' if number == len(items) - 1 else '├─'} {item}"
        for number, item in enumerate(items)
    ]


def process_tree(container: str) -> str:
    """Text tree of the processes that run ``container``, from dockerd down to its own."""
    attrs = client().api.inspect_container(container)
    # Docker 29's API gives addresses per network only (no top-level IPAddress any more)
    networks = attrs["NetworkSettings"].get("Networks") or {}
    addresses = {net.get("IPAddress") for net in networks.values()} - {None, ""}
    lines = []
    dockerd = _course_dockerd()
    if dockerd:
        lines.append(_short(_cmdline(dockerd)))
        # Sorted by command, not PID: PIDs depend on when the engine last restarted.
        commands = sorted((_cmdline(kid) for kid in _children(dockerd)), key=_proxy_last)
        shown = [
            _short(command, width=120)
            for command in commands
            if "docker-proxy" not in command
            or any(f"-container-ip {address} " in command for address in addresses)
        ]
        lines += branches(shown)
    pid = attrs["State"]["Pid"]
    shim = _parent(pid)
    owner = "PID 1" if _parent(shim) == 1 else f"PID {_parent(shim)}"
    lines.append(f"{_short(_cmdline(shim))}   (parent: {owner})")
    lines += branches([_short(_cmdline(pid)) + "   (the container's PID 1)"])
    lines += branches([_short(_cmdline(kid)) for kid in _children(pid)], indent="   ")
    return "\n".join(lines)
