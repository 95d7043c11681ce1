"""Chat: a small chat room in the spirit of the deck's pilot application, mojochat.

The conversation is kept in Redis (``REDIS_URL``), so every replica of the app shows the
same one. Without ``REDIS_URL`` it stays in the process's memory: enough for the unit tests
and for one process, not for two replicas.
"""

import os
import socket
import threading

from flask import Flask, Response, redirect, render_template_string, request
from redis import Redis
from redis.exceptions import RedisError

TITLE = os.environ.get("CHAT_TITLE", "Chat")
KEEP = 50  # messages kept and shown

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <style>
    body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
    #messages { border: 1px solid #ccc; padding: 0.5em; min-height: 10em; white-space: pre-wrap; }
    footer { color: #777; margin-top: 2em; font-size: small; }
  </style>
</head>
<body>
  <h1>{{ title }}</h1>
  <div id="messages">{{ messages }}</div>
  <form method="post" action="messages">
    <input name="nick" placeholder="nick" size="8" required>
    <input name="text" placeholder="say something" size="40" required autofocus>
    <button type="submit">Send</button>
  </form>
  <footer>served by {{ hostname }}</footer>
  <script>
    // Every replica shows the same conversation: read it again every 2 seconds.
    setInterval(async () => {
      const answer = await fetch("messages");
      if (answer.ok) document.getElementById("messages").textContent = await answer.text();
    }, 2000);
  </script>
</body>
</html>
"""


class MemoryStore:
    """Messages in this process's memory (one process only)."""

    def __init__(self) -> None:
        """Start with an empty conversation."""
        self._lines: list[str] = []
        self._lock = threading.Lock()

    def add(self, line: str) -> None:
        """Append one line, keep the last `KEEP`."""
        with self._lock:
            self._lines = [*self._lines, line][-KEEP:]

    def lines(self) -> list[str]:
        """The conversation, oldest first."""
        with self._lock:
            return list(self._lines)

    def ping(self) -> bool:
        """Always ready."""
        return True


class RedisStore:
    """Messages in a Redis list shared by every replica."""

    def __init__(self, url: str) -> None:
        """Connect lazily to ``url`` (the app starts before Redis is up)."""
        self._redis = Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=2, decode_responses=True
        )

    def add(self, line: str) -> None:
        """Append one line, keep the last `KEEP`."""
        self._redis.rpush("chat:messages", line)
        self._redis.ltrim("chat:messages", -KEEP, -1)

    def lines(self) -> list[str]:
        """The conversation, oldest first."""
        return self._redis.lrange("chat:messages", 0, -1)

    def ping(self) -> bool:
        """True when Redis answers."""
        return bool(self._redis.ping())


def make_store() -> MemoryStore | RedisStore:
    """Redis when ``REDIS_URL`` is set, else memory."""
    url = os.environ.get("REDIS_URL")
    return RedisStore(url) if url else MemoryStore()


def format_message(nick: str, text: str) -> str:
    """One line of the conversation: ``nick: text``."""
    return f"{nick}: {text}"


def create_app(store: MemoryStore | RedisStore | None = None) -> Flask:
    """The chat's web application, on ``store`` (by default the one `make_store` picks)."""
    app = Flask(__name__)
    store = store if store is not None else make_store()

    @app.get("/")
    def index() -> str:
        messages = "\n".join(store.lines())
        return render_template_string(
            PAGE, title=TITLE, messages=messages, hostname=socket.gethostname()
        )

    @app.get("/messages")
    def read() -> Response:
        lines = store.lines()
        return Response("".join(f"{line}\n" for line in lines), mimetype="text/plain")

    @app.post("/messages")
    def post() -> Response:
        nick = " ".join(request.form.get("nick", "").split())[:20]
        text = " ".join(request.form.get("text", "").split())[:500]
        if not nick or not text:
            return Response("A message needs a nick and a text.\n", 400, mimetype="text/plain")
        store.add(format_message(nick, text))
        if "text/html" in request.headers.get("Accept", ""):
            return redirect(".", 303)  # a browser's form: back to the page
        return Response("sent\n", 201, mimetype="text/plain")

    @app.get("/healthz")
    def healthz() -> Response:
        try:
            store.ping()
        except RedisError as err:
            return Response(f"store unavailable: {err}\n", 503, mimetype="text/plain")
        return Response("ok\n", mimetype="text/plain")

    return app


if __name__ == "__main__":
    # Flask's own server is enough for a classroom; threaded so slow clients don't block.
    create_app().run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
