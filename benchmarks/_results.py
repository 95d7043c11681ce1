"""Print a benchmark's results and save them to benchmarks/results/<prefix><when>.json."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def report(results: dict[str, object], prefix: str = "") -> Path:
    """Print ``results`` (which hold their ``when``) as JSON and save them; return the file."""
    text = json.dumps(results, indent=2)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{prefix}{results['when']}.json"
    out.write_text(text + "\n")
    return out
