"""The ``labkit`` command: doctor, up, down, reset CHAPTER, lab, run, image, lab-start, execute."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .._errors import LabkitError
from .._lesson.engine_view import exec_in_view
from .._paths import NOTEBOOKS_DIR, REPO_DIR, use_course_tools


def _doctor(_: argparse.Namespace) -> int:
    from .commands import doctor

    findings = doctor()
    for finding in findings:
        print(finding)
    return 0 if all(f.ok for f in findings) else 1


def _up(args: argparse.Namespace) -> int:
    from .commands import up

    up(cluster=not args.no_cluster, own_engine=args.own_engine)
    return 0


def _down(args: argparse.Namespace) -> int:
    from .commands import down

    down(images=args.images)
    return 0


def _reset(args: argparse.Namespace) -> int:
    from .._lesson.chapters import reset

    item = reset(args.chapter)
    print(f"✓ chapter {item.slug} reset")
    return 0


def _quiet_lab_settings() -> None:
    """Keep JupyterLab from fetching news and update checks (classrooms may be offline)."""
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        setting = {"fetchNews": "false", "checkForUpdates": False}
        path.write_text(json.dumps({"@jupyterlab/apputils-extension:notification": setting}))


def jupyterlab_command(extra: list[str]) -> list[str]:
    """The command line of the course's JupyterLab (run from the repository), ``extra`` last."""
    _quiet_lab_settings()
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={REPO_DIR}",
        "--LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb",
    ]  # the repository is the root, so notebooks can show ../images/*.svg
    if os.geteuid() == 0 and "--allow-root" not in extra:
        command.append("--allow-root")  # the course runs as root on Debian machines
    return [*command, *extra]


def _lab(args: argparse.Namespace) -> int:
    os.chdir(REPO_DIR)
    exec_in_view(jupyterlab_command(args.extra))
    return 0


def _run(args: argparse.Namespace) -> int:
    if not args.extra:
        raise LabkitError(
            "`labkit run` needs a command.", "For example: `labkit run -- docker ps`."
        )
    exec_in_view(args.extra)
    return 0


def _image(_: argparse.Namespace) -> int:
    from .lab_image import RUN_COMMAND, build_lab_image

    ref = build_lab_image()
    print(f"✓ lab image {ref}\n  run it: {RUN_COMMAND.format(image=ref)}")
    return 0


def _lab_start(_: argparse.Namespace) -> int:
    from .lab_start import start

    return start()


def _execute(args: argparse.Namespace) -> int:
    """Re-execute notebooks in place with papermill (refreshes their committed outputs)."""
    import papermill

    from .._lesson.engine_view import enter

    enter([sys.executable, "-m", "labkit._setup.cli", "execute", *args.notebooks])

    paths = [Path(p) for p in args.notebooks] or sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
    for path in paths:
        start = time.monotonic()
        papermill.execute_notebook(
            str(path), str(path), cwd=str(path.parent), kernel_name="python3", progress_bar=False
        )
        print(f"✓ {path.name} executed in {time.monotonic() - start:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``labkit`` console script."""
    parser = argparse.ArgumentParser(prog="labkit", description="Docker++ course helper.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="what is present or missing, and how to fix it")
    up = commands.add_parser(
        "up", help="install/start the engine, build images, start registries and the cluster"
    )
    up.add_argument(
        "--no-cluster", action="store_true", help="skip the kind cluster (chapters 00-03 only)"
    )
    up.add_argument(
        "--own-engine",
        action="store_true",
        help="run the course's engine beside another one, on its own socket, data and bridge "
        "(root; also LABKIT_OWN_ENGINE=1, and the default under CI when another engine runs)",
    )
    down = commands.add_parser("down", help="remove everything the course created")
    down.add_argument("--images", action="store_true", help="also remove the cached images")
    reset = commands.add_parser("reset", help="reset one chapter (e.g. `labkit reset 02`)")
    reset.add_argument("chapter")
    commands.add_parser("lab", help="open the course in JupyterLab (other options go to it)")
    commands.add_parser(
        "run", help="run a command as the lessons do (`labkit run -- pytest …`; own-engine mode)"
    )
    commands.add_parser(
        "image", help="build the lab image: the whole course in one image (after `labkit up`)"
    )
    commands.add_parser("lab-start", help="the lab image's entrypoint (inside it only)")
    execute = commands.add_parser("execute", help="re-execute notebooks in place (papermill)")
    execute.add_argument("notebooks", nargs="*")
    args, extra = parser.parse_known_args(argv)
    if args.command == "run" and extra[:1] == ["--"]:
        extra = extra[1:]
    if extra and args.command not in ("lab", "run"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    handler = {
        "doctor": _doctor,
        "up": _up,
        "down": _down,
        "reset": _reset,
        "lab": _lab,
        "run": _run,
        "image": _image,
        "lab-start": _lab_start,
        "execute": _execute,
    }[args.command]
    use_course_tools()  # the course's own tools first, for every command and for the lab
    try:
        return handler(args)
    except LabkitError as err:
        print(f"labkit {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
