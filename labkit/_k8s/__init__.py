"""The course's Kubernetes side: an offline-built kind cluster and kubectl helpers."""
