import pytest

from labkit._errors import TimeoutExpired
from labkit._poll import NotYet, poll


def test_returns_the_first_answer():
    answers = iter([None, None, "ready"])
    assert poll(lambda: next(answers), timeout=5, what="x", fix="y", every=0) == "ready"


def test_gives_up_in_time_naming_the_last_reason():
    def probe():
        raise NotYet("2 of 3 endpoints ready")

    with pytest.raises(TimeoutExpired) as err:
        poll(probe, timeout=0.2, what="the Service web", fix="look at it", every=0.05)
    assert "the Service web" in str(err.value) and "2 of 3 endpoints ready" in str(err.value)
    assert "look at it" in str(err.value)


def test_retryable_errors_mean_not_yet_and_others_propagate():
    calls = iter([ConnectionError("refused"), 7])

    def probe():
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert poll(probe, timeout=5, what="x", fix="y", every=0, retry_on=(OSError,)) == 7
    with pytest.raises(KeyError):
        poll(lambda: {}["k"], timeout=5, what="x", fix="y", retry_on=(OSError,))


@pytest.fixture
def page_server():
    """A local HTTP server whose page names the Host header it was sent."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = f"host={self.headers['Host']}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join(5)
    server.server_close()


def test_wait_http_sends_headers_and_returns_the_page(page_server):
    from labkit import wait_http

    page = wait_http(page_server, expect="web.local", headers={"Host": "web.local"}, timeout=5)
    assert page == "host=web.local"


def test_wait_http_is_bounded_and_names_the_url_the_reason_and_the_fix(page_server):
    from labkit import wait_http

    with pytest.raises(TimeoutExpired) as err:
        wait_http(page_server, expect="nginx", timeout=0.3)
    message = str(err.value)
    assert message.startswith(f"Waited 0 s for {page_server} to answer with 'nginx', in vain")
    assert "the page did not contain 'nginx'" in message and "docker logs" in message


def test_wait_healthy_fails_at_once_for_an_exited_container(monkeypatch):
    from labkit._lesson import docker

    class Api:
        @staticmethod
        def inspect_container(name):
            return {"State": {"Status": "exited"}}

    class Client:
        api = Api()

    monkeypatch.setattr(docker, "client", lambda: Client())
    with pytest.raises(
        TimeoutExpired, match=r"Container c1 is not running and healthy \(state: exited\)"
    ):
        docker.wait_healthy("c1", timeout=30)
