"""Pipelines run by gitlab-ci-local: starting one as GitLab would, and reading what it did.

GitLab starts a pipeline itself: on a push, or on a merge request event, with predefined
variables that say why (``CI_PIPELINE_SOURCE``, ``CI_MERGE_REQUEST_IID``...). Here
`run_pipeline` plays that part: it runs ``gitlab-ci-local`` in a clone with the same variables,
keeps its whole log in ``.gitlab-ci-local/pipeline.log`` (the raw log is long and full of
timings), and prints each job's result once its stage is over. `read_pipeline` reads that
folder back — the jobs gitlab-ci-local planned (``--list-json``), what its log says each one
did, and each job's own log in ``.gitlab-ci-local/output/JOB.log`` — for the pipeline widget,
the exercise checks, and `job_report`, which turns a failed job into one readable block.
"""

from __future__ import annotations

import glob
import json
import os
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._errors import LabkitError, TimeoutExpired
from .._paths import shown_path

STATE_DIR = ".gitlab-ci-local"  # gitlab-ci-local's own folder in the project
LOG_NAME = "pipeline.log"  # its whole output, written by `run_pipeline`
RUN_NAME = "pipeline.json"  # how it was started and the jobs it planned
# where gitlab-ci-local copies a job's File variables (a fixed path: /tmp, not $TMPDIR)
FILE_VARIABLES = "/tmp/gitlab-ci-local-file-variables-*"

# prettyHrtime's units, as gitlab-ci-local prints durations: "689 ms", "3.1 s", "1.5 min"
_UNITS = {"h": 3600.0, "min": 60.0, "s": 1.0, "ms": 1e-3, "μs": 1e-6, "ns": 1e-9}
_DURATION = r"(?P<value>\d+(?:\.\d+)?) (?P<unit>h|min|s|ms|μs|ns)"
_STARTING = re.compile(r"^starting (?P<image>\S+) \((?P<stage>[^)]*)\)$")
_FINISHED = re.compile(rf"^finished in {_DURATION}(?:\s+(?P<mark>FAIL|WARN) (?P<code>-?\d+))?\s*$")
_REPORT = re.compile(r"^ (?P<mark>PASS|FAIL|WARN) (?: \[[^\]]*\])? (?P<rest>.+)$")
_ENVIRONMENT = re.compile(r"^environment: \{ name: (?P<name>[^,}]+?)(?:, url: (?P<url>\S+))? \}$")
_PIPELINE_DONE = re.compile(rf"^pipeline finished in {_DURATION}\s*$")

PASSED, FAILED, WARNING = "passed", "failed", "warning"  # a job that ran
MANUAL, SKIPPED, RUNNING = "manual", "skipped", "running"  # one that did not (yet)
MARKS = {PASSED: "✓", FAILED: "✗", WARNING: "!", MANUAL: "▶", SKIPPED: "○", RUNNING: "…"}


def seconds(value: str, unit: str) -> float:
    """A gitlab-ci-local duration (``"3.1"``, ``"s"``) in seconds."""
    return float(value) * _UNITS[unit]


@dataclass(frozen=True)
class Job:
    """One job of a pipeline: where it sits, what happened to it, how long it took."""

    name: str
    stage: str
    status: str
    when: str = "on_success"
    duration: float | None = None
    exit_code: int | None = None
    environment: str | None = None
    url: str | None = None
    action: str = "start"  # what the job does to its environment: start, stop...

    @property
    def mark(self) -> str:
        """✓ passed, ✗ failed, ! failed but allowed to, ▶ manual, ○ skipped, … running."""
        return MARKS.get(self.status, "?")

    @property
    def environment_note(self) -> str:
        """``"review/x → http://…"`` for a deployment, ``"review/x stopped"`` for a stop."""
        if not self.environment:
            return ""
        if self.action == "stop":
            return f"{self.environment} stopped"
        return self.environment + (f" → {self.url}" if self.url else "")

    def __repr__(self) -> str:
        """Short form: name, stage and status."""
        return f"<Job {self.name} ({self.stage}): {self.status}>"


@dataclass(frozen=True)
class Pipeline:
    """A pipeline as gitlab-ci-local ran it: why it started, its stages and jobs.

    Attributes:
        source: ``CI_PIPELINE_SOURCE``: ``push`` or ``merge_request_event``.
        ref: the branch it ran for.
        sha: the commit it ran for.
        stages: the stages that hold at least one of its jobs, in order.
        jobs: its jobs, stage by stage, in the order of the file.
        duration: seconds from its first job to its end, when it ended.
        merge_request: the merge request's number (``CI_MERGE_REQUEST_IID``), if any.
    """

    source: str
    ref: str
    sha: str
    stages: tuple[str, ...]
    jobs: tuple[Job, ...]
    duration: float | None = None
    merge_request: int | None = None

    @property
    def status(self) -> str:
        """``failed`` if a job failed, ``running`` if one has not ended, else ``passed``."""
        statuses = {job.status for job in self.jobs}
        if FAILED in statuses:
            return FAILED
        if RUNNING in statuses:
            return RUNNING
        return PASSED

    def job(self, name: str) -> Job | None:
        """The job called ``name``, if the pipeline has one."""
        return next((job for job in self.jobs if job.name == name), None)

    def in_stage(self, stage: str) -> list[Job]:
        """The jobs of one stage, in the order of the file."""
        return [job for job in self.jobs if job.stage == stage]

    @property
    def failed(self) -> list[Job]:
        """The jobs that failed (those allowed to fail are not)."""
        return [job for job in self.jobs if job.status == FAILED]

    @property
    def title(self) -> str:
        """``"merge request !1 (me-action)"`` or ``"push to main"``, and the short commit."""
        if self.source == "merge_request_event":
            what = f"merge request !{self.merge_request or '?'} ({self.ref})"
        else:
            what = f"{self.source} to {self.ref}"
        return f"{what} · commit {self.sha[:8]}"

    def text(self, durations: bool = False) -> str:
        """The pipeline as text, stage by stage (without durations unless asked).

        Example::

            pipeline passed: merge request !1 (me-action) · commit 1a2b3c4d
              test    ✓ test    passed
              review  ✓ review  passed  review/me-action → http://...:8000
                      ▶ stop_review  manual
        """
        lines = [f"pipeline {self.status}: {self.title}"]
        stage_width = max((len(stage) for stage in self.stages), default=0)
        name_width = max((len(job.name) for job in self.jobs), default=0)
        for stage in self.stages:
            for index, job in enumerate(self.in_stage(stage)):
                label = stage if index == 0 else ""
                line = f"  {label:<{stage_width}}  {job.mark} {job.name:<{name_width}}"
                line += f"  {job.status}"
                if job.exit_code not in (None, 0):
                    line += f" (exit {job.exit_code})"
                if durations and job.duration is not None:
                    line += f"  {job.duration:.1f} s"
                if job.environment and job.status in (PASSED, WARNING):
                    line += f"  {job.environment_note}"
                lines.append(line.rstrip())
        if durations and self.duration is not None:
            lines.append(f"  in {self.duration:.1f} s")
        return "\n".join(lines)

    def __repr__(self) -> str:
        """Short form: title and status."""
        return f"<Pipeline {self.title}: {self.status}>"


# --- reading gitlab-ci-local's log -----------------------------------------------------------


@dataclass
class _Seen:
    """What the log says about one job."""

    stage: str = ""
    started: bool = False
    duration: float | None = None
    status: str | None = None
    exit_code: int | None = None
    environment: str | None = None
    url: str | None = None


@dataclass
class LogReader:
    """Reads gitlab-ci-local's output line by line (job names are the lines' prefixes)."""

    names: Sequence[str]
    seen: dict[str, _Seen] = field(default_factory=dict)
    duration: float | None = None
    _in_report: bool = False

    def _split(self, line: str) -> tuple[str, str] | None:
        """``("build", "finished in 3 s")`` for ``"build   finished in 3 s"``."""
        best = None
        for name in self.names:
            if line.startswith(name) and line[len(name) : len(name) + 1] in (" ", ""):
                if best is None or len(name) > len(best):
                    best = name
        if best is None:
            return None
        return best, line[len(best) :].strip()

    def feed(self, line: str) -> tuple[str, str] | None:
        """Take one line; return ``(event, job)`` for ``"start"`` and ``"end"`` events."""
        line = line.rstrip("\n")
        done = _PIPELINE_DONE.match(line)
        if done:
            self.duration = seconds(done["value"], done["unit"])
            return None
        report = _REPORT.match(line)
        if report:
            self._in_report = True
            rest = report["rest"].strip()
            name = max((n for n in self.names if rest.split("  ")[0].strip() == n), default=None)
            if name is not None:
                status = {"PASS": PASSED, "FAIL": FAILED, "WARN": WARNING}[report["mark"]]
                self.seen.setdefault(name, _Seen()).status = status
            return None
        split = self._split(line)
        if split is None:
            return None
        name, rest = split
        job = self.seen.setdefault(name, _Seen())
        starting = _STARTING.match(rest)
        if starting and not self._in_report:
            job.started, job.stage = True, starting["stage"]
            return ("start", name)
        finished = _FINISHED.match(rest)
        if finished and not self._in_report:
            job.duration = seconds(finished["value"], finished["unit"])
            mark = finished["mark"]
            job.exit_code = int(finished["code"]) if finished["code"] else 0
            job.status = {None: PASSED, "FAIL": FAILED, "WARN": WARNING}[mark]
            return ("end", name)
        environment = _ENVIRONMENT.match(rest)
        if environment:
            job.environment, job.url = environment["name"].strip(), environment["url"]
        return None


def read_log(text: str, names: Sequence[str]) -> LogReader:
    """Read a whole gitlab-ci-local log (see `LogReader`)."""
    reader = LogReader(names)
    for line in text.splitlines():
        reader.feed(line)
    return reader


def _expanded(text: str) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, Mapping) else {}


def stages_of(expanded_yaml: str) -> list[str]:
    """The ``stages`` of gitlab-ci-local's ``expanded-gitlab-ci.yml`` (or ``[]``)."""
    return [str(stage) for stage in _expanded(expanded_yaml).get("stages") or ()]


def actions_of(expanded_yaml: str) -> dict[str, str]:
    """Each job's ``environment: action:`` in ``expanded-gitlab-ci.yml`` (``start`` if unset)."""
    actions = {}
    for name, job in _expanded(expanded_yaml).items():
        environment = job.get("environment") if isinstance(job, Mapping) else None
        if isinstance(environment, Mapping):
            actions[str(name)] = str(environment.get("action") or "start")
    return actions


def build_pipeline(
    run: Mapping[str, Any],
    planned: Sequence[Mapping[str, Any]],
    log: str,
    stages: Sequence[str],
    actions: Mapping[str, str] | None = None,
) -> Pipeline:
    """Put together a `Pipeline` from what `run_pipeline` recorded.

    Args:
        run: how it was started: ``source``, ``ref``, ``sha``, ``merge_request``, ``jobs``
            (the jobs asked for by name, empty for a whole pipeline).
        planned: ``gitlab-ci-local --list-json`` for the same variables.
        log: gitlab-ci-local's output.
        stages: the stages in order (``.pre`` and ``.post`` included or not).
        actions: what jobs do to their environments (`actions_of`), ``start`` if not said.

    Returns:
        The pipeline; a job that did not run is ``manual`` (``when: manual``) or ``skipped``,
        or ``running`` while the log has not ended.
    """
    wanted = [entry for entry in planned if entry.get("when") != "never"]
    asked = list(run.get("jobs") or ())
    if asked:
        wanted = [entry for entry in wanted if entry.get("name") in asked]
    names = [str(entry["name"]) for entry in wanted]
    reader = read_log(log, names)
    ended = reader.duration is not None
    jobs = []
    for entry in wanted:
        name, seen = str(entry["name"]), reader.seen.get(str(entry["name"]), _Seen())
        status = seen.status
        if status is None:
            if seen.started:
                status = RUNNING if not ended else FAILED
            elif entry.get("when") == "manual" and not asked:
                status = MANUAL
            else:
                status = SKIPPED if ended else RUNNING
        jobs.append(
            Job(
                name=name,
                stage=str(entry.get("stage", "")),
                status=status,
                when=str(entry.get("when", "on_success")),
                duration=seen.duration,
                exit_code=seen.exit_code,
                environment=seen.environment,
                url=seen.url,
                action=(actions or {}).get(name, "start"),
            )
        )
    order = {stage: index for index, stage in enumerate(stages)}
    jobs.sort(key=lambda job: order.get(job.stage, len(order)))  # stable: file order kept
    used = [stage for stage in stages if any(job.stage == stage for job in jobs)]
    return Pipeline(
        source=str(run.get("source", "push")),
        ref=str(run.get("ref", "")),
        sha=str(run.get("sha", "")),
        stages=tuple(used),
        jobs=tuple(jobs),
        duration=reader.duration,
        merge_request=run.get("merge_request"),
    )


def read_pipeline(folder: str | Path) -> Pipeline:
    """The last pipeline `run_pipeline` ran in the project ``folder``.

    Raises:
        LabkitError: when no pipeline was run there yet.
    """
    state = Path(folder) / STATE_DIR
    try:
        run = json.loads((state / RUN_NAME).read_text())
        log = (state / LOG_NAME).read_text()
    except (OSError, ValueError) as err:
        raise LabkitError(
            f"No pipeline was run in {shown_path(folder)} yet ({err}).",
            "Run one first (`run_pipeline`, in the project's folder).",
        ) from err
    expanded = state / "expanded-gitlab-ci.yml"
    text = expanded.read_text() if expanded.exists() else ""
    return build_pipeline(run, run.get("planned") or [], log, stages_of(text), actions_of(text))


def job_log(folder: str | Path, job: str) -> str:
    """A job's own log, as gitlab-ci-local keeps it (``""`` when there is none)."""
    path = Path(folder) / STATE_DIR / "output" / f"{_safe_name(job)}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def _safe_name(job: str) -> str:
    """gitlab-ci-local's file name for a job (its ``safeDockerString``)."""
    return re.sub(r"[^\w-]+", lambda m: "-" * len(m.group()), job)


def job_report(folder: str | Path, job: Job, tail: int = 8) -> str:
    """One readable block for a job that failed: its status, then the tail of its log."""
    lines = [line for line in job_log(folder, job.name).splitlines() if line.strip()]
    code = f" (exit code {job.exit_code})" if job.exit_code not in (None, 0) else ""
    head = f"✗ job {job.name} {job.status}{code}, stage {job.stage}"
    if not lines:
        return head + " — its log is empty."
    shown = lines[-tail:]
    more = f"last {len(shown)} lines" if len(lines) > len(shown) else "its log"
    where = f"{STATE_DIR}/output/{_safe_name(job.name)}.log"
    return "\n".join([f"{head} · {more} ({where}):", *(f"    {line}" for line in shown)])


# --- running one -----------------------------------------------------------------------------


def _git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout.strip()


def command(
    branch: str,
    *,
    merge_request: int | None = None,
    target: str = "main",
    jobs: Iterable[str] = (),
    stage: str | None = None,
) -> list[str]:
    """The gitlab-ci-local command line for a pipeline GitLab would start.

    Args:
        branch: the branch the pipeline runs for.
        merge_request: the merge request's number: a merge request pipeline, with the
            variables GitLab sets for one (and no ``CI_COMMIT_BRANCH``, as in GitLab).
            ``None``: a pipeline for a push.
        target: the merge request's target branch.
        jobs: run only these jobs (by name; a manual job runs when named).
        stage: run only this stage.

    Returns:
        The argument list, ``gitlab-ci-local`` first.
    """
    argv = ["gitlab-ci-local"]
    if merge_request is not None:
        for key, value in (
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_IID", str(merge_request)),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", branch),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", target),
        ):
            argv += ["--variable", f"{key}={value}"]
        argv += ["--unset-variable", "CI_COMMIT_BRANCH"]
    if stage:
        argv += ["--stage", stage]
    argv += list(jobs)
    return argv


@dataclass
class _Progress:
    """Prints each job's result once its stage is over, in the file's order."""

    order: Sequence[str]  # stages
    planned: Mapping[str, str]  # job → stage
    printer: Callable[[str], None]
    reader: LogReader
    printed: set[str] = field(default_factory=set)

    def stage_over(self, before: str | None) -> None:
        """Print the jobs of every stage before ``before`` (all stages for ``None``)."""
        limit = self.order.index(before) if before in self.order else len(self.order)
        for stage in self.order[:limit]:
            for name, job_stage in self.planned.items():
                seen = self.reader.seen.get(name)
                if job_stage != stage or name in self.printed or seen is None:
                    continue
                if not seen.started and seen.status is None:
                    continue
                self.printed.add(name)
                status = seen.status or FAILED
                line = f" {MARKS[status]} {name} {status}"
                if seen.exit_code not in (None, 0):
                    line += f" (exit {seen.exit_code})"
                self.printer(f"{stage}:{line}")


def project_folder(folder: str | Path | None) -> Path:
    """``folder`` resolved from the notebook terminal's folder (that folder for ``None``)."""
    from .terminal import terminal

    base = terminal().cwd
    return (base / folder).resolve() if folder is not None else Path(base).resolve()


def remove_file_variables(keep: Iterable[str] = ()) -> None:
    """Remove the folders gitlab-ci-local left under /tmp for File variables, but ``keep``.

    Each job it creates (to run it, or only to list it: ``--list``, ``--list-json``) gets
    its File variables copied into such a folder, readable by every user; it removes one
    copy when the job ends and leaves the other. In chapter 15 they are copies of the
    kubeconfig: the cluster's admin key.
    """
    for path in set(glob.glob(FILE_VARIABLES)) - set(keep):
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _file_variables_removed() -> Iterator[None]:
    """`remove_file_variables` of those that appeared while the block ran."""
    before = glob.glob(FILE_VARIABLES)
    try:
        yield
    finally:
        remove_file_variables(keep=before)


@_file_variables_removed()
def run_pipeline(
    folder: str | Path | None = None,
    *,
    merge_request: int | None = None,
    target: str = "main",
    jobs: Iterable[str] = (),
    stage: str | None = None,
    timeout: float = 900,
    printer: Callable[[str], None] = print,
) -> Pipeline:
    """Run the project's pipeline with gitlab-ci-local, as GitLab would start it.

    It prints the command, then each job's result once its stage is over, then the
    environments the jobs deployed to or stopped, and the failed jobs' logs (their last
    lines). The whole log stays in ``.gitlab-ci-local/pipeline.log``.

    Args:
        folder: the project's clone (its ``.gitlab-ci.yml``, ``.gitlab-ci-local-env``...),
            from the notebook terminal's folder; by default that folder itself.
        merge_request: a merge request's number for a merge request pipeline; ``None`` for a
            push pipeline.
        target: the merge request's target branch.
        jobs: run only these jobs (a manual job runs when named).
        stage: run only this stage.
        timeout: seconds before gitlab-ci-local is stopped.
        printer: where the lines go.

    Returns:
        The pipeline, as `read_pipeline` reads it back.

    Raises:
        LabkitError: when gitlab-ci-local refuses the file (its message is in the error).
        TimeoutExpired: when it runs longer than ``timeout``.

    Example:
        >>> run_pipeline("chat", merge_request=1)  # doctest: +SKIP
    """
    folder = project_folder(folder)
    jobs = list(jobs)
    branch = _git(folder, "branch", "--show-current")
    argv = command(branch, merge_request=merge_request, target=target, jobs=jobs, stage=stage)
    printer("$ " + shlex.join(argv))
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    listed = subprocess.run(
        [*argv[: len(argv) - len(jobs)], "--list-json"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    try:
        planned = _list_json(listed.stdout)
    except ValueError:
        raise LabkitError(
            f"gitlab-ci-local refused the pipeline of {shown_path(folder)}:\n"
            + _tidy_refusal(listed.stdout + listed.stderr),
            "Fix .gitlab-ci.yml (the message names the line), then run the pipeline again.",
        ) from None
    if stage:
        planned = [entry for entry in planned if entry.get("stage") == stage]
    state = folder / STATE_DIR
    state.mkdir(exist_ok=True)
    record = {
        "source": "merge_request_event" if merge_request is not None else "push",
        "ref": branch,
        "sha": _git(folder, "rev-parse", "HEAD"),
        "merge_request": merge_request,
        "jobs": jobs,
        "stage": stage,
        "command": argv,
        "planned": planned,
    }
    (state / RUN_NAME).write_text(json.dumps(record, indent=2) + "\n")
    names = [str(e["name"]) for e in planned if e.get("when") != "never"]
    if jobs:
        names = [name for name in names if name in jobs]
    reader = LogReader(names)
    code = _stream(argv, folder, env, timeout, reader, state / LOG_NAME, printer, planned)
    pipeline = read_pipeline(folder)
    if not any(job.status not in (MANUAL, SKIPPED) for job in pipeline.jobs) and code != 0:
        raise LabkitError(
            f"gitlab-ci-local ran no job in {shown_path(folder)}:\n"
            + _tidy_refusal((state / LOG_NAME).read_text()),
            "Read .gitlab-ci-local/pipeline.log; fix what it names, then run the pipeline again.",
        )
    for job in pipeline.jobs:
        if job.environment and job.status in (PASSED, WARNING):
            printer(f"environment {job.environment_note}")
    for job in pipeline.failed:
        printer(job_report(folder, job))
    printer(f"pipeline {pipeline.status} · whole log: {STATE_DIR}/{LOG_NAME}")
    return pipeline


def _stream(
    argv: list[str],
    folder: Path,
    env: Mapping[str, str],
    timeout: float,
    reader: LogReader,
    log_path: Path,
    printer: Callable[[str], None],
    planned: Sequence[Mapping[str, Any]],
) -> int:
    """Run gitlab-ci-local, write its log, print job results stage by stage; its exit code."""
    expanded = folder / STATE_DIR / "expanded-gitlab-ci.yml"
    order: list[str] = []
    stage_of = {str(e["name"]): str(e.get("stage", "")) for e in planned}
    progress = _Progress(order, stage_of, printer, reader)
    deadline = time.monotonic() + timeout
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            argv,
            cwd=folder,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        pending = b""
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    _stop(proc)
                    raise TimeoutExpired(
                        f"The pipeline was still running after {timeout:.0f} s and was stopped.",
                        f"Read {STATE_DIR}/{LOG_NAME} to see which job hangs, then run it again.",
                    )
                if not selector.select(timeout=min(left, 1.0)):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    line = raw.decode(errors="replace")
                    log.write(line + "\n")
                    event = reader.feed(line)
                    if event and event[0] == "start":
                        if not order and expanded.exists():
                            order.extend(stages_of(expanded.read_text()))
                        progress.stage_over(stage_of.get(event[1]))
                log.flush()
            if pending:
                log.write(pending.decode(errors="replace") + "\n")
                reader.feed(pending.decode(errors="replace"))
        finally:
            selector.close()
        code = proc.wait(timeout=30)
    if not order and expanded.exists():
        order.extend(stages_of(expanded.read_text()))
    progress.stage_over(None)
    return code


def _list_json(text: str) -> list[dict[str, Any]]:
    """The JSON list in ``gitlab-ci-local --list-json``'s output (warnings may come first)."""
    start = text.find("[\n") if not text.startswith("[") else 0
    end = text.rfind("]")
    if start < 0 or end < start:
        raise ValueError("no job list")
    found = json.loads(text[start : end + 1])
    if not isinstance(found, list):
        raise ValueError("not a job list")
    return found


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End gitlab-ci-local and its children (its job containers are removed by it)."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _tidy_refusal(text: str) -> str:
    """gitlab-ci-local's refusal without its JavaScript stack trace and timing lines."""
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith("    at ")
        and not re.match(r"^(parsing and downloads|json schema validated)", line)
        and line.strip()
    ]
    return "\n".join(kept)
