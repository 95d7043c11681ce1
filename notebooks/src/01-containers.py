# %% [markdown]
# # 01 · Containers and the OCI
#
# This chapter follows the deck's part **« Conteneurisation »**: the slides *Conteneurisation*
# (isolating each service, containers and virtual machines), *The Open Container Initiative
# (OCI)* (runtime-spec, image-spec, distribution-spec, `runc`, `runhcs`) and *`containerd`*.
#
# **What you will learn**
# - what a container is for the Linux kernel: an ordinary process, isolated by
#   **namespaces** and limited by **cgroups** — shown on a real container;
# - the three OCI specifications, each seen at work: a **bundle** run by `runc`
#   (runtime-spec), a registry's **HTTP API** (distribution-spec), an image's **manifest,
#   config and layers** (image-spec);
# - where **`containerd`** sits between Docker and `runc`, seen with its own CLI, `ctr`.
#
# **Prerequisites**: chapter 00 (how `%%terminal` cells and checks work). The commands run
# as root on the engine's host, because they read other processes' `/proc` and run `runc`.

# %%
import labkit

labkit.chapter("01-containers")

# %% [markdown]
# ## Isolating a service (*Conteneurisation*)
#
# > A container **isolates** each service: the web server, the database, an application run
# > independently, each in its own container holding only the dependencies it needs.
# > (deck, translated)
#
# ![Virtual machines each carry a guest OS and its kernel on a hypervisor; containers share
# the host's kernel](../images/container-vs-vm.svg)
#
# A virtual machine emulates a whole computer, and boots its own operating system and kernel
# on it. A container boots nothing: it is a **process of the host**, started by the host's
# kernel like any other, that the kernel shows a different view of the machine
# (**namespaces**) and lets use only part of it (**cgroups**). Let us check this on a real
# container, which only sleeps:

# %%
# %%terminal
docker run -d --name oci-demo debian:bookworm sleep infinity

# %% [markdown]
# ### A container is a process
#
# Inside the container, `sleep` is **PID 1**, the first process, like `init` on a machine:

# %%
# %%terminal
docker exec oci-demo cat /proc/1/cmdline | tr '\0' ' '

# %% [markdown]
# The host sees the same process, as root's `sleep infinity`, with an ordinary PID: `docker
# inspect` gives it. The kernel's `NSpid` line lists the PIDs of a process in each PID
# namespace it belongs to: the host's PID (replaced here by `$PID`, because the number changes
# at every run), then 1 in the container's.

# %%
# %%terminal
PID=$(docker inspect -f '{{.State.Pid}}' oci-demo) && \
  ps -o user,args -p $PID && \
  grep NSpid /proc/$PID/status | sed "s/$PID/\$PID/"

# %% [markdown]
# ### Namespaces: what the process sees
#
# Each namespace of a process is a link in `/proc/PID/ns/`. Two processes in the same
# namespace have the same link. Compare the container's with those of a process of the host:
# `/proc/self` is the process that reads it, here `readlink`, started by our shell on the
# host.

# %%
# %%terminal
PID=$(docker inspect -f '{{.State.Pid}}' oci-demo) && \
for ns in pid net mnt uts ipc user cgroup; do \
  if [ "$(readlink /proc/$PID/ns/$ns)" = "$(readlink /proc/self/ns/$ns)" ]; \
  then echo "$ns: the host's"; else echo "$ns: own"; fi; \
done

# %% [markdown]
# Docker gave the container its own **pid** (process numbers), **net** (network interfaces,
# addresses, ports), **mnt** (mounted filesystems: the image's files as `/`), **uts**
# (hostname) and **ipc** (shared memory, message queues) namespaces. It kept the host's
# **user** namespace: root in the container is root on the host, only with fewer
# *capabilities* (Docker can remap it with `userns-remap`). It kept the **cgroup** namespace
# too: that is Docker's default on cgroup v1 machines like this one; on cgroup v2 machines
# the container gets its own (the next section explains the two versions). Docker 29 also
# gives it its own **time** namespace, which the loop does not check (containerd's copy of
# its spec, at the end of the chapter, lists it): its clocks read like the host's, as no
# offset is set.
#
# What that changes, seen from inside: its own network interfaces, its own hostname (Docker
# uses the container's short ID), the Debian userland of its image, but the host's kernel:

# %%
# %%terminal
docker exec oci-demo ls /sys/class/net
docker exec oci-demo hostname
[ "$(docker exec oci-demo hostname)" != "$(hostname)" ] && echo "not the host's hostname"
docker exec oci-demo grep PRETTY_NAME /etc/os-release
[ "$(docker exec oci-demo uname -r)" = "$(uname -r)" ] && echo "same kernel as the host"

# %% [markdown]
# ### Cgroups: what the process may use
#
# Control groups (cgroups) count and limit the resources of a group of processes: memory,
# CPU, number of processes, I/O. The kernel shows them as files under `/sys/fs/cgroup/`: a
# group is a folder, each file in it a setting or a counter. There are two versions of that
# filesystem:
#
# - **cgroup v2**, the default of current Linux distributions (Debian since 11, Ubuntu since
#   21.10, Fedora since 31, RHEL since 9): **one tree** holds every group.
#   `/proc/PID/cgroup` has one line, `0::/path/of/the/group`, and the group's folder holds
#   every controller's files: `memory.max` (the memory limit, `max` for none),
#   `memory.current`, `memory.events` (its `oom_kill` line counts the kills), `cpu.max`,
#   `pids.max`.
# - **cgroup v1**, the older layout: **one tree per controller**, `/sys/fs/cgroup/memory/`,
#   `/sys/fs/cgroup/cpu/`..., each with its own file names — `memory.limit_in_bytes` for the
#   limit (a huge number for none), `memory.oom_control` for the kills. `/proc/PID/cgroup`
#   has one line per tree.
#
# `stat -fc %T /sys/fs/cgroup/` tells which: `cgroup2fs` is v2; `tmpfs` (a folder holding
# one mount per controller) is v1. This machine, like some CI sandboxes, runs **v1**, so the
# outputs below are v1's; each command works on both.

# %%
# %%terminal
stat -fc %T /sys/fs/cgroup/

# %% [markdown]
# Where does the container's process sit? Docker puts each container in a group of its
# own, named after the container's ID (`/docker/<id>` here; `/system.slice/docker-<id>.scope`
# on a v2 machine managed by systemd). Here it is once per controller tree; the last line,
# `0::`, is its place in the v2 tree, which a v1 machine mounts too (under
# `/sys/fs/cgroup/unified/`) but uses for no controller. On a v2 machine that line is the
# only one:

# %%
# %%terminal
cat /proc/$(docker inspect -f '{{.State.Pid}}' oci-demo)/cgroup

# %% [markdown]
# The chapter's folder ships a small script, `cgroup-file.sh`, that prints a file of a
# container's memory group, whichever the version — give it the file's v2 name and its v1
# name:

# %%
# %%terminal
cat ../cgroup-file.sh

# %% [markdown]
# The container was started with no limit: its memory limit reads `max` on v2, and on v1
# the largest number the kernel takes (2⁶³ − 1, rounded down to a whole 4 KiB page).
# `docker update` changes the limits of a running container (`docker run --memory` sets them
# at start); the kernel's file changes with it. Inside the container, the same group is at
# the top of `/sys/fs/cgroup/` (v2, where Docker gives the container its own cgroup
# namespace) or of `/sys/fs/cgroup/memory/` (v1):

# %%
# %%terminal
bash ../cgroup-file.sh oci-demo memory.max memory.limit_in_bytes
docker update --memory 128m --memory-swap 128m oci-demo
bash ../cgroup-file.sh oci-demo memory.max memory.limit_in_bytes
docker exec oci-demo sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes'

# %% [markdown]
# 134217728 bytes are 128 MiB (`--memory-swap` equal to `--memory` means: no swap on top).
# The kernel enforces it: `tail` keeps its last line in memory, and `/dev/zero` is one
# endless line, so `tail` grows until the kernel's OOM killer kills it (exit code 137 =
# 128 + signal 9, `SIGKILL`). The cgroup counts the kill (`memory.events` on v2,
# `memory.oom_control` on v1):

# %%
# %%terminal --allow-fail
docker exec oci-demo sh -c 'head -c 300m /dev/zero | tail > /dev/null'
bash ../cgroup-file.sh oci-demo memory.events memory.oom_control | grep -w oom_kill

# %% [markdown]
# Namespaces and cgroups are all there is: no hypervisor, no guest kernel. That is why a
# container starts in a fraction of a second, and why all containers of a host depend on its
# one kernel.

# %% [markdown]
# ## The Open Container Initiative (*The Open Container Initiative (OCI)*)
#
# ![Docker, the kubelet and nerdctl drive containerd, which starts a shim per container; the
# shim calls runc, which asks the Linux kernel; the three OCI specifications govern these
# layers](../images/oci-stack.svg)
#
# Docker made containers popular in 2013. In 2015, Docker, CoreOS, Google, Microsoft and
# others founded the **Open Container Initiative** (OCI) to standardise them, so that images
# and tools work together whatever their vendor. It publishes three specifications:
#
# | Specification | What it defines | Seen below with |
# |---|---|---|
# | [runtime-spec](https://github.com/opencontainers/runtime-spec) | how to run a container from a **bundle**: a `config.json` and a root filesystem | `runc` |
# | [image-spec](https://github.com/opencontainers/image-spec) | what an image is: a **manifest**, a **config** and **layers** | the registry's JSON |
# | [distribution-spec](https://github.com/opencontainers/distribution-spec) | the registry's HTTP API to push and pull images (`/v2/...`) | `curl` |
#
# [`runc`](https://github.com/opencontainers/runc) is the reference implementation of the
# runtime-spec: a command-line tool that asks the Linux kernel for namespaces, cgroups and
# mounts, then starts the container's process. Docker gave its code to the OCI. Other
# runtimes implement the same spec, such as
# [`runhcs`](https://github.com/Microsoft/hcsshim) for Windows
# containers (a fork of `runc` on Windows' Host Compute Service), `crun` (in C) or gVisor's
# `runsc`.
#
# > 📝 **Deck note** — the deck says that `runc` implements *these specifications* (all
# > three). `runc` implements only the **runtime-spec**: it neither pulls nor unpacks images.
# > The image-spec and the distribution-spec are implemented by registries and by the tools
# > that pull images and unpack them into bundles: `containerd`, Docker, Podman.
#
# ### The runtime-spec: a bundle run by `runc`
#
# A **bundle** is a folder holding the container's root filesystem (`rootfs/`) and its
# configuration (`config.json`). Any folder of files will do as the root filesystem; here we
# take the files of the `debian:bookworm` image, exported from a container that Docker creates
# but never starts:

# %%
# %%terminal
mkdir -p bundle/rootfs
docker create --name oci-rootfs debian:bookworm
docker export oci-rootfs | tar -C bundle/rootfs -x
docker rm oci-rootfs
ls -x bundle/rootfs

# %% [markdown]
# `runc spec` writes a default `config.json`. It runs `sh` on a terminal, for a human; we
# make it run a command with no terminal, since a notebook cell has none.

# %%
# %%terminal
runc spec --bundle bundle
python3 - <<'EOF'
import json

with open("bundle/config.json") as file:
    spec = json.load(file)
spec["process"]["terminal"] = False
spec["process"]["args"] = [
    "sh", "-c", "echo Hello from runc, I am PID $$ on $(hostname); ls /sys/class/net"
]
with open("bundle/config.json", "w") as file:
    json.dump(spec, file, indent=2)
EOF

# %% [markdown]
# The main parts of the configuration: the spec's version, the process to run (with its
# capabilities, a short list of root's privileges), the root filesystem (read-only), the
# hostname and the namespaces to create (on a cgroup v2 machine `runc spec` adds `cgroup`):

# %%
# %%terminal
python3 - <<'EOF'
import json

with open("bundle/config.json") as file:
    spec = json.load(file)
print("ociVersion:", spec["ociVersion"])
print("process.args:", spec["process"]["args"])
print("process.capabilities.bounding:", spec["process"]["capabilities"]["bounding"])
print("root:", spec["root"])
print("hostname:", spec["hostname"])
print("linux.namespaces:", [ns["type"] for ns in spec["linux"]["namespaces"]])
EOF

# %% [markdown]
# `runc run ID` creates the container from the bundle, runs it in the foreground, and deletes
# it when its process ends. No Docker is involved:

# %%
# %%terminal
runc run --bundle bundle oci-bundle
runc list

# %% [markdown]
# The process was PID 1 of its own PID namespace, with its own hostname, and its network
# namespace holds only `lo`: `runc` creates the namespaces that `config.json` asks for, but
# plugging a network into one is the job of the tool above it (Docker, chapter 02). `runc
# list` is empty: the container is gone.
#
# The runtime-spec also defines a container's **lifecycle**: *create* (namespaces, cgroups
# and mounts are ready, the process is not started), *start*, *kill*, *delete*, and *state*
# to read where it is. `runc` has one command for each. This time the container sleeps; it
# inherits `runc`'s output, so we send that to `/dev/null` (else the cell would wait for the
# output to close):

# %%
# %%terminal
python3 - <<'EOF'
import json

with open("bundle/config.json") as file:
    spec = json.load(file)
spec["process"]["args"] = ["sleep", "infinity"]
with open("bundle/config.json", "w") as file:
    json.dump(spec, file, indent=2)
EOF
runc create --bundle bundle oci-sleeper > /dev/null 2>&1
runc list | awk '{print $1, $3}'
runc start oci-sleeper
runc list | awk '{print $1, $3}'
runc kill oci-sleeper KILL
timeout 10 sh -c 'until runc state oci-sleeper | grep -q stopped; do sleep 0.1; done'
runc list | awk '{print $1, $3}'
runc delete oci-sleeper
runc list | awk '{print $1, $3}'

# %% [markdown]
# ### The distribution-spec: a registry's HTTP API
#
# A registry is an HTTP server whose API starts with `/v2/`. The course's mirror
# (`127.0.0.1:5001`, chapter 00) speaks it; so do Docker Hub, GitHub's and GitLab's
# registries. `/v2/` answers `{}` when the API is there, and `tags/list` lists the tags of
# a repository. `_catalog`, the list of every repository, is an extra of Docker's registry
# software, which the mirror runs: the OCI spec left it out, and many registries do not
# offer it.

# %%
# %%terminal
curl -s http://127.0.0.1:5001/v2/
curl -s http://127.0.0.1:5001/v2/_catalog
curl -s http://127.0.0.1:5001/v2/library/nginx/tags/list

# %% [markdown]
# ### The image-spec: manifest, config, layers
#
# An image is not one file. Pulling `nginx:latest` starts with its **manifest**, a small JSON
# document that lists the image's parts, each by its media type, size and **digest**. The
# `Accept` header says which manifest formats the client understands:

# %%
# %%terminal
curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' -o nginx-manifest.json http://127.0.0.1:5001/v2/library/nginx/manifests/latest
python3 -m json.tool nginx-manifest.json

# %% [markdown]
# The manifest points to one **config** (the image's settings and history) and to its
# **layers**, gzipped tarballs of files that are stacked, in order, to make the container's
# root filesystem.
#
# > 📝 **Media types** — the OCI image-spec was written from Docker's *image manifest v2,
# > schema 2* (`application/vnd.docker.distribution.manifest.v2+json`), with the same
# > structure; registries and engines read both. Docker 29 pushes OCI manifests
# > (`application/vnd.oci.image.manifest.v1+json`), as the mirror shows; one manifest may mix
# > the two kinds — here the last layer still carries Docker's
# > `vnd.docker.image.rootfs.diff.tar.gzip` — and engines read both. Ask this registry for Docker's type only, and it refuses: "OCI manifest
# > found, but accept header does not support OCI manifests".
#
# **Content addressing**: a digest is `sha256:` followed by the SHA-256 of the content itself.
# A blob is fetched by its digest, and whoever fetches it can check it got exactly that. The
# registry gives the digest of the manifest in a header:

# %%
# %%terminal
curl -sI -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://127.0.0.1:5001/v2/library/nginx/manifests/latest | grep -i '^docker-content-digest'
sha256sum nginx-manifest.json

# %% [markdown]
# Same hash (the outputs are real; on your machine the digests differ from the recorded ones,
# but both lines agree). Now fetch the config blob by the digest the manifest gives, and
# hash it:

# %%
# %%terminal
CONFIG=$(python3 -c 'import json; print(json.load(open("nginx-manifest.json"))["config"]["digest"])') && \
  curl -s -o nginx-config.json http://127.0.0.1:5001/v2/library/nginx/blobs/$CONFIG && \
  COMPUTED=sha256:$(sha256sum nginx-config.json | cut -d' ' -f1) && \
  echo "digest in the manifest: $CONFIG" && \
  echo "sha256 of the blob:     $COMPUTED" && \
  if [ "$CONFIG" = "$COMPUTED" ]; then echo match; else echo MISMATCH; fi

# %% [markdown]
# Which digest is the **image ID** that `docker images` shows (its first 12 characters)?
# Docker 29 keeps its images in containerd, where an image is a name pointing to its
# **manifest** — or to an *index* of manifests, for a multi-platform image or one that
# BuildKit built (chapter 02). Docker shows that digest as the image ID: here the
# `Docker-Content-Digest` above. Engines that keep images in their own store (Docker's classic *graphdrivers*, the
# default on Linux before Docker 29) show the config's digest instead. Either way, the same
# ID means the same image. The config holds what `docker run` needs besides the files:
# platform, default command, environment... and the list of the layers' `diff_ids`, the
# digests of the *uncompressed* tarballs, and the history of the build:

# %%
# %%terminal
python3 - <<'EOF'
import json

with open("nginx-config.json") as file:
    config = json.load(file)
print("architecture:", config["architecture"], "| os:", config["os"])
print("config.Cmd:", config["config"]["Cmd"])
print("rootfs.diff_ids:")
for diff_id in config["rootfs"]["diff_ids"]:
    print("  ", diff_id)
print("history:")
for step in config["history"]:
    kind = "(no layer)" if step.get("empty_layer") else "(layer)   "
    print("  ", kind, step.get("created_by", step.get("comment", ""))[:80])
EOF

# %% [markdown]
# The config's **history** has one entry per build step, but only three steps made a
# **layer** (the imported Debian base, the `apt-get install`, the `COPY`); the others only
# changed the config. So nginx is three layers but eight history entries — `docker history`
# (chapter 02) lists the entries. A layer blob is an ordinary gzipped tarball, here the
# last one, made by the `COPY`:

# %%
# %%terminal
LAYER=$(python3 -c 'import json; print(json.load(open("nginx-manifest.json"))["layers"][-1]["digest"])') && \
  curl -s http://127.0.0.1:5001/v2/library/nginx/blobs/$LAYER | tar -tz

# %% [markdown]
# So pulling an image means: get the manifest, then each blob it lists (skipping the layers
# already here, which is why images that share a base share its download), checking every
# digest. Chapter 02 does it with `docker pull`.

# %% [markdown]
# ## containerd (*`containerd`*)
#
# `containerd` is the runtime that container managers build on today. It grew inside
# Docker, which gave it to the CNCF in 2017; it graduated there in 2019. It pulls and
# stores images, prepares root filesystems, runs and supervises containers — through `runc`.
# Docker drives it, and so does Kubernetes' kubelet (through the *Container Runtime
# Interface*, CRI).
#
# Here `dockerd` started its own `containerd`, with a configuration file it wrote: the gRPC
# socket is in its `[grpc]` section.

# %%
# %%terminal
grep -A1 '^\[grpc\]' /run/docker/containerd/containerd.toml
stat -c '%F: %n' /run/docker/containerd/containerd.sock

# %% [markdown]
# (Where `containerd` runs as a system service of its own, as with Docker's packages under
# systemd, its socket is `/run/containerd/containerd.sock`.)
#
# `ctr` is containerd's low-level command-line client. containerd separates its clients with
# **namespaces** (its own, not the kernel's): Docker uses `moby` (and `moby_history`, where
# BuildKit keeps the records of its builds).
#
# Each `ctr` call starts with the deprecation warnings containerd reports, here one: its
# support for **cgroup v1**, deprecated since containerd 2.2, goes by May 2029 at the latest. This machine's kernel still mounts cgroup v1 (`docker info`
# says `Cgroup Version: 1`); on a cgroup v2 machine — current Linux distributions, Docker
# Desktop — the line is not there.

# %%
# %%terminal
ctr --address /run/docker/containerd/containerd.sock namespaces ls

# %% [markdown]
# Docker's containers are containerd containers, with the same full ID. The engine runs
# others too (the course's registries), so we keep `oci-demo`'s line: a containerd
# **container** is the metadata (its OCI runtime config), a **task** is its running process.
# The `IMAGE` column names the container's image: Docker 29 keeps its images in
# containerd's image store (the storage driver `overlayfs` of chapter 00 is containerd's
# snapshotter). An engine with the classic storage drivers (`overlay2`) shows `-` there.

# %%
# %%terminal
docker ps --no-trunc --filter name=oci-demo --format '{{.ID}}  {{.Names}}  {{.Status}}'
ctr --address /run/docker/containerd/containerd.sock -n moby containers ls | grep -E "^CONTAINER|$(docker inspect -f '{{.Id}}' oci-demo)"
ctr --address /run/docker/containerd/containerd.sock -n moby tasks ls | grep -E "^TASK|$(docker inspect -f '{{.Id}}' oci-demo)" | awk '{print $1, $3}'

# %% [markdown]
# What containerd keeps for a container is an OCI runtime configuration, which `dockerd`
# wrote from the image's config and the options of `docker run`: the same kind of document as
# our `config.json`. Its namespaces are `runc`'s five plus `time`; no `cgroup` (this
# machine's cgroup v1) and no `user`, as the loop at the start of the chapter found.

# %%
# %%terminal
ctr --address /run/docker/containerd/containerd.sock -n moby containers info $(docker inspect -f '{{.Id}}' oci-demo) | \
  python3 -c 'import json, sys; spec = json.load(sys.stdin)["Spec"]; print(spec["ociVersion"], spec["process"]["args"], [ns["type"] for ns in spec["linux"]["namespaces"]])'

# %% [markdown]
# To run it, containerd writes that configuration into a bundle on disk and starts a
# **shim**, `containerd-shim-runc-v2`, one per container. The shim calls `runc` to create and
# start the container; `runc` exits once the process runs, and the shim stays as its parent,
# keeping its output and exit status. So the parent of `oci-demo`'s `sleep` is the shim, and `runc` (pointed to Docker's
# state folder) knows the container and its bundle, a folder with a `config.json` and a
# `rootfs` like ours:

# %%
# %%terminal
PID=$(docker inspect -f '{{.State.Pid}}' oci-demo) && tr '\0' ' ' < /proc/$(ps -o ppid= -p $PID | tr -d ' ')/cmdline
runc --root /run/docker/runtime-runc/moby state $(docker inspect -f '{{.Id}}' oci-demo) | grep -E '"(status|bundle)"'
ls /run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/$(docker inspect -f '{{.Id}}' oci-demo)

# %% [markdown]
# The chain is **`docker` → `dockerd` → `containerd` → shim → `runc` → kernel**. Chapter 02
# shows it in the host's process tree.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — the host's network
#
# Some containers need the host's network as it is (a network monitor, a service that must
# see every interface). Start a container named `ex01-net`, from `debian:bookworm`, running
# `sleep infinity`, that shares the **host's network namespace** instead of getting its own.
# Check it yourself with `/proc/PID/ns/net`, like above.

# %%
# %%terminal
# your commands here

# %%
labkit.check("01.host-network")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 01.host-network
docker run -d --name ex01-net --network host debian:bookworm sleep infinity
PID=$(docker inspect -f '{{.State.Pid}}' ex01-net) && \
  [ "$(readlink /proc/$PID/ns/net)" = "$(readlink /proc/self/ns/net)" ] && echo "net: the host's"

# %% [markdown]
# ### Exercise 2 — a memory limit
#
# Start a container named `ex01-limited`, from `debian:bookworm`, running `sleep infinity`,
# limited to **64 MiB** of memory from the start. Then find that limit in the container's
# memory cgroup, in bytes (the check reads it there too, on cgroup v2 or v1).

# %%
# %%terminal
# your commands here

# %%
labkit.check("01.memory-limit")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 01.memory-limit
docker run -d --name ex01-limited --memory 64m debian:bookworm sleep infinity
bash ../cgroup-file.sh ex01-limited memory.max memory.limit_in_bytes

# %% [markdown]
# ### Exercise 3 — counting layers
#
# How many **layers** (not history entries) does `nginx:latest` have in the registry
# mirror? Find it from the registry's API, and put the number in `answer`.

# %%
answer = None  # the number of layers

# %%
labkit.check("01.layers", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 01.layers.
print("[exercise 01.layers: the steps, then the check]")
# Count the "layers" of the manifest (labkit.Registry reads the same HTTP API).
manifest = labkit.Registry().manifest("library/nginx", "latest")
labkit.check("01.layers", len(manifest["layers"]))

# %% [markdown]
# ## Clean up
#
# `labkit.finish` removes the chapter's containers (`docker rm -f oci-demo ex01-net
# ex01-limited`, which stops them too), checks that no `runc` container of the chapter is
# left, and says what it removed. (`labkit reset 01` does the same and also empties the
# `work/` folder.)

# %%
labkit.finish("01")

# %% [markdown]
# ## Summary
#
# - A container is a **process of the host**: **namespaces** give it its own view (PIDs,
#   network, mounts, hostname, IPC), **cgroups** limit what it uses — one tree of groups on
#   cgroup v2 (`memory.max`...), one tree per controller on v1 (`memory.limit_in_bytes`...).
#   No guest kernel: all containers share the host's.
# - The **OCI** standardises containers in three specifications: the **runtime-spec** (a
#   bundle, `config.json` + `rootfs/`, and a lifecycle; `runc` implements it, `runhcs` on
#   Windows), the **image-spec** (manifest → config + layers) and the **distribution-spec**
#   (the registry's `/v2/` HTTP API).
# - Everything in an image is **content-addressed**: a digest is the SHA-256 of the content,
#   so it names it and checks it.
# - **`containerd`** runs containers for Docker (namespace `moby`) and Kubernetes; a shim per
#   container calls `runc`.
#
# ## What's next
#
# Chapter 02, **the Docker engine**: how the `docker` command, `dockerd`, `containerd` and
# `runc` work together, then the life of images and containers — pull, run, build, tag,
# push.
