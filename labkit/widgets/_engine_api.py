"""What the dashboards read from the engine: the API calls they use and the compose labels."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["PROJECT_LABEL", "SERVICE_LABEL", "EngineApi"]

# The labels docker compose puts on the containers it creates.
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


class EngineApi(Protocol):
    """The part of ``docker.APIClient`` the dashboards read (a fake one in tests)."""

    def containers(self, all: bool = False) -> list[dict[str, Any]]:
        """Containers as ``GET /containers/json`` returns them."""
        ...

    def images(self) -> list[dict[str, Any]]:
        """Images as ``GET /images/json`` returns them."""
        ...

    def history(self, image: str) -> list[dict[str, Any]]:
        """Layers of ``image``, newest first, as ``GET /images/{name}/history`` returns them."""
        ...

    def inspect_image(self, image: str) -> dict[str, Any]:
        """Everything about ``image``, as ``GET /images/{name}/json`` returns it."""
        ...
