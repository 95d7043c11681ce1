"""Chapter 13 exercises: a page from a ConfigMap, a rollback, a StorageClass of your own."""

from __future__ import annotations

from ..kubectl import exec_in, get, kubectl
from . import Failed, exercise, require

NAMESPACE = "ex13"
PAGE_TEXT = "Hello from a ConfigMap"


def _image(spec: dict) -> str:
    """The first container's image, without the registry and `library/` prefixes."""
    image = spec["template"]["spec"]["containers"][0]["image"]
    return image.removeprefix("docker.io/").removeprefix("library/")


@exercise(
    "13.configmap",
    "nginx serving a page from a ConfigMap",
    (
        "Make the ConfigMap from a literal whose key is `index.html`; in the Deployment, a "
        "`configMap` volume mounted where nginx looks for its pages."
    ),
)
def configmap_page() -> str:
    """ConfigMap site holds the text and a Pod of Deployment site serves it on /."""
    data = require("ConfigMap", "site", NAMESPACE).get("data") or {}
    if PAGE_TEXT not in data.get("index.html", ""):
        raise Failed(f"ConfigMap site has no key index.html containing {PAGE_TEXT!r}.")
    require("Deployment", "site", NAMESPACE)
    kubectl(f"rollout status deployment/site -n {NAMESPACE} --timeout=60s", timeout=90, check=False)
    pods = get("pods", namespace=NAMESPACE, selector="app=site")["items"]
    ready = [
        pod["metadata"]["name"]
        for pod in pods
        if not pod["metadata"].get("deletionTimestamp")
        and any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in pod.get("status", {}).get("conditions", [])
        )
    ]
    if not ready:
        raise Failed("Deployment site has no ready Pod (is its selector app=site?).")
    page = exec_in(ready[0], "curl -s http://127.0.0.1/", NAMESPACE)
    if PAGE_TEXT not in page.output:
        raise Failed(
            f"nginx in {ready[0]} answers {page.output.strip()[:80]!r}: is the ConfigMap "
            "mounted on /usr/share/nginx/html?"
        )
    return f"{ready[0]} serves the page of ConfigMap site."


@exercise(
    "13.rollback",
    "Update shop to nginx:1.22, then roll it back",
    (
        "`kubectl set image` changes the image, `kubectl rollout undo` goes back one "
        "revision; wait for each rollout."
    ),
)
def rollback() -> str:
    """Deployment shop runs nginx again, at revision ≥ 3, after a ReplicaSet of nginx:1.22."""
    missing = f"there is no Deployment shop in namespace {NAMESPACE}: run the set-up cell."
    require("Deployment", "shop", NAMESPACE, missing=missing)
    kubectl(f"rollout status deployment/shop -n {NAMESPACE} --timeout=60s", timeout=90, check=False)
    deployment = get("deployment", "shop", NAMESPACE)
    image = _image(deployment["spec"])
    revision = int(
        deployment["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", 0)
    )
    images = {
        _image(rs["spec"])
        for rs in get("replicasets", namespace=NAMESPACE, selector="app=shop")["items"]
    }
    if "nginx:1.22" not in images:
        raise Failed("shop was never updated to nginx:1.22 (no ReplicaSet has that image).")
    if image not in ("nginx", "nginx:latest"):
        raise Failed(f"shop runs {image}: roll it back with `kubectl rollout undo`.")
    if revision < 3:
        raise Failed(f"shop is at revision {revision}; a rollback makes revision 3.")
    status = deployment.get("status", {})
    if status.get("updatedReplicas") != status.get("replicas") or status.get(
        "availableReplicas"
    ) != deployment["spec"].get("replicas"):
        raise Failed("the rollback is still rolling out: `kubectl rollout status`.")
    return f"shop is back on {image} (revision {revision}), nginx:1.22 stays in its history."


@exercise(
    "13.storageclass",
    "A StorageClass ex13-fast and a PVC scratch bound with it",
    (
        "The class `standard` of the chapter is a model (read it as YAML); a claim names its "
        "class in `storageClassName`, and binds only once a Pod uses it."
    ),
)
def storage_class() -> str:
    """StorageClass ex13-fast exists; PVC scratch of that class is Bound to a PV of it."""
    klass = require("StorageClass", "ex13-fast")
    if klass.get("provisioner") != "rancher.io/local-path":
        raise Failed(f"ex13-fast's provisioner is {klass.get('provisioner')!r}.")
    require("PVC", "scratch", NAMESPACE)
    if kubectl(f"get pod scratch -n {NAMESPACE}", check=False).ok:
        kubectl(
            f"wait pod/scratch -n {NAMESPACE} --for=condition=Ready --timeout=60s",
            timeout=90,
            check=False,
        )
    claim = get("pvc", "scratch", NAMESPACE)
    if claim["spec"].get("storageClassName") != "ex13-fast":
        raise Failed(f"PVC scratch has class {claim['spec'].get('storageClassName')!r}.")
    phase = claim.get("status", {}).get("phase")
    if phase != "Bound":
        raise Failed(f"PVC scratch is {phase}: a Pod must use it (WaitForFirstConsumer).")
    volume = get("pv", claim["spec"]["volumeName"])
    return f"PVC scratch is Bound to a PV of class {volume['spec'].get('storageClassName')}."
