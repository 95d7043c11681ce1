"""Worker: move votes from the Redis list ``votes`` into the Postgres table ``votes``."""

import json
import os
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg2
from psycopg2.extensions import connection
from redis import Redis
from redis.exceptions import RedisError

T = TypeVar("T")
MAX_DELAY = 5.0  # seconds; the retry backoff never waits longer than this

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS votes (id VARCHAR(255) PRIMARY KEY, vote VARCHAR(255) NOT NULL)
"""
# One row per voter: voting again replaces the earlier choice.
UPSERT = """
INSERT INTO votes (id, vote) VALUES (%s, %s)
ON CONFLICT (id) DO UPDATE SET vote = EXCLUDED.vote
"""


def log(message: str) -> None:
    """Print a line at once, so `docker compose logs worker` shows it live."""
    print(message, flush=True)


def reason(exc: Exception) -> str:
    """Squeeze an exception's (often multi-line) message onto one log line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def with_retries(name: str, connect: Callable[[], T]) -> T:
    """Call ``connect`` until it succeeds, doubling the pause between tries up to MAX_DELAY.

    Args:
        name: What is being connected to, for the log ("db", "redis").
        connect: Opens and checks the connection.

    Returns:
        Whatever ``connect`` returned.
    """
    delay = 0.5
    while True:
        try:
            client = connect()
        except (RedisError, psycopg2.OperationalError) as exc:
            log(f"Waiting for {name} ({reason(exc)})")
            time.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
        else:
            log(f"Connected to {name}")
            return client


def open_redis() -> Redis:
    """Connect to Redis; the socket timeout must exceed the BLPOP timeout."""
    client = Redis(
        host=os.environ.get("REDIS_HOST", "redis"),
        socket_connect_timeout=2,
        socket_timeout=5,
        decode_responses=True,
    )
    client.ping()
    return client


def open_db() -> connection:
    """Connect to Postgres in autocommit mode and make sure the table exists."""
    conn = psycopg2.connect(
        host=os.environ.get("DB_HOST", "db"),
        user=os.environ.get("POSTGRES_USER", "postgres"),
        password=os.environ.get("POSTGRES_PASSWORD", "postgres"),
        dbname=os.environ.get("POSTGRES_DB", os.environ.get("POSTGRES_USER", "postgres")),
        connect_timeout=3,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(CREATE_TABLE)
    return conn


def main() -> None:
    """Process votes forever, reconnecting whenever Redis or Postgres goes away."""
    queue = with_retries("redis", open_redis)
    db = with_retries("db", open_db)
    while True:
        try:
            item = queue.blpop(["votes"], timeout=1)
        except RedisError as exc:
            log(f"Lost redis connection: {reason(exc)}")
            queue = with_retries("redis", open_redis)
            continue
        if item is None:  # nothing queued during the last second
            continue
        try:
            ballot = json.loads(item[1])
            voter_id, vote = str(ballot["voter_id"]), str(ballot["vote"])
        except (ValueError, KeyError, TypeError):
            log(f"Skipping malformed vote {item[1]!r}")
            continue
        log(f"Processing vote for '{vote}' by '{voter_id}'")
        while True:  # keep this vote until it is stored: it is no longer in Redis
            try:
                with db.cursor() as cur:
                    cur.execute(UPSERT, (voter_id, vote))
                break
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                log(f"Lost db connection: {reason(exc)}")
                db = with_retries("db", open_db)
            except psycopg2.Error as exc:  # e.g. a value too long for the column
                log(f"Rejected vote by '{voter_id}': {reason(exc)}")
                break


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # `docker stop` sends SIGINT (see STOPSIGNAL in the Dockerfile)
        log("Stopping")
