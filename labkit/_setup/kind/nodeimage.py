"""The course's kind node image, built offline and cached by recipe hash.

Steps (each cached): Go programs from their modules (``gobuild``), component images named as
kubeadm and kind expect (pause, kube-apiserver, etcd, CoreDNS...), a node base image (Debian
bookworm + systemd + kind's base files + the containerd and runc the course's engine runs), then
the component images imported into the node's containerd and committed, as
``kind build node-image`` does.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import tempfile
from pathlib import Path

from ... import versions as v
from ..._errors import CommandFailed, RecipeError
from ..._lesson.docker import client
from ..._lesson.sh import sh
from ..._paths import cache_dir
from ..._progress import say, step
from ..capfix import build_capfix
from ..engine_tools import ENGINE_PROGRAMS
from ..gobuild import build
from ..images import recipe, recipe_hash
from .components import (
    ADDON_PROGRAMS,
    K8S_RECIPES,
    KUBERNETES_PROGRAMS,
    NET_AGENT_DIR,
    Component,
    components,
)
from .kindsrc import base_files, storage_manifest

NODE_REPOSITORY = "labkit/kind-node"
# The engine's programs the nodes run too (same versions, same cached binaries).
NODE_RUNTIME = ("containerd", "containerd-shim-runc-v2", "ctr", "runc")
_NODE_PROGRAMS = tuple(p for p in ENGINE_PROGRAMS if p.name in NODE_RUNTIME)
_BUILD_TIMEOUT = 1800
PAUSE_PLACEHOLDER = "@PAUSE_IMAGE@"


def _tree_digest(folder: Path, digest: hashlib._Hash) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())


def node_hash() -> str:
    """Hash of everything the node image is made from (12 hex digits).

    The pinned versions and programs it holds, its component images, the code that
    assembles it and its recipes; not the versions of host-only tools (helm).
    """
    digest = hashlib.sha256(recipe_hash(recipe("debian")).encode())
    pins = sorted((k, x) for k, x in vars(v).items() if k.isupper() and k not in v.HOST_ONLY)
    placeholders = ("<provisioner>", "<helper>")
    programs = (KUBERNETES_PROGRAMS, ADDON_PROGRAMS, _NODE_PROGRAMS)
    digest.update(repr((pins, programs, components(placeholders))).encode())
    for module in ("kindsrc.py", "nodeimage.py"):
        digest.update((Path(__file__).parent / module).read_bytes())  # code that shapes it
    for part in sorted(K8S_RECIPES.iterdir()):
        if part.name != "addons":  # applied after `kind create`, not part of the image
            digest.update(part.name.encode())
            _tree_digest(part, digest)
    _tree_digest(K8S_RECIPES.parent / "runc-capfix", digest)
    return digest.hexdigest()[:12]


def node_image() -> str:
    """Reference of the node image for the current recipes: ``labkit/kind-node:VERSION-HASH``."""
    return f"{NODE_REPOSITORY}:{v.KUBERNETES}-{node_hash()}"


def has_image(ref: str) -> bool:
    """True when the engine holds image ``ref``."""
    return bool(client().images.list(name=ref))


def ensure_node_image() -> str:
    """Build the node image unless the current one is cached; return its reference."""
    ref = node_image()
    if has_image(ref):
        return ref
    with step(f"building the kind node image {ref} (cold: ~20 min on 2 cores)"):
        binaries = build(KUBERNETES_PROGRAMS + ADDON_PROGRAMS + _NODE_PROGRAMS)
        binaries["labkit-net"] = _build_net_agent()
        binaries["runc-capfix"] = build_capfix()
        binaries["pause"] = _build_pause()
        with tempfile.TemporaryDirectory(prefix="labkit-node-") as tmp:
            work = Path(tmp)
            storage, storage_images = storage_manifest()
            images = _component_images(components(storage_images), binaries, work)
            archive = work / "images.tar"
            with step(f"saving {len(images)} component images"):
                _docker(f"docker save -o {archive} {shlex.join(images)}")
            base = _node_base(binaries, storage, work)
            _import_and_commit(base, archive, ref)
        _prune_older(ref)
    return ref


def _prune_older(ref: str) -> None:
    """Remove the node images of older recipes (each weighs ~1.5 GB)."""
    keep = ref.split(":", 1)[1]
    for repository in (NODE_REPOSITORY, f"{NODE_REPOSITORY}-base"):
        for image in client().images.list(name=repository):
            for tag in image.tags:
                if not tag.endswith(f":{keep}"):
                    sh(f"docker rmi {tag}", check=False, timeout=120)


def _local_binary(name: str, source: Path, command: str) -> Path:
    """Build a program of the course's own (``command`` writes ``{out}``), cached by source."""
    digest = hashlib.sha256()
    _tree_digest(source, digest)
    binary = cache_dir() / "go-bin" / f"{name}-{digest.hexdigest()[:12]}"
    if not binary.exists():
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_name(binary.name + ".partial")
        sh(command.format(out=partial), cwd=source, timeout=600)
        partial.rename(binary)
    return binary


def _build_net_agent() -> Path:
    return _local_binary(
        "labkit-net",
        NET_AGENT_DIR,
        "CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags '-s -w' -o {out} .",
    )


def _build_pause() -> Path:
    return _local_binary("pause", K8S_RECIPES / "pause", "gcc -Os -static -o {out} pause.c")


def _docker(command: str, log_name: str = "k8s-images") -> str:
    log = cache_dir() / "logs" / f"{log_name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    result = sh(command, timeout=_BUILD_TIMEOUT, check=False, env={"DOCKER_BUILDKIT": "0"})
    with open(log, "a") as out:
        out.write(f"$ {command}\n{result.output}\n")
    if not result.ok:
        raise CommandFailed(
            command, result.code, result.output, f"Read {log}, then run `labkit up` again."
        )
    return result.output


def _netfilter_base() -> str:
    digest = hashlib.sha256(recipe_hash(recipe("debian")).encode())
    _tree_digest(K8S_RECIPES / "netfilter", digest)
    ref = f"labkit/k8s-netfilter:{digest.hexdigest()[:12]}"
    if not has_image(ref):
        _docker(f"docker build -q -t {ref} {K8S_RECIPES / 'netfilter'}")
    return ref


def dockerfile(item: Component, bases: dict[str, str]) -> str:
    """The Dockerfile of a component image (its binary copied onto its base)."""
    # The label keeps two images with the same content apart (containerd names a Pod's
    # image by the first name it knows for that image ID).
    lines = [
        f"FROM {bases.get(item.base, item.base)}",
        f"LABEL org.dockerplusplus.image={item.image}",
    ]
    if item.binary:
        lines.append(f"COPY {item.binary} {item.target}")
    if item.entrypoint:
        lines.append(f'ENTRYPOINT ["{item.target}"]')
    if item.user:
        lines.append(f"USER {item.user}:{item.user}")
    return "\n".join(lines) + "\n"


def _component_images(items: tuple[Component, ...], binaries: dict[str, Path], work: Path):
    bases = {"debian": "debian:bookworm", "netfilter": _netfilter_base()}
    names = []
    with step(f"building {len(items)} component images"):
        for number, item in enumerate(items):
            context = work / f"component-{number}"
            context.mkdir()
            if item.binary:
                shutil.copy2(binaries[item.binary], context / item.binary)
            (context / "Dockerfile").write_text(dockerfile(item, bases))
            _docker(f"docker build -q -t {item.image} {context}")
            names.append(item.image)
    return names


def _node_base(binaries: dict[str, Path], storage: str, work: Path) -> str:
    """Build the node base image (no component images yet) from a prepared context."""
    context = work / "node"
    shutil.copytree(K8S_RECIPES / "node", context)
    shutil.copytree(base_files(), context / "kind-files")
    (context / "bin").mkdir()
    for name in ("kubeadm", "kubelet", "kubectl", "crictl", "runc-capfix", *NODE_RUNTIME):
        shutil.copy2(binaries[name], context / "bin" / name)
    config = context / "containerd" / "config.toml"
    config.write_text(containerd_config(config.read_text()))
    shutil.copytree(K8S_RECIPES / "manifests", context / "manifests")
    (context / "manifests" / "default-storage.yaml").write_text(storage)
    sh(f"chmod -R u+w {context}")  # the module cache is read-only
    ref = f"{NODE_REPOSITORY}-base:{v.KUBERNETES}-{node_hash()}"
    with step("building the node base image (systemd, containerd, kubelet)"):
        _docker(
            f"docker build -t {ref} --build-arg KUBERNETES_VERSION={v.KUBERNETES} {context}",
            "k8s-node-base",
        )
    return ref


def containerd_config(template: str) -> str:
    """The nodes' containerd configuration, its sandbox (pause) image the pinned one."""
    if PAUSE_PLACEHOLDER not in template:
        raise RecipeError(
            f"The nodes' containerd config.toml has no {PAUSE_PLACEHOLDER} placeholder.",
            'Restore `sandbox_image = "@PAUSE_IMAGE@"` in labkit/recipes/k8s/node/containerd.',
        )
    return template.replace(PAUSE_PLACEHOLDER, v.PAUSE_IMAGE)


def _import_and_commit(base: str, archive: Path, ref: str) -> None:
    """Import the component images into a node's containerd and commit it (kind's way)."""
    name = f"labkit-node-build-{node_hash()}"
    sh(f"docker rm -f {name}", check=False)
    with step("importing component images into the node's containerd"):
        _docker(
            f"docker run -d --name {name} --entrypoint=sleep "
            f"--security-opt seccomp=unconfined {base} infinity"
        )
        try:
            _docker(f"docker exec {name} bash -c 'nohup containerd >/tmp/containerd.log 2>&1 &'")
            _docker(
                f"docker exec {name} bash -c 'for i in $(seq 40); do ctr version >/dev/null "
                "2>&1 && exit 0; sleep 0.5; done; cat /tmp/containerd.log; exit 1'"
            )
            _docker(
                f"docker exec -i {name} ctr --namespace=k8s.io images import "
                f"--label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack "
                f"--digests - < {archive}"
            )
            _docker(f"docker exec {name} bash -c 'pkill containerd; sleep 2'")
            _docker(
                f'docker commit --change \'ENTRYPOINT [ "/usr/local/bin/entrypoint", '
                f'"/sbin/init" ]\' --change \'ENV HTTP_PROXY="" HTTPS_PROXY="" NO_PROXY=""\' '
                f"{name} {ref}"
            )
        finally:
            sh(f"docker rm -f -v {name}", check=False)
    say(f"    node image {ref} ready")


def remove_node_images() -> None:
    """Remove the node images and the component images they were assembled from."""
    _, storage_images = storage_manifest()
    names = [item.image for item in components(storage_images)]
    for repository in (NODE_REPOSITORY, f"{NODE_REPOSITORY}-base", "labkit/k8s-netfilter"):
        names += [tag for image in client().images.list(name=repository) for tag in image.tags]
    for name in names:
        sh(f"docker rmi -f {name}", check=False, timeout=120)
