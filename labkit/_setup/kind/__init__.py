"""The course's kind cluster, built offline: its components, node image, add-ons, creation."""
