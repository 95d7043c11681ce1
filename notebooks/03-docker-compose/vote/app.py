"""Vote: a Flask page where each vote is queued in Redis for the worker to store."""

import json
import os
import re
import secrets
import socket

from flask import Flask, Response, make_response, render_template_string, request
from redis import Redis
from redis.exceptions import RedisError

OPTIONS = {"a": os.environ.get("OPTION_A", "Cats"), "b": os.environ.get("OPTION_B", "Dogs")}
HOSTNAME = socket.gethostname()
VOTER_ID = re.compile(r"[0-9a-f]{1,64}")

# Connections are opened lazily, so the app starts even before Redis is up.
queue = Redis(
    host=os.environ.get("REDIS_HOST", "redis"),
    socket_connect_timeout=2,
    socket_timeout=2,
    decode_responses=True,
)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ options.a }} vs {{ options.b }}!</title>
  <style>
    body { font-family: sans-serif; text-align: center; margin-top: 3em; }
    button { font-size: 1.5em; width: 8em; margin: 0.5em; padding: 0.5em; cursor: pointer; }
    button.chosen { outline: 4px solid #2a7; }
    footer { color: #777; margin-top: 2em; }
  </style>
</head>
<body>
  <h1>{{ options.a }} vs {{ options.b }}!</h1>
  <form method="post" action="/">
    {% for key, label in options.items() %}
    <button type="submit" name="vote" value="{{ key }}"
            {% if vote == key %}class="chosen"{% endif %}>{{ label }}</button>
    {% endfor %}
  </form>
  {% if vote %}<p>You voted for {{ options[vote] }}. You can change your mind.</p>{% endif %}
  <footer>Processed by container ID {{ hostname }}</footer>
</body>
</html>
"""

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Report that the web server answers (used by the Compose healthcheck).

    Returns:
        A small JSON status document.
    """
    return {"status": "ok"}


@app.route("/", methods=["GET", "POST"])
def index() -> Response:
    """Show the ballot and, on POST, queue the vote in the Redis list ``votes``.

    The ``voter_id`` cookie identifies a browser, so voting again replaces the earlier vote.

    Returns:
        The ballot page, 400 for an unknown option, or 503 if Redis cannot be reached.
    """
    voter_id = request.cookies.get("voter_id", "")
    if not VOTER_ID.fullmatch(voter_id):
        voter_id = secrets.token_hex(8)
    vote = None
    if request.method == "POST":
        vote = request.form.get("vote", "")
        if vote not in OPTIONS:
            choices = ", ".join(f"{key!r} ({label})" for key, label in OPTIONS.items())
            message = f"Invalid vote {vote!r}: expected {choices}.\n"
            return Response(message, 400, mimetype="text/plain")
        try:
            queue.rpush("votes", json.dumps({"voter_id": voter_id, "vote": vote}))
        except RedisError as exc:
            app.logger.error("Cannot queue vote: %s", exc)
            return Response("Vote queue unavailable, try again.\n", 503, mimetype="text/plain")
    page = render_template_string(PAGE, options=OPTIONS, vote=vote, hostname=HOSTNAME)
    response = make_response(page)
    response.set_cookie("voter_id", voter_id, samesite="Lax")
    return response


if __name__ == "__main__":
    # Flask's own server is enough for a classroom; threaded so slow clients don't block.
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "80")), threaded=True)
