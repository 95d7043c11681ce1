"""The pipeline view: a pipeline's stages and jobs, drawn the way GitLab's pipeline graph is.

A column per stage, a box per job with its status and duration, the environments the jobs
deployed to, and the log of the job picked in the drop-down. It reads what gitlab-ci-local
left in the project's ``.gitlab-ci-local/`` folder (`labkit._pipelines.read_pipeline`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from .._lesson.pipelines import (
    FAILED,
    MANUAL,
    PASSED,
    RUNNING,
    SKIPPED,
    WARNING,
    Job,
    Pipeline,
    job_log,
    project_folder,
    read_pipeline,
)
from ._dashboard import Dashboard

__all__ = ["PipelineView", "format_duration", "pipeline_html", "pipeline_summary"]

_COLOURS = {
    PASSED: "#108548",
    FAILED: "#dd2b0e",
    WARNING: "#ab6100",
    MANUAL: "#535158",
    SKIPPED: "#89888d",
    RUNNING: "#1f75cb",
}
_CSS = (
    ".labkit-pipeline{display:flex;gap:28px;font-family:sans-serif;font-size:13px}"
    ".labkit-pipeline .stage h4{margin:0 0 6px 0;font-size:12px;text-transform:uppercase;"
    "color:#555}"
    ".labkit-pipeline .job{border:1px solid #ddd;border-radius:16px;padding:4px 12px;"
    "margin-bottom:6px;min-width:150px;background:#fafafa}"
    ".labkit-pipeline .job .when{color:#888;font-size:11px}"
    ".labkit-pipeline-env{font-family:sans-serif;font-size:12px;margin-top:6px}"
)


def format_duration(value: float | None) -> str:
    """``"8.2 s"``, ``"1 min 5 s"``, or ``""`` for a job that did not run."""
    if value is None:
        return ""
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest} s"


def pipeline_summary(pipeline: Pipeline) -> str:
    """``"pipeline passed: 4 passed, 1 manual · 1 min 3 s"``."""
    counts: dict[str, int] = {}
    for job in pipeline.jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    order = (PASSED, WARNING, FAILED, RUNNING, MANUAL, SKIPPED)
    parts = ", ".join(f"{counts[s]} {s}" for s in order if counts.get(s))
    took = format_duration(pipeline.duration)
    return f"pipeline {pipeline.status}: {parts or 'no job'}" + (f" · {took}" if took else "")


def _job_box(job: Job) -> str:
    colour = _COLOURS.get(job.status, "#555")
    took = format_duration(job.duration)
    detail = job.status + (f" · exit {job.exit_code}" if job.exit_code not in (None, 0) else "")
    detail += f" · {took}" if took else ""
    return (
        f'<div class="job" title="{html.escape(job.name)}: {html.escape(detail)}">'
        f'<b style="color:{colour}">{html.escape(job.mark)}</b> {html.escape(job.name)}'
        f'<div class="when">{html.escape(detail)}</div></div>'
    )


def pipeline_html(pipeline: Pipeline) -> str:
    """The pipeline graph: one column per stage, one box per job; then its environments."""
    head = (
        f'<p style="font-family:sans-serif;margin:4px 0">'
        f'<b style="color:{_COLOURS.get(pipeline.status, "#555")}">{html.escape(pipeline.status)}'
        f"</b> · {html.escape(pipeline.title)}</p>"
    )
    if not pipeline.jobs:
        return head + "<p><i>No job ran in this pipeline.</i></p>"
    columns = "".join(
        f'<div class="stage"><h4>{html.escape(stage)}</h4>'
        + "".join(_job_box(job) for job in pipeline.in_stage(stage))
        + "</div>"
        for stage in pipeline.stages
    )
    environments = [
        f"{html.escape(job.environment)} "
        + (
            f'<a href="{html.escape(job.url)}" target="_blank">{html.escape(job.url)}</a>'
            if job.url and job.action != "stop"
            else html.escape(job.environment_note.removeprefix(job.environment).strip())
        )
        for job in pipeline.jobs
        if job.environment and job.status in (PASSED, WARNING)
    ]
    env_html = (
        f'<div class="labkit-pipeline-env">Environments: {" · ".join(environments)}</div>'
        if environments
        else ""
    )
    return f'<style>{_CSS}</style>{head}<div class="labkit-pipeline">{columns}</div>{env_html}'


class PipelineView(Dashboard):
    """The last pipeline run in a project's clone, as GitLab's pipeline page shows it.

    Stages in columns, jobs with their status and duration, the environments deployed to,
    and the end of the log of the job chosen in the drop-down (a failed one at first).

    Args:
        folder: the project's clone, where `run_pipeline` ran (from the notebook terminal's
            folder; by default that folder itself).
        reader: how to read the pipeline (by default from ``folder``; a fake in tests).
        log_reader: how to read a job's log (by default from ``folder``).
        tail: how many of a log's last lines to show.

    Example:
        >>> PipelineView("chat")  # doctest: +SKIP
    """

    def __init__(
        self,
        folder: str | Path | None = None,
        reader: Callable[[], Pipeline] | None = None,
        log_reader: Callable[[str], str] | None = None,
        tail: int = 30,
    ) -> None:
        """Build the drop-down and read the pipeline once."""
        self.folder = project_folder(folder)
        self._read = reader or (lambda: read_pipeline(self.folder))
        self._log = log_reader or (lambda job: job_log(self.folder, job))
        self.tail = tail
        self.pipeline: Pipeline | None = None
        self.picker = w.Dropdown(description="job log", options=[])
        self.log = w.HTML()
        super().__init__([self.picker], None)
        self.widget.children = (*self.widget.children, self.log)
        self.picker.observe(lambda _change: self._show_log(), "value")
        self.refresh()

    def _load(self) -> None:
        self.pipeline = self._read()
        names = [job.name for job in self.pipeline.jobs if job.status not in (MANUAL, SKIPPED)]
        failed = [job.name for job in self.pipeline.failed]
        current = self.picker.value
        self.picker.options = names
        if failed:
            self.picker.value = failed[0]
        elif current in names:
            self.picker.value = current
        elif names:
            self.picker.value = names[-1]
        self._show_log()

    def _show_log(self) -> None:
        job = self.picker.value
        if not job:
            self.log.value = ""
            return
        lines = self._log(job).splitlines()[-self.tail :]
        self.log.value = (
            f'<pre style="font-size:11px;max-height:20em;overflow:auto;background:#f5f5f5;'
            f'padding:6px">{html.escape(chr(10).join(lines)) or "(empty log)"}</pre>'
        )

    def _body(self) -> str:
        if self.pipeline is None:
            return "<p><i>No pipeline read yet.</i></p>"
        return pipeline_html(self.pipeline)

    def summary(self) -> str:
        """``"pipeline passed: 4 passed, 1 manual · 1 min 3 s"``."""
        if self.pipeline is None:
            return "no pipeline read"
        return pipeline_summary(self.pipeline)

    def text(self) -> str:
        """The same data as text, without durations (they change at every run)."""
        return self.pipeline.text() if self.pipeline is not None else self.summary()
