"""Own-engine mode: the course's engine beside another one on the same machine (set-up time).

The course's dockerd then has its own socket, pid file, data and run folders
(`labkit._engines.OWN`), its own containerd, its own default bridge `BRIDGE`, and no
iptables rules of Docker's (`labkit._setup.engine.daemon_config` writes all of it in its
daemon.json). This module does what that needs besides dockerd: the bridge, the firewall
rules, the mount namespace dockerd starts in, and what a stopped own engine left behind.

Its other networks (kind's, Compose's) take their subnets from Docker's default pools, as
the other engine's do: moby's IPAM leaves out every subnet the host already routes
(daemon/libnetwork/network.go, ``ipamAllocateVersion`` with
``netutils.InferReservedNetworks``), so the two engines' networks never overlap. Pools of
its own (``default-address-pools``) would be worse: at each start after the first, a dockerd
with pools set deletes the link named docker0 — the other engine's bridge — whatever bridge
it uses itself (daemon/daemon_unix.go, ``initNetworkController`` then
``removeDefaultBridgeInterface``).

Why its dockerd runs in a mount namespace of its own (`daemon_command`): with no
``containerd`` setting, dockerd uses the system's containerd whenever
``/run/containerd/containerd.sock`` exists (moby v2.0.0-beta.24, daemon/command/daemon.go,
``initializeContainerd``), as it does where Docker's packages run — the two engines would then
share one containerd and, with Docker 29's containerd image store, one set of images. In its
namespace a folder of labkit's hides ``/run/containerd``, so dockerd starts and supervises a
containerd of its own under its run folder, exactly as the course's engine does alone (the
process tree chapter 02 prints is the same). Its containerd, shims and containers inherit
that namespace; the rest of the machine sees nothing of it.

Why the own engine runs with ``"iptables": false`` — read in moby v2.0.0-beta.24, the engine
the course builds (under daemon/libnetwork/):

- A dockerd starting with iptables on calls ``NewIptabler``
  (drivers/bridge/internal/iptabler/iptabler.go), whose ``removeIPChains``
  (iptabler/network.go) flushes and deletes the chains DOCKER (nat and filter),
  DOCKER-FORWARD, DOCKER-BRIDGE, DOCKER-CT, DOCKER-INTERNAL and DOCKER-ISOLATION-STAGE-1/2,
  then makes them again with the rules of its own networks only. Two engines in one
  network namespace share those chains: each start wipes the other's rules, and with
  FORWARD's policy DROP (which Docker sets) the other's containers lose their traffic.
  Docker's reference says as much ("Run multiple daemons": they may overwrite each other's
  rules; use ``--iptables=false``).
- A stopping dockerd flushes nothing (libnetwork's ``Controller.Stop`` closes its store);
  only the rules of its own containers' ports and endpoints go with them.
- ``"firewall-backend": "nftables"`` is worse: ``newFirewaller``
  (drivers/bridge/bridge_linux.go) then runs the iptables cleaner (iptabler/cleaner.go),
  which deletes the other engine's DOCKER chains and jumps; and an iptables engine runs
  ``nftabler.Cleanup``, which deletes an nftables engine's table ``docker-bridges``.
- With ``"iptables": false`` and ``"ip6tables": false`` none of that runs (each step checks
  the setting, and FORWARD's policy is left alone); published ports still work through
  docker-proxy (drivers/bridge/port_mapping_linux.go), and the embedded DNS server's rules
  live in each container's own namespace (resolver_unix.go).

So labkit adds what Docker would have, in chains of its own that no dockerd flushes
(`firewall`): forwarding accepted for the own engine's bridges, masquerading towards the
rest of the world. They hang at the end of FORWARD and POSTROUTING, after Docker's jumps
(which Docker inserts at the top): the other engine's rules decide first for its bridges,
its isolation included, so labkit's see only the own engine's traffic.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import shutil
import socket
import stat
from pathlib import Path

from .._engines import OWN, EngineLayout
from .._errors import EngineUnavailable, LabkitError
from .._lesson import engine_view
from .._lesson.engine_view import in_mount_namespace
from .._lesson.sh import Result, sh
from .._progress import say
from . import daemons
from .apt import apt_install

BRIDGE = "labkit0"  # Docker's default is docker0: the other engine's
# As wide as Docker's 172.17.0.1/16 (so tables the notebooks print keep their columns), and
# outside Docker's pools (172.17-31.0.0/16, 192.168.0.0/16) and Kubernetes' ranges.
BRIDGE_ADDRESS = "10.200.0.1/16"
DOCKER_POOLS = ("172.16.0.0/12", "192.168.0.0/16")  # where dockerd takes networks' subnets
USER_BRIDGES = "br-+"  # dockerd names a network's bridge br-<id>
SYSTEM_CONTAINERD = "/run/containerd"  # where Docker's packages run containerd
SHIM_FOLDER = OWN.socket.parent / "containerd"  # what the own engine sees there instead


def bridge_subnet() -> str:
    """The subnet of `BRIDGE`, the own engine's default network."""
    return str(ipaddress.ip_interface(BRIDGE_ADDRESS).network)


def firewall() -> list[tuple[str, str, str, list[list[str]]]]:
    """The rules labkit adds: (table, chain, built-in chain it hangs on, rules).

    Forwarding is accepted from the own engine's bridges (a kind cluster's Pods cross its
    bridge between nodes too) and back to them for established connections; what its
    containers send elsewhere than a bridge is masqueraded, as Docker does. The other
    engine's forwarding never gets here: Docker's jumps, before these, accept or drop all
    of its bridges' traffic; its masquerading, if it comes after, does what these do.
    """
    bridges = (BRIDGE, USER_BRIDGES)
    established = ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"]
    forward = [["-i", bridge, "-j", "ACCEPT"] for bridge in bridges]
    forward += [["-o", bridge, *established] for bridge in bridges]
    postrouting = [["-o", bridge, "-j", "RETURN"] for bridge in bridges]
    postrouting += [["-m", "addrtype", "--src-type", "LOCAL", "-j", "RETURN"]]  # the host's
    postrouting += [["-s", net, "-j", "MASQUERADE"] for net in (bridge_subnet(), *DOCKER_POOLS)]
    return [
        ("filter", "LABKIT-FORWARD", "FORWARD", forward),
        ("nat", "LABKIT-POSTROUTING", "POSTROUTING", postrouting),
    ]


def _iptables(*args: str, check: bool = True) -> Result:
    return sh(
        shlex.join(["iptables", "-w", *args]),
        timeout=60,
        check=check,
        fix="Check that iptables works here: `iptables -S`.",
    )


def ensure_firewall() -> None:
    """Make labkit's chains hold exactly `firewall`'s rules, each hung once at its chain's end."""
    for table, chain, hook, rules in firewall():
        _iptables("-t", table, "-N", chain, check=False)  # there already: fine
        _iptables("-t", table, "-F", chain)
        for rule in rules:
            _iptables("-t", table, "-A", chain, *rule)
        if not _iptables("-t", table, "-C", hook, "-j", chain, check=False).ok:
            _iptables("-t", table, "-A", hook, "-j", chain)


def remove_firewall() -> None:
    """Remove labkit's chains and their jumps (Docker's chains are not touched)."""
    for table, chain, hook, _ in firewall():
        for _ in range(5):  # one jump is what ensure_firewall adds; bounded all the same
            if not _iptables("-t", table, "-D", hook, "-j", chain, check=False).ok:
                break
        _iptables("-t", table, "-F", chain, check=False)
        _iptables("-t", table, "-X", chain, check=False)


def conflicting_routes(routes: str, subnet: str, bridge: str) -> list[str]:
    """The lines of ``ip -4 route`` output that route into ``subnet`` through another device."""
    wanted = ipaddress.ip_network(subnet)
    found = []
    for line in routes.splitlines():
        words = line.split()
        try:
            network = ipaddress.ip_network(words[0], strict=False)
        except (IndexError, ValueError):
            continue  # "default via ...", blank lines
        device = words[words.index("dev") + 1] if "dev" in words[:-1] else ""
        if device != bridge and network.overlaps(wanted):
            found.append(line.strip())
    return found


def ensure_bridge() -> None:
    """Make `BRIDGE` with `BRIDGE_ADDRESS`, up (dockerd makes only a bridge named docker0)."""
    device = Path("/sys/class/net") / BRIDGE
    if device.exists() and not (device / "bridge").is_dir():
        raise LabkitError(
            f"The network interface {BRIDGE} exists and is not a bridge; the course's own "
            "engine needs that name for its bridge.",
            f"Remove it (`ip link delete {BRIDGE}`) if nothing needs it, then run `labkit up` "
            "again.",
        )
    clash = conflicting_routes(sh("ip -4 route show", timeout=30).output, bridge_subnet(), BRIDGE)
    if clash:
        raise LabkitError(
            f"The course's own engine puts its bridge {BRIDGE} on {bridge_subnet()}, which "
            f"this machine already routes elsewhere: {'; '.join(clash)}.",
            "Free that range, or use the running engine as it is: `LABKIT_OWN_ENGINE=0 labkit up`.",
        )
    if not device.exists():
        sh(f"ip link add name {BRIDGE} type bridge", timeout=30)
    sh(f"ip addr replace {BRIDGE_ADDRESS} dev {BRIDGE}", timeout=30)
    sh(f"ip link set {BRIDGE} up", timeout=30)


def remove_bridge() -> None:
    """Delete `BRIDGE` (once its engine is stopped)."""
    if (Path("/sys/class/net") / BRIDGE).exists():
        sh(f"ip link delete {BRIDGE}", timeout=30, check=False)


def accepts(path: Path) -> bool:
    """True when a program accepts connections on the unix socket ``path``."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(2)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def _clear_socket(layout: EngineLayout, path: Path) -> None:
    """Remove ``path`` when a stopped daemon left it; refuse when a program listens on it."""
    if not path.exists() and not path.is_symlink():
        return
    if not stat.S_ISSOCK(path.lstat().st_mode):
        raise EngineUnavailable(
            f"{path}, where the course's own engine listens, is not a socket.",
            f"Move it away (`mv {path} {path}.old`), then run `labkit up` again.",
        )
    if accepts(path):
        raise EngineUnavailable(
            f"{path}, the socket of the course's own engine, is in use by a program labkit "
            f"did not start ({layout.pid_file} names no dockerd of labkit's).",
            f"Find that program with `ss -xlp | grep {path}` and stop it, then run `labkit "
            f"up` again. To use it as your engine instead: `DOCKER_HOST=unix://{path} "
            "LABKIT_OWN_ENGINE=0 labkit up`.",
        )
    path.unlink()
    say(f"    removed the stale socket {path} (no program listened on it)")


def clear_leftovers(layout: EngineLayout = OWN) -> None:
    """Remove the pid file and socket a stopped own engine left; refuse a live stranger's.

    Raises:
        EngineUnavailable: the own engine's dockerd runs but does not answer, a dockerd
            labkit did not start holds its pid file, or a program listens on its socket.
    """
    found = daemons.running(layout.pid_file)
    if found is not None:
        pid, program, command = found
        if str(layout.settings_file()) in command:
            raise EngineUnavailable(
                f"The course's own dockerd (pid {pid}) runs but does not answer at {layout.host}.",
                f"Read {layout.log_file()}; wait a minute and run `labkit up` again, or stop "
                f"it (`kill {pid}`) first.",
            )
        if program.name.startswith("dockerd"):
            raise EngineUnavailable(
                f"{layout.pid_file}, the pid file of the course's own engine, names a dockerd "
                f"labkit did not start (pid {pid}: {command}).",
                "Stop that engine the way it was started, then run `labkit up` again.",
            )
    if layout.pid_file.exists():  # its process is gone, or the pid went to another program
        layout.pid_file.unlink()
        say(f"    removed the stale pid file {layout.pid_file} (its dockerd no longer runs)")
    _clear_socket(layout, layout.socket)


def daemon_command(command: list[str]) -> list[str]:
    """``command`` (dockerd's) run where the system's containerd is hidden (see above).

    A folder of labkit's covers ``/run/containerd``, where containerd's shims put their
    sockets whatever its settings: a dockerd started again finds the shims a crashed one
    left. Started from the lessons' view, the view's binds are taken away first.
    """
    ours, system = shlex.quote(str(SHIM_FOLDER)), SYSTEM_CONTAINERD
    hide = f"mkdir -p {ours}; if [ -d {system} ]; then mount --bind {ours} {system}; fi"
    return in_mount_namespace([*engine_view.leave(), hide], command)


def stop_containerd(layout: EngineLayout = OWN, timeout: float = 30) -> None:
    """Stop a containerd its dockerd left running (or an older labkit started), if any."""
    mark, fix = str(layout.containerd_settings), "`kill -9 {pid}` ends it at once."
    daemons.stop(layout.containerd_pid_file, mark, "containerd", timeout, fix)


def require_root() -> None:
    """Raise `EngineUnavailable` with the command to use, unless root with apt-get runs this."""
    if os.geteuid() == 0 and shutil.which("apt-get"):
        return
    raise EngineUnavailable(
        "labkit starts the course's engine beside another one only as root on Debian or "
        f"Ubuntu: it builds and runs dockerd and containerd, and makes the bridge {BRIDGE} "
        "and its firewall rules.",
        "Run it as root: `sudo .venv/bin/labkit up --own-engine` (or `sudo "
        "LABKIT_OWN_ENGINE=1 ./course setup`). To use the running engine as it is instead: "
        "`LABKIT_OWN_ENGINE=0 labkit up`.",
    )


def prepare(layout: EngineLayout) -> None:
    """Everything the own engine's dockerd needs before it starts (`daemon_command` starts it)."""
    if not shutil.which("ip"):
        apt_install("iproute2")
    clear_leftovers(layout)
    layout.socket.parent.mkdir(parents=True, exist_ok=True)
    stop_containerd(layout)  # left by a dockerd that ended without stopping it
    ensure_bridge()
    ensure_firewall()


def finish(layout: EngineLayout = OWN) -> None:
    """After the own engine's dockerd stopped: its containerd, bridge and rules go too."""
    stop_containerd(layout)
    remove_firewall()
    remove_bridge()
