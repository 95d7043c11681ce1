"""Where the course's Docker engine runs: on Docker's default socket, or beside another engine.

`DEFAULT` is Docker's usual place: socket ``/var/run/docker.sock``, data ``/var/lib/docker``.
`OWN` is own-engine mode (``labkit up --own-engine``; the default under CI when an engine
labkit did not start already answers at the default socket): the same programs, with their
own socket, pid file, data, run folder (containerd's socket lives under it) and bridge, so
that both engines run side by side and neither touches the other's containers.
`current` is the one the last ``labkit up`` chose (`labkit._paths.remembered_engine_host`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._paths import cache_dir, remembered_engine_host


@dataclass(frozen=True)
class EngineLayout:
    """The socket, files and folders of one dockerd of the course."""

    name: str
    host: str  # as DOCKER_HOST writes it
    pid_file: Path
    data_root: Path
    exec_root: Path
    settings_name: str  # its daemon.json, in the cache
    log_name: str  # its log, in the cache

    @property
    def socket(self) -> Path:
        """The unix socket the engine listens on."""
        return Path(self.host.removeprefix("unix://"))

    @property
    def containerd_dir(self) -> Path:
        """The folder of its containerd: settings, socket, pid file and state."""
        return self.exec_root / "containerd"

    @property
    def containerd_settings(self) -> Path:
        """The settings dockerd's supervisor writes for its containerd."""
        return self.containerd_dir / "containerd.toml"

    @property
    def containerd_pid_file(self) -> Path:
        """The pid file dockerd's supervisor writes for its containerd."""
        return self.containerd_dir / "containerd.pid"

    def settings_file(self) -> Path:
        """The dockerd settings labkit writes (`labkit._setup.engine.daemon_config`)."""
        return cache_dir() / self.settings_name

    def log_file(self) -> Path:
        """The log of its dockerd."""
        return cache_dir() / self.log_name


DEFAULT = EngineLayout(
    name="default",
    host="unix:///var/run/docker.sock",
    pid_file=Path("/var/run/docker.pid"),
    data_root=Path("/var/lib/docker"),
    exec_root=Path("/var/run/docker"),
    settings_name="daemon.json",
    log_name="dockerd.log",
)
OWN = EngineLayout(
    name="own",
    host="unix:///run/labkit/docker.sock",
    pid_file=Path("/run/labkit/docker.pid"),
    data_root=Path("/var/lib/labkit-docker"),
    exec_root=Path("/run/labkit/docker"),
    settings_name="daemon-own.json",
    log_name="dockerd-own.log",
)


def current() -> EngineLayout:
    """The layout of the course's engine: `OWN` when ``labkit up`` started it beside another."""
    return OWN if remembered_engine_host() == OWN.host else DEFAULT
