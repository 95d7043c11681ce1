"""The quota dashboard: Kubernetes quantities, ResourceQuota usage rows, bars, the widget."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ._html import plural
from ._k8s_html import bar
from ._k8s_live import LiveDashboard
from ._k8s_reader import KubeReader, Source

__all__ = ["QuotaGauge", "QuotaRow", "parse_quantity", "quota_rows", "quota_table"]

_SUFFIXES = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([eE][+-]?\d+|[a-zA-Z]*)")


def parse_quantity(text: str | int | float) -> Decimal:
    """A Kubernetes quantity as a number: ``"500m"`` → 0.5, ``"256Mi"`` → 268435456, ``"2"`` → 2.

    Raises:
        ValueError: when ``text`` is not a quantity.
    """
    if isinstance(text, int | float):
        return Decimal(str(text))
    match = _QUANTITY.fullmatch(text.strip())
    if not match or (match[2] not in _SUFFIXES and match[2][:1] not in ("e", "E")):
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    try:
        number = Decimal(match[1])
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise ValueError(f"not a Kubernetes quantity: {text!r}") from None
    suffix = match[2]
    if suffix[:1] in ("e", "E"):
        return number * Decimal(10) ** int(suffix[1:])
    return number * _SUFFIXES[suffix]


@dataclass(frozen=True)
class QuotaRow:
    """One resource of one ResourceQuota: what is used against what is allowed."""

    quota: str
    resource: str
    used: str
    hard: str
    fraction: float

    @property
    def full(self) -> bool:
        """True when the quota allows no more of the resource."""
        return self.fraction >= 1


def _fraction(used: str, hard: str) -> float:
    """``used / hard`` (1.0 for a hard limit of 0: nothing more fits)."""
    limit = parse_quantity(hard)
    return 1.0 if limit == 0 else float(parse_quantity(used) / limit)


def quota_rows(quotas: Iterable[Mapping[str, Any]]) -> list[QuotaRow]:
    """One row per resource of each ResourceQuota, by quota then resource name.

    ``status.hard`` is used when the quota controller has filled it, else ``spec.hard``;
    a resource not yet counted is used ``"0"``.

    Raises:
        ValueError: when a quantity is malformed.
    """
    rows = []
    for quota in quotas:
        status = quota.get("status") or {}
        hard = status.get("hard") or (quota.get("spec") or {}).get("hard") or {}
        used = status.get("used") or {}
        name = (quota.get("metadata") or {}).get("name", "?")
        for resource, limit in hard.items():
            now = str(used.get(resource, "0"))
            rows.append(QuotaRow(name, resource, now, str(limit), _fraction(now, str(limit))))
    return sorted(rows, key=lambda row: (row.quota, row.resource))


def quota_table(rows: Iterable[QuotaRow]) -> str:
    """An HTML list of bars, one per resource, grouped under each quota's name."""
    out, quota = [], None
    for row in rows:
        if row.quota != quota:
            quota = row.quota
            out.append(f"<b>ResourceQuota {html.escape(quota)}</b><br>")
        label = f"{row.used} / {row.hard} ({row.fraction:.0%})"
        out.append(
            f'<code style="display:inline-block;width:170px">{html.escape(row.resource)}</code>'
            f"{bar(row.fraction, label)}<br>"
        )
    return "".join(out) or "<p><i>No ResourceQuota in this namespace.</i></p>"


class QuotaGauge(LiveDashboard):
    """Every ResourceQuota of a namespace: one bar per resource, red once the limit is reached.

    *Refresh* lists them again; *Follow* (or `follow`) moves the bars live for a while.

    Args:
        namespace: the namespace whose quotas to show.
        reader: what to read the cluster through; the Kubernetes API by default.
    """

    def __init__(self, namespace: str, reader: KubeReader | None = None) -> None:
        """Read the namespace's quotas once."""
        self.namespace = namespace
        super().__init__([], reader, [Source("resourcequotas", namespace)])
        self.rows: list[QuotaRow] = []
        self.refresh()

    def _update(self) -> None:
        self.rows = quota_rows(self.objects(self.sources[0]))

    def _body(self) -> str:
        return quota_table(self.rows)

    def summary(self) -> str:
        """``"1 ResourceQuota in team-a: 3 resources, 1 at its limit"``."""
        quotas = len({row.quota for row in self.rows})
        full = sum(row.full for row in self.rows)
        return (
            f"{plural(quotas, 'ResourceQuota')} in {self.namespace}: "
            f"{plural(len(self.rows), 'resource')}, {full} at its limit"
        )
