"""Build Go programs from their modules through the Go module proxy, cached by version.

Each module is required by a small wrapper module under the cache (``go-wrap/``), so any
program can be built by import path with `go build`. Kubernetes itself replaces its staging
modules (``k8s.io/api``, ``k8s.io/client-go``...) by local folders, which `go install` refuses;
the wrapper replaces each of them by its published version instead.

A few modules only build from inside themselves (Compose's go.mod excludes, the Docker CLI's
``vendor.mod`` instead of a go.mod): those are built in a writable copy of the module
(``go-src/``), made once per version. A dependency can also be built from an edited copy
(`ModuleEdit`), to leave out what the course never runs and would take most of a build.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .._errors import LabkitError
from .._lesson.sh import sh
from .._paths import cache_dir
from .._progress import step

MODULE_TIME = "<module-time>"  # in ldflags: replaced by the module's publication time
GO_TIMEOUT = 3600  # a cold Kubernetes build takes ~10 min on 2 cores; never wait forever
_EDIT_FIX = "Update the program's `edits` (labkit/_setup/kind/components.py) to this version."
_FIX = "Check that the Go module proxy answers (`go env GOPROXY`), then run `labkit up` again."


@dataclass(frozen=True)
class ModuleEdit:
    """One file of a module changed for the course's build, which then uses an edited copy.

    ``content`` replaces the file's text; ``drop_imports`` removes the lines that import
    these packages for their side effects only (``_ "path"``: plugin registries). An edit
    that no longer applies (the line is gone in a newer version) is an error, never ignored.
    """

    module: str
    file: str  # relative to the module's root
    content: str | None = None
    drop_imports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.content is None and not self.drop_imports:
            raise ValueError(f"ModuleEdit of {self.file}: give `content` or `drop_imports`")


@dataclass(frozen=True)
class GoProgram:
    """A program to build: its binary name, module, version and main package."""

    name: str
    module: str
    version: str
    package: str
    cgo: bool = False
    ldflags: str = "-s -w"
    staging: str | None = None  # replace the module's ./staging modules by this version
    trimpath: bool = True
    tags: str = ""  # Go build tags, space-separated
    in_module: bool = False  # build inside a copy of the module (package relative: ./cmd/x)
    replaces: tuple[str, ...] = ()  # extra replace directives for an in-module build
    edits: tuple[ModuleEdit, ...] = ()  # modules built from an edited copy (wrapper builds)

    @property
    def binary(self) -> Path:
        """Where the built binary is cached: by version and by how it is built."""
        recipe = repr(
            (
                self.package,
                self.cgo,
                self.ldflags,
                self.staging,
                self.trimpath,
                self.tags,
                self.in_module,
                self.replaces,
                self.edits,
            )
        )
        digest = hashlib.sha256(recipe.encode()).hexdigest()[:8]
        return cache_dir() / "go-bin" / f"{self.name}-{self.version}-{digest}"


def require_go() -> str:
    """Path of the go command, or a `LabkitError` saying how to get it."""
    go = shutil.which("go")
    if not go:
        raise LabkitError(
            "Building the course cluster offline needs Go, which is not installed.",
            "Install Go 1.26 or newer (https://go.dev/dl/, or apt-get install golang), then "
            "run `labkit up` again.",
        )
    return go


def module_info(module: str, version: str) -> dict[str, str]:
    """What ``go mod download -json`` says of ``module@version`` (downloaded when missing)."""
    output = sh(
        f"go mod download -json {shlex.quote(f'{module}@{version}')}",
        cwd=cache_dir(),
        env={"GOFLAGS": "-mod=mod"},
        timeout=900,
        fix=_FIX,
    ).output
    return json.loads(output)


def module_dir(module: str, version: str) -> Path:
    """Folder of ``module@version`` in the module cache (downloaded when missing)."""
    return Path(module_info(module, version)["Dir"])


def module_time(module: str, version: str) -> str:
    """When ``module@version`` was published (its tag's time, from the proxy)."""
    info = json.loads(Path(module_info(module, version)["Info"]).read_text())
    return str(info["Time"])


def go_mod_entries(go_mod: str, *kinds: str) -> list[tuple[str, str]]:
    """(kind, entry) for each directive of ``kinds`` in a go.mod's text, one-line or in blocks.

    Comments are dropped; an entry is the directive's text without its keyword.
    """
    body = re.sub(r"//.*", "", go_mod)
    pattern = rf"^({'|'.join(kinds)})\s*(?:\(([^)]*)\)|(.*))$"
    return [
        (kind, entry.strip())
        for kind, block, single in re.findall(pattern, body, flags=re.M)
        for entry in (block or single).splitlines()
        if entry.strip()
    ]


def inherited_directives(go_mod: str, staging: str | None = None) -> list[str]:
    """The ``replace`` and ``exclude`` directives of a module's go.mod, for a wrapper.

    Go ignores them in a dependency, yet the module only builds with them (forks, broken
    versions). Local replacements (``=> ./staging/...``) become ``=> MODULE STAGING``.
    """
    lines = []
    for kind, entry in go_mod_entries(go_mod, "replace", "exclude"):
        local = re.match(r"^(\S+)(?:\s+\S+)?\s+=>\s+\.\.?/", entry)
        if local:
            if staging:
                lines.append(f"replace {local.group(1)} => {local.group(1)} {staging}")
            continue
        lines.append(f"{kind} {entry}")
    return lines


def _wrapper(programs: list[GoProgram]) -> Path:
    """Create (once) the wrapper module requiring the programs' module.

    Its go.mod inherits the module's own replace and exclude directives, and replaces each
    module the programs edit (`ModuleEdit`) by its edited copy.
    """
    first = programs[0]
    folder = cache_dir() / "go-wrap" / f"{first.module.replace('/', '_')}@{first.version}"
    stamp = folder / ".tidy"
    packages = sorted({program.package for program in programs})
    upstream = (module_dir(first.module, first.version) / "go.mod").read_text()
    directives = inherited_directives(upstream, first.staging)
    directives += [f"replace {module} => {copy}" for module, copy in _edited(first, upstream)]
    wanted = "\n".join([*packages, *directives])
    if stamp.exists() and stamp.read_text() == wanted:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    go_mod = f"module labkitwrap\n\ngo 1.24\n\nrequire {first.module} {first.version}\n\n"
    (folder / "go.mod").write_text(go_mod + "\n".join(directives) + "\n")
    imports = "\n".join(f'\t_ "{package}"' for package in packages)
    (folder / "tools.go").write_text(
        f"//go:build tools\n\npackage labkitwrap\n\nimport (\n{imports}\n)\n"
    )
    sh("go mod tidy", cwd=folder, env={"GOFLAGS": "-mod=mod"}, timeout=GO_TIMEOUT, fix=_FIX)
    stamp.write_text(wanted)
    return folder


def _edited(program: GoProgram, upstream: str) -> list[tuple[str, Path]]:
    """(module, edited copy) for each module ``program`` edits; ``upstream``: its go.mod.

    Raises:
        LabkitError: the program's module itself replaces one of them (the edit would not
            be the code that is built).
    """
    copies = []
    for module in sorted({edit.module for edit in program.edits}):
        if any(entry.split()[0] == module for _, entry in go_mod_entries(upstream, "replace")):
            raise LabkitError(
                f"{program.module} replaces {module}, which labkit edits for its build.",
                f"Edit the replacement instead (`edits` of {program.name}).",
            )
        version = (
            program.version if module == program.module else required_version(upstream, module)
        )
        edits = tuple(edit for edit in program.edits if edit.module == module)
        copies.append((module, _edited_module(module, version, edits)))
    return copies


def build(programs: Iterable[GoProgram]) -> dict[str, Path]:
    """Build every program whose binary is not cached yet; return name → binary path."""
    programs = list(programs)
    require_go() if any(not p.binary.exists() for p in programs) else None
    groups: dict[tuple[str, str], list[GoProgram]] = {}
    for program in programs:
        groups.setdefault((program.module, program.version), []).append(program)
    for (module, version), group in groups.items():
        if len({program.edits for program in group}) > 1 or (group[0].in_module and group[0].edits):
            raise ValueError(f"{module}: its programs share one wrapper, hence one set of edits")
        todo = [program for program in group if not program.binary.exists()]
        if not todo:
            continue
        names = ", ".join(program.name for program in todo)
        with step(f"building {names} from {module}@{version}"):
            folder = _module_copy(group[0]) if group[0].in_module else _wrapper(group)
            for batch in _batches(todo):
                _build_batch(batch, folder)
    return {program.name: program.binary for program in programs}


def build_in_background(programs: Iterable[GoProgram]) -> Callable[[], dict[str, Path]]:
    """Start `build` of ``programs`` in a thread; return the function that waits for its result.

    Set-up runs it while its own path waits on the network and the engine (Debian packages,
    image builds): Go builds are the longest part of a cold set-up. The waiting function
    re-raises the build's error, if any.
    """
    programs = list(programs)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["built"] = build(programs)
        except BaseException as err:  # handed to the waiting thread
            outcome["error"] = err

    thread = threading.Thread(target=run, name="labkit-go-build", daemon=True)
    thread.start()

    def wait() -> dict[str, Path]:
        thread.join(GO_TIMEOUT * len(programs))
        if thread.is_alive():
            raise LabkitError(
                f"The Go builds started in the background ran past {GO_TIMEOUT * len(programs)} s.",
                _FIX,
            )
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["built"]  # type: ignore[return-value]

    return wait


def required_version(go_mod: str, module: str) -> str:
    """The version of ``module`` that a go.mod's text requires.

    Raises:
        LabkitError: it does not require ``module`` (an edit names a module it no longer uses).
    """
    for _, entry in go_mod_entries(go_mod, "require"):
        found = re.fullmatch(rf"{re.escape(module)}\s+(v\S+)", entry)
        if found:
            return found.group(1)
    raise LabkitError(
        f"The module being built no longer requires {module}, which labkit edits for it.",
        _EDIT_FIX,
    )


def _writable_copy(module: str, version: str, folder: Path) -> None:
    """A writable copy of ``module@version`` at ``folder`` (the module cache is read-only)."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(module_dir(module, version), folder)
    sh(f"chmod -R u+w {shlex.quote(str(folder))}", timeout=120)


def _edited_module(module: str, version: str, edits: tuple[ModuleEdit, ...]) -> Path:
    """A copy of ``module@version`` with ``edits`` made: once per version and edits.

    Raises:
        LabkitError: an edit no longer applies (its file or an import line is gone); no copy
            is left.
    """
    digest = hashlib.sha256(repr(edits).encode()).hexdigest()[:8]
    folder = cache_dir() / "go-src" / f"{module.replace('/', '_')}@{version}-{digest}"
    if folder.exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    _writable_copy(module, version, partial)
    try:
        for edit in edits:
            _apply(edit, partial, f"{module}@{version}")
    except LabkitError:
        shutil.rmtree(partial)
        raise
    partial.rename(folder)
    return folder


def _apply(edit: ModuleEdit, root: Path, name: str) -> None:
    """Make ``edit`` in the module copy at ``root`` (``name``: module@version, for errors)."""
    path = root / edit.file
    if not path.is_file():
        raise LabkitError(f"{name} has no file {edit.file} any more.", _EDIT_FIX)
    text = path.read_text() if edit.content is None else edit.content
    for package in edit.drop_imports:
        text, found = re.subn(rf'^[ \t]*_ "{re.escape(package)}"\n', "", text, flags=re.M)
        if not found:
            raise LabkitError(f"{edit.file} of {name} no longer imports {package}.", _EDIT_FIX)
    path.write_text(text)


def _module_copy(program: GoProgram) -> Path:
    """A writable copy of the program's module (once), made a plain Go module if needed.

    A module published without go.mod but with ``vendor.mod`` (the Docker CLI) gets that file
    as its go.mod and loses its vendor folder, so `go build` resolves through the proxy.
    """
    folder = cache_dir() / "go-src" / f"{program.module.replace('/', '_')}@{program.version}"
    stamp = folder / ".labkit-ready"
    if stamp.exists():
        return folder
    _writable_copy(program.module, program.version, folder)
    if not (folder / "go.mod").exists() and (folder / "vendor.mod").exists():
        (folder / "vendor.mod").rename(folder / "go.mod")
        (folder / "vendor.sum").rename(folder / "go.sum")
        shutil.rmtree(folder / "vendor", ignore_errors=True)
    if program.replaces:
        with open(folder / "go.mod", "a") as go_mod:
            go_mod.write("\n" + "".join(f"replace {entry}\n" for entry in program.replaces))
    stamp.touch()
    return folder


def _batches(programs: list[GoProgram]) -> list[list[GoProgram]]:
    """Programs that one `go build` can make together: same flags, binary named as its package.

    One invocation loads the packages once and links the binaries in parallel (Kubernetes'
    seven binaries: one package graph, seven links).
    """
    batches: dict[tuple[object, ...], list[GoProgram]] = {}
    for program in programs:
        alone = program.package.rsplit("/", 1)[-1] != program.name
        key = (program.cgo, program.ldflags, program.tags, program.trimpath, alone and program)
        batches.setdefault(key, []).append(program)
    return list(batches.values())


def _build_batch(batch: list[GoProgram], folder: Path) -> None:
    """Build ``batch`` (one `_batches` entry) into its cached binaries, complete ones only."""
    first = batch[0]
    out = cache_dir() / "go-bin" / f".batch-{first.binary.name}.partial"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tags = f"-tags {shlex.quote(first.tags)} " if first.tags else ""
    ldflags = first.ldflags.replace(MODULE_TIME, module_time(first.module, first.version))
    packages = " ".join(program.package for program in batch)
    target = f"{out}/" if len(batch) > 1 else str(out / first.name)
    sh(
        f"nice -n 10 go build {'-trimpath ' if first.trimpath else ''}{tags}"
        f"-ldflags {shlex.quote(ldflags)} -o {target} {packages}",
        cwd=folder,
        env={"CGO_ENABLED": "1" if first.cgo else "0", "GOFLAGS": "-mod=mod"},
        timeout=GO_TIMEOUT,
        fix=_FIX,
    )
    for program in batch:  # only a complete binary ever has the cached name
        (out / program.name).rename(program.binary)
    shutil.rmtree(out)


def kubernetes_ldflags(version: str) -> str:
    """Linker flags that make Kubernetes binaries report ``version`` (as release builds do)."""
    major, minor = version.lstrip("v").split(".")[:2]
    flags = ["-s", "-w"]
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        for key, value in (
            ("gitVersion", version),
            ("gitMajor", major),
            ("gitMinor", minor),
            ("gitTreeState", "clean"),
            ("gitCommit", "0" * 40),
            ("buildDate", "1970-01-01T00:00:00Z"),
        ):
            flags.append(f"-X {package}.{key}={value}")
    return " ".join(flags)
