"""The offline cluster's build logic, without building: go.mod directives, kind's sources,
component Dockerfiles, the kind configuration, manifest validation, Kubernetes masking."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from labkit import versions
from labkit._errors import RecipeError
from labkit._lesson.cluster import NODEPORT
from labkit._lesson.kubectl import ManifestError, documents
from labkit._lesson.normalise import normalise
from labkit._setup.gobuild import inherited_directives, kubernetes_ldflags
from labkit._setup.kind.cluster import kind_config
from labkit._setup.kind.components import K8S_RECIPES, Component, components
from labkit._setup.kind.kindsrc import go_manifest
from labkit._setup.kind.nodeimage import PAUSE_PLACEHOLDER, containerd_config, dockerfile

GO_MOD = """module k8s.io/kubernetes

require k8s.io/api v0.0.0 // indirect

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	github.com/gorilla/mux => github.com/containous/mux v0.0.0-2025 // a fork
)

replace github.com/abbot/go-http-auth => github.com/containous/go-http-auth v0.4.1

// ambiguous import
exclude github.com/tencentcloud/tencentcloud-sdk-go v3.0.83+incompatible
"""


def test_directives_keep_forks_and_excludes_and_map_staging_to_published_versions():
    assert inherited_directives(GO_MOD, "v0.34.4") == [
        "replace k8s.io/api => k8s.io/api v0.34.4",
        "replace github.com/gorilla/mux => github.com/containous/mux v0.0.0-2025",
        "replace github.com/abbot/go-http-auth => github.com/containous/go-http-auth v0.4.1",
        "exclude github.com/tencentcloud/tencentcloud-sdk-go v3.0.83+incompatible",
    ]


def test_local_replacements_are_dropped_without_a_staging_version():
    assert not any(
        "staging" in line or "k8s.io/api" in line for line in inherited_directives(GO_MOD)
    )


def test_kubernetes_binaries_report_their_version():
    flags = kubernetes_ldflags("v1.34.4")
    assert "-X k8s.io/component-base/version.gitVersion=v1.34.4" in flags
    assert "-X k8s.io/client-go/pkg/version.gitMinor=34" in flags


GO_SOURCE = """package nodeimage

const image = "docker.io/kindest/helper:v1"

const manifest = `
kind: Pod
image: ` + image + `
command: [sh]
`
"""


def test_go_manifest_joins_raw_strings_and_constants():
    assert (
        go_manifest(GO_SOURCE, "manifest")
        == "\nkind: Pod\nimage: docker.io/kindest/helper:v1\ncommand: [sh]\n"
    )


def test_go_manifest_names_a_missing_constant():
    with pytest.raises(Exception, match="no longer defines missing"):
        go_manifest(GO_SOURCE, "missing")


def test_component_dockerfiles():
    bases = {"debian": "debian:bookworm", "netfilter": "labkit/k8s-netfilter:abc"}
    pause = Component("registry.k8s.io/pause:3.10.1", "pause", "scratch", "/pause", True, "65535")
    assert dockerfile(pause, bases) == (
        "FROM scratch\nLABEL org.dockerplusplus.image=registry.k8s.io/pause:3.10.1\n"
        'COPY pause /pause\nENTRYPOINT ["/pause"]\nUSER 65535:65535\n'
    )
    proxy = Component("registry.k8s.io/kube-proxy:v1.34.4", "kube-proxy", "netfilter")
    assert dockerfile(proxy, bases) == (
        "FROM labkit/k8s-netfilter:abc\n"
        "LABEL org.dockerplusplus.image=registry.k8s.io/kube-proxy:v1.34.4\n"
        "COPY kube-proxy /usr/local/bin/kube-proxy\n"
    )


def test_every_component_has_a_distinct_image_name():
    images = [c.image for c in components(("a/provisioner:1", "a/helper:1"))]
    assert len(images) == len(set(images))
    assert versions.PAUSE_IMAGE in images


def test_kind_config_has_three_nodes_and_loopback_ports():
    config = yaml.safe_load(kind_config())
    assert [n["role"] for n in config["nodes"]] == ["control-plane", "worker", "worker"]
    ports = config["nodes"][0]["extraPortMappings"]
    assert {p["listenAddress"] for p in ports} == {"127.0.0.1"}
    assert NODEPORT in {p["hostPort"] for p in ports}


def test_kind_config_lets_kubelets_start_on_cgroup_v1():
    patches = [yaml.safe_load(p) for p in yaml.safe_load(kind_config())["kubeadmConfigPatches"]]
    assert {"kind": "KubeletConfiguration", "failCgroupV1": False} in patches


def test_the_nodes_containerd_config_names_the_pinned_pause_image():
    template = (K8S_RECIPES / "node" / "containerd" / "config.toml").read_text()
    config = containerd_config(template)
    assert f'sandbox_image = "{versions.PAUSE_IMAGE}"' in config
    assert PAUSE_PLACEHOLDER not in config
    with pytest.raises(RecipeError, match="placeholder"):
        containerd_config("version = 2\n")


def test_a_malformed_manifest_names_its_document_and_line():
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [x\n"
    with pytest.raises(ManifestError, match=r"document 2, line 7"):
        documents(text)


def test_a_document_without_kind_is_refused():
    with pytest.raises(ManifestError, match="document 2 is not a Kubernetes object"):
        documents("apiVersion: v1\nkind: Namespace\n---\nname: x\n")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (
            "nginx-1-7d4f8b9c6d-x2kq7   1/1     Running   0          2m30s",
            "nginx-1-<hash>-<id>  1/1  Running  0  <age>",
        ),
        (
            "kube-proxy-x7k2p   1/1   Running   1 (5m ago)   45m",
            "kube-proxy-<id>  1/1  Running  1 (<age> ago)  <age>",
        ),
        ("      cpu:     256m", "  cpu:  256m"),
        ('  resourceVersion: "12345"', '  resourceVersion: "<n>"'),
        ("  uid: 3f2a1c4e-1b2c-4d5e-8f90-123456789abc", "  uid: <uuid>"),
        (
            "kube-scheduler   course-control-plane_041434e9-c1b3-4e7f-a448-aea722716bc4   15",
            "kube-scheduler  course-control-plane_<uuid>  15",
        ),
        (
            "course-worker   Ready    <none>   12m   v1.34.4",
            "course-worker  Ready  <none>  <age>  v1.34.4",
        ),
    ],
)
def test_kubernetes_outputs_are_masked(raw, masked):
    assert normalise(raw) == masked


def test_programs_of_one_module_with_the_same_flags_build_in_one_go_build():
    from labkit._setup.engine_tools import ENGINE_PROGRAMS
    from labkit._setup.gobuild import GoProgram, _batches
    from labkit._setup.kind.components import KUBERNETES_PROGRAMS

    assert [len(batch) for batch in _batches(list(KUBERNETES_PROGRAMS))] == [7]
    containerd = [p for p in ENGINE_PROGRAMS if p.module.endswith("containerd/v2")]
    assert [[p.name for p in b] for b in _batches(containerd)] == [
        ["containerd", "containerd-shim-runc-v2", "ctr"]
    ]
    moby = [p for p in ENGINE_PROGRAMS if p.name in ("dockerd", "docker-proxy")]
    assert len(_batches(moby)) == 2  # different linker flags
    renamed = [GoProgram("a", "m", "v1", "m/cmd/x"), GoProgram("b", "m", "v1", "m/cmd/y")]
    assert len(_batches(renamed)) == 2  # a binary named unlike its package is built alone


def test_an_addon_manifest_is_rendered_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from labkit._setup.kind import addons

    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))
    calls = []
    monkeypatch.setitem(addons.ADDONS, "traefik", lambda: calls.append(1) or "kind: X\n")
    assert addons.manifest("traefik") == "kind: X\n"
    assert addons.manifest("traefik") == "kind: X\n"
    assert calls == [1]
    assert [p.name[:8] for p in (tmp_path / "addons").iterdir()] == ["traefik-"]


# --- a dependency built from an edited copy (gobuild.ModuleEdit) -----------------------------


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A read-only module folder, as the module cache holds one; the cache in tmp_path."""
    from labkit._setup import gobuild

    folder = tmp_path / "published"
    for name, text in {"zplugin.go": PLUGINS, "p/list.go": "package p\n"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    for path in (folder / "p", folder):
        path.chmod(0o555)
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(gobuild, "module_dir", lambda module, version: folder)
    yield folder
    for path in (folder, folder / "p"):
        path.chmod(0o755)


PLUGINS = 'package plugin\n\nimport (\n\t_ "m/plugin/a"\n\t_ "m/plugin/cloud"\n)\n'


def test_an_edited_module_replaces_files_and_drops_plugin_imports(published):
    from labkit._setup import gobuild

    edits = (
        gobuild.ModuleEdit("m", "zplugin.go", drop_imports=("m/plugin/cloud",)),
        gobuild.ModuleEdit("m", "p/list.go", content="package p // short\n"),
    )
    folder = gobuild._edited_module("m", "v1", edits)
    assert (folder / "zplugin.go").read_text() == PLUGINS.replace('\t_ "m/plugin/cloud"\n', "")
    assert (folder / "p" / "list.go").read_text() == "package p // short\n"
    assert (published / "zplugin.go").read_text() == PLUGINS  # the cache's copy untouched
    assert gobuild._edited_module("m", "v1", edits) == folder  # made once
    assert [path.name for path in folder.parent.iterdir()] == [folder.name]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("zplugin.go", None, ("m/plugin/gone",)), "no longer imports m/plugin/gone"),
        (("renamed.go", "package p\n", ()), "has no file renamed.go"),
    ],
)
def test_an_edit_that_no_longer_applies_is_an_error_and_leaves_no_copy(published, edit, message):
    from labkit._errors import LabkitError
    from labkit._setup import gobuild

    with pytest.raises(LabkitError, match=message):
        gobuild._edited_module("m", "v1", (gobuild.ModuleEdit("m", *edit),))
    assert not any((published.parent / "cache" / "go-src").iterdir())


def test_an_edit_says_what_it_changes():
    from labkit._setup.gobuild import ModuleEdit

    with pytest.raises(ValueError, match="give `content` or `drop_imports`"):
        ModuleEdit("m", "zplugin.go")


def test_the_wrapper_replaces_an_edited_dependency_by_its_copy(published, monkeypatch):
    from labkit._errors import LabkitError
    from labkit._setup import gobuild

    go_mod = "module m\n\nrequire (\n\tdep v1.2.0\n)\n"
    monkeypatch.setattr(gobuild, "module_dir", lambda module, version: published)
    (published / "zplugin.go").chmod(0o644)
    published.chmod(0o755)
    (published / "go.mod").write_text(go_mod)
    tidied = []
    monkeypatch.setattr(gobuild, "sh", lambda command, **kwargs: tidied.append(command))
    monkeypatch.setattr(gobuild, "_writable_copy", plain_copy)
    plain = gobuild.GoProgram("x", "m", "v1", "m/cmd/x")
    folder = gobuild._wrapper([plain])
    assert "replace" not in (folder / "go.mod").read_text()
    edit = gobuild.ModuleEdit("dep", "zplugin.go", drop_imports=("m/plugin/cloud",))
    edited = gobuild.GoProgram("x", "m", "v1", "m/cmd/x", edits=(edit,))
    assert edited.binary != plain.binary
    gobuild._wrapper([edited])  # the wrapper of a build without edits is made again
    (line,) = [x for x in (folder / "go.mod").read_text().splitlines() if "replace" in x]
    copy = line.removeprefix("replace dep => ")
    assert copy.startswith(str(published.parent / "cache" / "go-src" / "dep@v1.2.0-"))
    assert 'cloud"' not in (Path(copy) / "zplugin.go").read_text()
    gobuild._wrapper([edited])
    assert tidied == ["go mod tidy"] * 2  # the third call found it made
    (published / "go.mod").write_text(go_mod + "replace dep => ./fork\n")
    with pytest.raises(LabkitError, match="m replaces dep"):
        gobuild._wrapper([edited])


def plain_copy(module, version, folder):
    """`gobuild._writable_copy` without its chmod (`sh` is a recorder in the test)."""
    import shutil

    from labkit._setup import gobuild

    shutil.copytree(gobuild.module_dir(module, version), folder)


def test_the_version_of_a_dependency_is_read_from_the_go_mod():
    from labkit._errors import LabkitError
    from labkit._setup.gobuild import required_version

    go_mod = (
        "module t\n\nrequire (\n\tgithub.com/a/b v1.2.3 // indirect\n)\nrequire c/d v0.1.0\n"
        "exclude (\n\te/f v0.0.1\n)\n"
    )
    assert required_version(go_mod, "github.com/a/b") == "v1.2.3"
    assert required_version(go_mod, "c/d") == "v0.1.0"
    for absent in ("github.com/a", "e/f"):  # a prefix; an excluded version
        with pytest.raises(LabkitError, match=f"no longer requires {absent}"):
            required_version(go_mod, absent)


def test_programs_of_one_module_share_their_edits():
    from labkit._setup.gobuild import GoProgram, ModuleEdit, build

    edit = ModuleEdit("m", "f.go", content="package f\n")
    with pytest.raises(ValueError, match="one set of edits"):
        build([GoProgram("x", "m", "v1", "m/x", edits=(edit,)), GoProgram("y", "m", "v1", "m/y")])


def test_the_cluster_leaves_out_traefiks_dns_providers_and_corednss_cloud_plugins():
    from labkit._setup.kind.components import ADDON_PROGRAMS

    edits = {p.name: p.edits for p in ADDON_PROGRAMS if p.edits}
    assert sorted(edits) == ["coredns", "traefik"]
    (lego,) = edits["traefik"]
    assert lego.module == "github.com/go-acme/lego/v4" and "func NewDNSChallenge" in lego.content
    (plugins,) = edits["coredns"]
    assert "github.com/coredns/coredns/plugin/route53" in plugins.drop_imports
    assert "github.com/coredns/coredns/plugin/kubernetes" not in plugins.drop_imports
