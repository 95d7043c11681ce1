"""Unit tests of the chat (no Redis needed: the app runs on a MemoryStore)."""

import unittest

from app import MemoryStore, create_app


class ChatTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = create_app(MemoryStore()).test_client()

    def test_page_shows_the_title(self) -> None:
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn("<h1>Chat</h1>", page)

    def test_a_message_is_read_back(self) -> None:
        answer = self.client.post("/messages", data={"nick": "ana", "text": "hello"})
        self.assertEqual(answer.status_code, 201)
        self.assertEqual(self.client.get("/messages").get_data(as_text=True), "ana: hello\n")

    def test_a_message_needs_a_nick(self) -> None:
        answer = self.client.post("/messages", data={"text": "hello"})
        self.assertEqual(answer.status_code, 400)

    def test_health(self) -> None:
        self.assertEqual(self.client.get("/healthz").get_data(as_text=True), "ok\n")


if __name__ == "__main__":
    unittest.main()
