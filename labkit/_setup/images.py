"""The course's container images, built offline from Debian packages and cached by recipe.

A recipe is a folder with a Dockerfile (``labkit/recipes/NAME`` or a chapter's folder). Its
hash covers every file in it and its parent's hash, so an image is rebuilt only when its
recipe, or one below it, changes. The base image is not a Dockerfile: it is made with
``debootstrap`` (Debian bookworm, minbase) and ``docker import``.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from .._errors import RecipeError
from .._lesson.docker import client
from .._lesson.sh import sh
from .._paths import NOTEBOOKS_DIR, RECIPES_DIR, cache_dir, tools_dir
from .._progress import say, step
from .apt import apt_install
from .engine_tools import plugins_dir

HASH_LABEL = "org.dockerplusplus.recipe"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Recipe:
    """One course image: where its recipe lives, what it builds on, and its public names."""

    name: str
    folder: Path
    parent: str | None = None
    publish: tuple[str, ...] = ()
    local_tags: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()  # course tools copied into the build context as tools/NAME

    def tool_paths(self) -> dict[str, Path]:
        """The binaries of its `tools`: resolved links of the course's tools or CLI plugins.

        A ``docker-*`` name is a plugin of the course's docker CLI (``docker-buildx``).
        """
        return {
            name: ((plugins_dir() if name.startswith("docker-") else tools_dir()) / name).resolve()
            for name in self.tools
        }

    @property
    def repository(self) -> str:
        """Local repository of the cached build, e.g. ``labkit/nginx``."""
        return f"labkit/{self.name}"


RECIPES: tuple[Recipe, ...] = (
    Recipe(
        "debian",
        RECIPES_DIR / "debian",
        publish=("debian:bookworm", "debian:latest"),
        local_tags=("debian:bookworm",),
    ),
    Recipe("nginx", RECIPES_DIR / "nginx", "debian", publish=("nginx:latest", "nginx:1.22")),
    Recipe("registry", RECIPES_DIR / "registry", "debian", publish=("registry:2",)),
    Recipe("redis", RECIPES_DIR / "redis", "debian", publish=("redis:7", "redis:latest")),
    Recipe(
        "postgres", RECIPES_DIR / "postgres", "debian", publish=("postgres:15", "postgres:latest")
    ),
    Recipe("git", RECIPES_DIR / "git", "debian", local_tags=("dockerplusplus/git:1",)),
    Recipe(
        "wordpress",
        RECIPES_DIR / "wordpress",
        "debian",
        publish=("wordpress:6.1", "wordpress:latest"),
    ),
    Recipe(
        "mariadb",
        RECIPES_DIR / "mariadb",
        "debian",
        publish=("mariadb:10.11", "mariadb:latest"),
    ),
    Recipe(
        "python-web",
        RECIPES_DIR / "python-web",
        "debian",
        publish=("dockerplusplus/python-web:1",),  # the chat image of 15 builds FROM it
        local_tags=("dockerplusplus/python-web:1",),
    ),
    Recipe(
        "ci",
        RECIPES_DIR / "ci",
        "debian",
        publish=("dockerplusplus/ci:1",),  # the job image of chapter 15's pipelines
        tools=("docker", "docker-buildx", "helm", "kubectl"),
    ),
    Recipe(
        "vote",
        NOTEBOOKS_DIR / "03-docker-compose" / "vote",
        "python-web",
        publish=("dockerplusplus/vote:1",),  # Pods pull it through the mirror (16)
        local_tags=("dockerplusplus/vote:1",),
    ),
    Recipe(
        "result",
        NOTEBOOKS_DIR / "03-docker-compose" / "result",
        "python-web",
        publish=("dockerplusplus/result:1",),  # Pods pull it through the mirror (16)
        local_tags=("dockerplusplus/result:1",),
    ),
    Recipe(
        "worker",
        NOTEBOOKS_DIR / "03-docker-compose" / "worker",
        "python-web",
        publish=("dockerplusplus/worker:1",),  # Pods pull it through the mirror (16)
        local_tags=("dockerplusplus/worker:1",),
    ),
)
BY_NAME = {recipe.name: recipe for recipe in RECIPES}


def recipe(name: str) -> Recipe:
    """The recipe called ``name``, or a `RecipeError` listing the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise RecipeError(
            f"No image recipe is called {name!r}.", f"Use one of: {', '.join(BY_NAME)}."
        ) from None


def recipe_hash(item: Recipe) -> str:
    """Hash of a recipe's files and of its parent's hash (12 hex digits)."""
    digest = hashlib.sha256(item.name.encode())
    if item.parent:
        digest.update(recipe_hash(recipe(item.parent)).encode())
    if not item.folder.is_dir():
        raise RecipeError(
            f"The recipe folder {item.folder} of image {item.name} is missing.",
            "Restore it from git (`git checkout -- labkit notebooks`).",
        )
    for path in sorted(p for p in item.folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(item.folder)).encode())
        digest.update(path.read_bytes())
    for name, binary in item.tool_paths().items():  # a tool's version is in its path or stamp
        stat = binary.stat() if binary.exists() else None
        # whole seconds: an image layer (the lab image's copy of the cache) keeps no more
        digest.update(f"{name}={binary}:{stat and (stat.st_size, int(stat.st_mtime))}".encode())
    return digest.hexdigest()[:12]


def image_ref(item: Recipe) -> str:
    """Local reference of the cached build of ``item``: ``labkit/NAME:HASH``."""
    return f"{item.repository}:{recipe_hash(item)}"


def is_built(item: Recipe) -> bool:
    """True when the image for the current recipe hash is present in the engine."""
    try:
        client().images.get(image_ref(item))
    except docker.errors.ImageNotFound:
        return False
    return True


def build_all(names: Iterable[str] | None = None) -> list[str]:
    """Build every missing course image (parents first); return the names built."""
    wanted = [recipe(n) for n in names] if names else list(RECIPES)
    todo: list[Recipe] = []
    for item in wanted:
        chain = [item]
        while chain[-1].parent:
            chain.append(recipe(chain[-1].parent))
        todo.extend(r for r in reversed(chain) if r not in todo)
    built = []
    for position, item in enumerate(todo, 1):
        missing = [name for name, path in item.tool_paths().items() if not path.is_file()]
        if missing:
            if names:
                raise RecipeError(
                    f"Image {item.name} needs the course's {', '.join(missing)}, not built yet.",
                    "Run `labkit up` (it builds the tools before the images that need them).",
                )
            say(f"  image {item.name} skipped: it needs {', '.join(missing)} (`labkit up`)")
            continue
        if is_built(item):
            _tag_local(item)
            continue
        with step(
            f"[{position}/{len(todo)}] building image {item.name} (recipe {recipe_hash(item)})"
        ):
            if item.parent is None:
                _build_base(item)
            else:
                _build_dockerfile(item)
            _tag_local(item)
        built.append(item.name)
    return built


def _tag_local(item: Recipe) -> None:
    image = client().images.get(image_ref(item))
    for ref in (f"{item.repository}:latest", *item.local_tags):
        repository, tag = ref.rsplit(":", 1)
        image.tag(repository, tag)


def _build_dockerfile(item: Recipe) -> None:
    log_path = cache_dir() / "logs" / f"image-{item.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    parent_ref = image_ref(recipe(item.parent)) if item.parent else None
    with tempfile.TemporaryDirectory(prefix="labkit-context-") as tmp, open(log_path, "w") as log:
        context = item.folder
        if item.tools:  # a copy of the recipe, with the tools beside it
            context = Path(tmp) / "context"
            shutil.copytree(item.folder, context)
            (context / "tools").mkdir()
            for name, binary in item.tool_paths().items():
                shutil.copy2(binary, context / "tools" / name)
        stream = client().api.build(
            path=str(context),
            tag=image_ref(item),
            rm=True,
            forcerm=True,
            decode=True,
            labels={HASH_LABEL: recipe_hash(item), "org.dockerplusplus.parent": parent_ref or ""},
        )
        error = None
        for chunk in stream:
            text = chunk.get("stream") or chunk.get("status") or ""
            log.write(text)
            if text.startswith("Step "):
                say(f"    {text.strip()[:100]}")
            if "error" in chunk:
                error = chunk["error"]
                log.write(error + "\n")
    if error:
        raise RecipeError(
            f"Building image {item.name} from {item.folder}/Dockerfile failed: {error.strip()}",
            f"Read the build log {log_path}; fix the recipe, then run `labkit up` again.",
        )


def _build_base(item: Recipe) -> None:
    """Debootstrap Debian into a temporary folder, slim it, and ``docker import`` it."""
    if not shutil.which("debootstrap"):
        apt_install("debootstrap")
    with tempfile.TemporaryDirectory(prefix="labkit-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        log_path = cache_dir() / "logs" / "image-debian.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        result = sh(
            f"debootstrap --variant=minbase {DEBIAN_SUITE} {rootfs} {DEBIAN_MIRROR}",
            timeout=1200,
            check=False,
        )
        log_path.write_text(result.output)
        result.check("Check that Debian's archive is reachable, then retry.")
        say(f"    debootstrap done in {time.monotonic() - start:.0f} s; slimming the rootfs")
        changes = [
            f"ENV PATH={BASE_PATH}",
            'CMD ["bash"]',
            f"LABEL {HASH_LABEL}={recipe_hash(item)}",
        ]
        import_args = [arg for change in changes for arg in ("--change", change)]
        sh(
            f"bash {shlex.quote(str(item.folder / 'slim.sh'))} {rootfs} && "
            f"tar -C {rootfs} --numeric-owner -c . | "
            f"docker import {shlex.join(import_args)} - {image_ref(item)}",
            timeout=600,
            fix="Check there is room on /var/lib/docker (`df -h`), then retry.",
        )


def sizes() -> dict[str, int]:
    """Size in bytes of each built course image, by recipe name."""
    result = {}
    for item in RECIPES:
        try:
            result[item.name] = client().images.get(image_ref(item)).attrs["Size"]
        except docker.errors.ImageNotFound:
            continue
    return result
