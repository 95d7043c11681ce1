"""Result: a Flask page and JSON API showing the tally the worker keeps in Postgres."""

import os
from contextlib import closing

import psycopg2
from flask import Flask, Response, render_template_string

LABELS = {"a": os.environ.get("OPTION_A", "Cats"), "b": os.environ.get("OPTION_B", "Dogs")}
TALLY = "SELECT vote, COUNT(id) FROM votes GROUP BY vote"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="refresh" content="2">
  <title>{{ labels.a }} vs {{ labels.b }} -- Result</title>
  <style>
    body { font-family: sans-serif; text-align: center; margin-top: 3em; }
    .bar { display: flex; height: 3em; max-width: 40em; margin: 1em auto; color: white; }
    .bar div { display: flex; align-items: center; justify-content: center; }
  </style>
</head>
<body>
  <h1>{{ labels.a }} vs {{ labels.b }}</h1>
  <div class="bar">
    <div style="width: {{ pct.a }}%; background: #2a7bb8">{{ labels.a }} {{ pct.a }}%</div>
    <div style="width: {{ pct.b }}%; background: #d36c2c">{{ labels.b }} {{ pct.b }}%</div>
  </div>
  <p>{{ counts.total }} vote{{ "" if counts.total == 1 else "s" }}</p>
</body>
</html>
"""

app = Flask(__name__)


def tally() -> dict[str, int]:
    """Count the votes per option in the ``votes`` table.

    Returns:
        ``{"a": ..., "b": ..., "total": ...}``; all zero while the worker has not created the table.

    Raises:
        psycopg2.OperationalError: The database cannot be reached.
    """
    counts = dict.fromkeys(LABELS, 0)
    dsn = {
        "host": os.environ.get("DB_HOST", "db"),
        "user": os.environ.get("POSTGRES_USER", "postgres"),
        "password": os.environ.get("POSTGRES_PASSWORD", "postgres"),
        "dbname": os.environ.get("POSTGRES_DB", os.environ.get("POSTGRES_USER", "postgres")),
    }
    # A short-lived connection per request keeps the example simple; fine at classroom scale.
    with closing(psycopg2.connect(connect_timeout=3, **dsn)) as conn, conn.cursor() as cur:
        try:
            cur.execute(TALLY)
        except psycopg2.errors.UndefinedTable:
            return {**counts, "total": 0}
        for vote, count in cur.fetchall():
            if vote in counts:
                counts[vote] = count
    return {**counts, "total": sum(counts.values())}


@app.errorhandler(psycopg2.OperationalError)
def database_down(exc: psycopg2.OperationalError) -> tuple[dict[str, str], int]:
    """Answer 503 rather than a stack trace while Postgres is unreachable."""
    app.logger.error("Database unavailable: %s", exc)
    return {"error": "database unavailable"}, 503


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Report that the web server answers (used by the Compose healthcheck)."""
    return {"status": "ok"}


@app.get("/api/results")
def results() -> dict[str, int]:
    """Return the current tally as JSON."""
    return tally()


@app.get("/")
def index() -> Response:
    """Render the tally as percentages; the page reloads itself every two seconds."""
    counts = tally()
    total = counts["total"]
    share_a = round(100 * counts["a"] / total, 1) if total else 50.0
    pct = {"a": share_a, "b": round(100 - share_a, 1)}
    return Response(render_template_string(PAGE, labels=LABELS, counts=counts, pct=pct))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "80")), threaded=True)
