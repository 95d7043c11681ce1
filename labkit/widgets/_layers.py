"""The image layers dashboard: an image's history and start-up config as tables, the widget.

An image's *history* has one entry per build step; only the steps that changed files made a
*layer* (the others changed the image's metadata: CMD, EXPOSE, LABEL...). `docker history` and
this dashboard list the entries; the image's manifest lists only the layers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from .._errors import LabkitError
from ._dashboard import Dashboard
from ._engine_api import EngineApi
from ._html import human_size, plural, shorten, table

__all__ = [
    "ImageConfig",
    "LayerExplorer",
    "LayerRow",
    "clean_created_by",
    "config_table",
    "image_config",
    "image_tags",
    "layer_rows",
    "layers_table",
]

INTERNAL_PREFIX = "labkit/"


@dataclass(frozen=True)
class LayerRow:
    """One history entry of an image, as ``docker history`` shows it (a layer if it has files)."""

    created_by: str
    size: int

    @property
    def empty(self) -> bool:
        """True for an entry that made no layer: it only changes the image's metadata."""
        return self.size == 0

    @property
    def size_text(self) -> str:
        """Its size as docker shows it, or ``"metadata only"`` for an entry with no layer."""
        return "metadata only" if self.empty else human_size(self.size)


@dataclass(frozen=True)
class ImageConfig:
    """What a container of the image starts with."""

    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    exposed_ports: tuple[str, ...]
    env: tuple[str, ...]
    size: int


_BUILD_ARGS = re.compile(r"^\|\d+\s+(?:\S+=\S*\s+)*")
_EXPOSE_MAP = re.compile(r"map\[([^\]]*)\]")


def clean_created_by(text: str, comment: str = "", width: int = 80) -> str:
    """A history entry's command, readable: ``RUN apt-get …``, ``CMD ["nginx"]``.

    Args:
        text: the ``CreatedBy`` of a history entry (classic builder or BuildKit).
        comment: its ``Comment``, shown when no command was recorded (``docker import``).
        width: the longest result; longer commands are cut with "…".

    Returns:
        The cleaned, shortened command.
    """
    text = _BUILD_ARGS.sub("", text.strip()).removesuffix("# buildkit").strip()
    if text.startswith("/bin/sh -c #(nop)"):
        text = text.removeprefix("/bin/sh -c #(nop)")
    elif text.startswith(("/bin/sh -c ", "RUN /bin/sh -c ")):
        text = "RUN " + text.split("/bin/sh -c ", 1)[1]
    if not text.strip():
        text = f"({comment.strip() or 'no command recorded'})"
    # Docker 20.10 records `EXPOSE 80` as `EXPOSE map[80/tcp:{}]`.
    text = _EXPOSE_MAP.sub(lambda m: " ".join(re.findall(r"([\w/-]+):\{\}", m[1])), text)
    return shorten(text, width)


def layer_rows(history: Iterable[Mapping[str, Any]], width: int = 80) -> list[LayerRow]:
    """Rows for an image's history entries, newest first like ``docker history``.

    Args:
        history: dicts as ``client().api.history(ref)`` returns them (``CreatedBy``, ``Size``,
            ``Comment``).
        width: the longest command shown.

    Returns:
        One `LayerRow` per history entry.
    """
    return [
        LayerRow(
            clean_created_by(entry.get("CreatedBy") or "", entry.get("Comment") or "", width),
            int(entry.get("Size") or 0),
        )
        for entry in history
    ]


def layers_table(rows: Sequence[LayerRow]) -> str:
    """An HTML table of history entries (greyed: "metadata only", no layer) and the total size."""
    total = human_size(sum(row.size for row in rows))
    html_table = table(
        ("#", "created by", "size"),
        (
            ((str(len(rows) - i), row.created_by, row.size_text), row.empty)
            for i, row in enumerate(rows)
        ),
        "No history.",
    )
    files = sum(not row.empty for row in rows)
    return (
        f"{html_table}<p><b>total {total}</b> in {plural(files, 'layer')} — "
        f"{plural(len(rows), 'history entry', 'history entries')}, "
        f"{len(rows) - files} of them metadata only</p>"
    )


def image_config(inspect: Mapping[str, Any]) -> ImageConfig:
    """The start-up settings of an image, from ``client().api.inspect_image(ref)``."""
    config = inspect.get("Config") or {}

    def argv(key: str) -> tuple[str, ...] | None:
        value = config.get(key)
        return None if value is None else tuple(value)

    return ImageConfig(
        entrypoint=argv("Entrypoint"),
        cmd=argv("Cmd"),
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or ())),
        env=tuple(config.get("Env") or ()),
        size=int(inspect.get("Size") or 0),
    )


def config_table(config: ImageConfig) -> str:
    """An HTML table of an image's Entrypoint, Cmd, ExposedPorts and Env."""

    def argv(value: tuple[str, ...] | None) -> str:
        return "(none)" if value is None else json.dumps(list(value))

    return table(
        ("setting", "value"),
        (
            (("Entrypoint", argv(config.entrypoint)), False),
            (("Cmd", argv(config.cmd)), False),
            (("ExposedPorts", ", ".join(config.exposed_ports) or "(none)"), False),
            *((("Env", env), False) for env in config.env),
        ),
        "",
    )


def image_tags(images: Iterable[Mapping[str, Any]], include_internal: bool = False) -> list[str]:
    """The sorted tags of local images, without ``<none>`` and, unless asked, ``labkit/*``.

    Args:
        images: dicts as ``client().api.images()`` returns them (``RepoTags``).
        include_internal: keep the course's cached builds (``labkit/...``).

    Returns:
        Tags such as ``"debian:bookworm"``.
    """
    tags = {tag for image in images for tag in image.get("RepoTags") or ()}
    return sorted(
        tag
        for tag in tags
        if "<none>" not in tag and (include_internal or not tag.startswith(INTERNAL_PREFIX))
    )


class LayerExplorer(Dashboard):
    """A local image's history (its layers and their sizes), and what its containers start with.

    Args:
        image: the tag to show first; the first tag in alphabetical order by default.
        include_internal: also offer the course's cached builds (``labkit/*``).
        api: what to read images from; the engine by default.
    """

    def __init__(
        self, image: str | None = None, include_internal: bool = False, api: EngineApi | None = None
    ) -> None:
        """Build the controls, list the images and show one."""
        internal = include_internal or (image or "").startswith(INTERNAL_PREFIX)
        self.picker = w.Dropdown(description="image", options=[])
        self.include_internal = w.Checkbox(value=internal, description="show labkit/*")
        super().__init__([self.picker, self.include_internal], api)
        self.layers: list[LayerRow] = []
        self.config: ImageConfig | None = None
        self._syncing = False
        self._wanted = image
        self.picker.observe(self._on_pick, "value")
        self.include_internal.observe(lambda _change: self.refresh(), "value")
        self.refresh()

    def _on_pick(self, change: Mapping[str, Any]) -> None:
        if not self._syncing:
            self._run(self._load_image)

    def _load(self) -> None:
        tags = image_tags(self.api.images(), self.include_internal.value)
        wanted = self._wanted or self.picker.value
        self._wanted = None
        self._syncing = True
        try:
            self.picker.options = tags
            self.picker.value = wanted if wanted in tags else (tags[0] if tags else None)
        finally:
            self._syncing = False
        self._load_image()
        if wanted and wanted not in tags:
            raise LabkitError(
                f"No local image is tagged {wanted!r}.",
                f"Pull or build it first (`docker pull {wanted}`), or pick one in the list.",
            )

    def _load_image(self) -> None:
        self.layers, self.config = [], None
        if self.picker.value:
            self.layers = layer_rows(self.api.history(self.picker.value))
            self.config = image_config(self.api.inspect_image(self.picker.value))

    def _body(self) -> str:
        if self.config is None:
            return "<p><i>No image to show: pull or build one (`docker pull nginx`).</i></p>"
        return layers_table(self.layers) + config_table(self.config)

    def summary(self) -> str:
        """``"redis:7: 3 layers (5 history entries), 86.9MB"``."""
        if self.picker.value is None:
            return "no image"
        size = human_size(sum(row.size for row in self.layers))
        entries = plural(len(self.layers), "history entry", "history entries")
        return f"{self.picker.value}: {plural(self.layer_count, 'layer')} ({entries}), {size}"

    @property
    def history(self) -> list[LayerRow]:
        """The image's history entries, newest first (``docker history``)."""
        return self.layers

    @property
    def layer_count(self) -> int:
        """How many entries made a layer (added files): the layers of the image's manifest."""
        return sum(not row.empty for row in self.layers)
