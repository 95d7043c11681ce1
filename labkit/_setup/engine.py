"""The course's Docker engine at set-up time: use the running one, or build and start its own.

labkit starts dockerd itself only as root on Debian/Ubuntu, with `daemon_config` (the
registry mirror, and the runc-capfix runtime where the bounding set needs it). Beside
another engine it starts it in own-engine mode (`own_engine_reason` says when;
`labkit._engines.OWN` and `labkit._setup.own_engine` say how). Reaching the engine at lesson
time is `labkit._lesson.docker`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .. import versions
from .._engines import DEFAULT, OWN, EngineLayout, current
from .._errors import EngineUnavailable
from .._lesson import engine_view
from .._lesson.docker import MANUAL_STEPS, answers, client, is_reachable
from .._lesson.registry import MIRROR_PORT
from .._paths import remember_engine_host, remembered_engine_host
from .._progress import say, step
from . import daemons, own_engine
from .capfix import RUNTIME_NAME, ensure_capfix
from .engine_tools import engine_bin, ensure_client, ensure_engine_programs

_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


def daemon_config(capfix: Path | None = None, layout: EngineLayout = DEFAULT) -> dict[str, object]:
    """The daemon settings the course needs when labkit starts dockerd itself.

    Args:
        capfix: the runc-capfix runtime to make the default (see `labkit._setup.capfix`).
        layout: where the engine runs; `OWN` adds what keeps it apart from another engine.
    """
    mirror = f"127.0.0.1:{MIRROR_PORT}"
    config: dict[str, object] = {
        "registry-mirrors": [f"http://{mirror}"],
        "insecure-registries": [mirror],
        # Docker 29's default for a new engine, said explicitly: images live in containerd
        "features": {"containerd-snapshotter": True},
    }
    if capfix is not None:
        config["runtimes"] = {RUNTIME_NAME: {"path": str(capfix)}}
        config["default-runtime"] = RUNTIME_NAME
    if layout.name == OWN.name:  # beside another engine: nothing shared with it
        config |= {
            "hosts": [layout.host],
            "pidfile": str(layout.pid_file),
            "data-root": str(layout.data_root),
            "exec-root": str(layout.exec_root),
            # a bridge labkit makes with its address (dockerd refuses "bip" beside "bridge")
            "bridge": own_engine.BRIDGE,
            # no "default-address-pools": with them set, a restarting dockerd deletes docker0,
            # the other engine's bridge; Docker's pools skip the subnets already in use
            # a starting dockerd flushes the other engine's DOCKER chains: labkit adds the
            # own engine's forwarding and masquerading rules itself (see own_engine)
            "iptables": False,
            "ip6tables": False,
        }
    return config


def own_engine_reason(asked: bool = False) -> str | None:
    """Why the course's engine runs beside another one (own-engine mode); None: it does not.

    In this order: ``--own-engine`` or ``LABKIT_OWN_ENGINE=1`` (``LABKIT_OWN_ENGINE=0``
    says no); an earlier ``labkit up`` chose it; under CI (the ``CI`` variable set), an
    engine labkit did not start answers at Docker's default socket. On a machine with no
    other engine, nothing changes.
    """
    setting = os.environ.get("LABKIT_OWN_ENGINE", "").strip().lower()
    if asked or setting in _YES:
        return "asked for"
    if setting in _NO:
        return None
    if remembered_engine_host() == OWN.host:
        return "chosen by an earlier `labkit up`"
    if os.environ.get("CI", "").strip().lower() not in ("", *_NO) and _another_engine_answers():
        return f"CI is set and an engine labkit did not start answers at {DEFAULT.host}"
    return None


def _another_engine_answers() -> bool:
    """True when an engine labkit did not start answers at Docker's default socket."""
    return answers(DEFAULT.host) and not _started_by_labkit(DEFAULT)


def ensure_engine(own: bool = False) -> str:
    """Use a running engine untouched, or build and start the course's; return what was done.

    The course's client (docker, buildx, compose) is made the course's command either way. An
    engine labkit started earlier from other programs (Debian's docker.io before the course
    built its own, or the course's own before a version or build change) is stopped and
    replaced. In own-engine mode (``own``, or see `own_engine_reason`) the course's engine
    runs beside the other one, which is left untouched.
    """
    say("    client: " + ensure_client())
    reason = own_engine_reason(own)
    if reason is not None:
        return _ensure_own_engine(reason)
    _choose(DEFAULT)
    if is_reachable():
        if not _started_by_labkit():
            return "a Docker engine was already running: used as it is"
        ensure_engine_programs()  # after a version change: built and placed, then compared
        older = _older_labkit_engine()
        if not older:
            return "the course's engine was already running: used as it is"
        with step(f"stopping the engine labkit started earlier from {older}"):
            stop_dockerd(layout=DEFAULT)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise EngineUnavailable(
            "No Docker engine is running and labkit cannot start one here "
            "(it needs root and apt-get).",
            MANUAL_STEPS,
        )
    start_dockerd(ensure_engine_programs())
    return _started(DEFAULT)


def _ensure_own_engine(reason: str) -> str:
    """`ensure_engine` in own-engine mode: the course's engine on its own socket."""
    _choose(OWN)
    if answers(OWN.host) and _started_by_labkit(OWN):
        ensure_engine_programs()
        older = _older_labkit_engine(OWN)
        if not older:
            remember_engine_host(OWN.host)
            return (
                f"the course's own engine was already running at {OWN.host} (own-engine mode: "
                f"{reason}): used as it is"
            )
        with step(f"stopping the own engine labkit started earlier from {older}"):
            stop_dockerd(layout=OWN)
    own_engine.require_root()
    start_dockerd(ensure_engine_programs(), OWN)
    remember_engine_host(OWN.host)
    beside = (
        f"beside the engine at {DEFAULT.host}, which is left untouched"
        if answers(DEFAULT.host)
        else f"no other engine answers at {DEFAULT.host}"
    )
    return _started(OWN) + (
        f"\n    own-engine mode ({reason}): {beside}; data {OWN.data_root}, bridge "
        f"{own_engine.BRIDGE} ({own_engine.bridge_subnet()}); notebooks, tests and "
        "`./course lab` reach it through DOCKER_HOST, and at Docker's usual paths (`labkit run`)"
    )


def _choose(layout: EngineLayout) -> None:
    """Point this process at ``layout``'s engine; leaving own-engine mode forgets it for all."""
    if layout.name == OWN.name:
        other = os.environ.get("DOCKER_HOST")
        if other and other != layout.host:
            say(
                f"    DOCKER_HOST is set to {other}: unset it, so that notebooks and tests use "
                "the course's engine"
            )
        os.environ["DOCKER_HOST"] = layout.host
    else:
        remember_engine_host(None)
        if os.environ.get("DOCKER_HOST") == OWN.host:
            del os.environ["DOCKER_HOST"]
    client.cache_clear()


def _started(layout: EngineLayout) -> str:
    return (
        f"started the course's dockerd {versions.MOBY_RELEASE} (moby {versions.MOBY}, "
        f"containerd {versions.CONTAINERD}, runc {versions.RUNC}) at {layout.host}; registry "
        f"mirror on 127.0.0.1:{MIRROR_PORT}"
    )


def _running_dockerd(layout: EngineLayout = DEFAULT) -> tuple[int, Path, str] | None:
    """Pid, program and command line of the dockerd named by the layout's pid file, if it runs."""
    return daemons.running(layout.pid_file)


def _started_by_labkit(layout: EngineLayout = DEFAULT) -> bool:
    """True when the layout's running dockerd is one labkit started (with its settings file)."""
    running = _running_dockerd(layout)
    return running is not None and str(layout.settings_file()) in running[2]


def _older_labkit_engine(layout: EngineLayout = DEFAULT) -> str | None:
    """The program of a running dockerd labkit started that is not the course's, else None.

    The course's is `engine_bin`'s dockerd; once that file is replaced by a new build, the
    kernel names the running program "… (deleted)", which differs too.
    """
    running = _running_dockerd(layout)
    if running is None or not _started_by_labkit(layout):
        return None
    program = running[1]
    return str(program) if program != engine_bin() / "dockerd" else None


def start_dockerd(programs: Path, layout: EngineLayout = DEFAULT, timeout: float = 60) -> None:
    """Start the dockerd of ``programs`` with `daemon_config`; wait until it answers at its socket.

    ``programs`` (`engine_bin`) goes first on its PATH: dockerd starts that containerd, which
    starts that runc shim and runc. In own-engine mode labkit first makes the bridge and the
    firewall rules (`own_engine.prepare`), and dockerd starts in a mount namespace where the
    system's containerd is hidden (`own_engine.daemon_command`).
    """
    config = layout.settings_file()
    capfix = ensure_capfix()
    config.write_text(json.dumps(daemon_config(capfix, layout), indent=2) + "\n")
    log = layout.log_file()
    env = {**os.environ, "PATH": f"{programs}{os.pathsep}{os.environ.get('PATH', '')}"}
    if capfix is not None:
        env["RUNC_CAPFIX_REAL"] = str(programs / "runc")  # the runc runc-capfix runs
    command = [str(programs / "dockerd"), "--config-file", str(config)]
    if layout.name == OWN.name:
        own_engine.prepare(layout)
        command = own_engine.daemon_command(command)
    with step(f"starting dockerd (settings {config}, log {log})"):
        daemons.start(
            command,
            env=env,
            log=log,
            ready=lambda: answers(layout.host),
            what="dockerd",
            fix=f"Read {log}; a stale {layout.pid_file} or {layout.socket} can be removed.",
            timeout=timeout,
        )
    client.cache_clear()
    if layout.name == OWN.name:
        engine_view.refresh()  # started from the lessons' view (a test): its new socket there


def stop_dockerd(
    timeout: float = 90, layout: EngineLayout | None = None, missing_ok: bool = False
) -> None:
    """Stop the course's dockerd as a shutdown does (SIGTERM), and wait until it is gone.

    Only a dockerd labkit started (its pid file, its settings) is stopped, never another
    engine. In own-engine mode its containerd, bridge and firewall rules go too.

    Args:
        timeout: seconds to wait for it to end.
        layout: which engine (default: the course's, `labkit._engines.current`).
        missing_ok: no error when none runs.

    Raises:
        EngineUnavailable: no dockerd labkit started runs (unless ``missing_ok``).
    """
    layout = layout or current()
    log = layout.log_file()
    pid = daemons.stop(
        layout.pid_file,
        str(layout.settings_file()),
        "dockerd",
        timeout,
        f"Look at {log}; `kill -9 {{pid}}` ends it at once.",
    )
    if layout.name == OWN.name:
        own_engine.finish(layout)
    client.cache_clear()
    if pid is None and not missing_ok:
        raise EngineUnavailable(
            f"No dockerd labkit started runs here ({layout.pid_file} names none).",
            "Stop your Docker engine the way it was started (Docker Desktop, systemctl).",
        )
