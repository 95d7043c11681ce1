# %% [markdown]
# # 02 · The Docker engine
#
# This chapter follows the deck's part **« Docker engine »**: the slides *Du Docker engine à
# `runc`*, *Docker engine*, and every command of the slides **« `docker` »** — *Pull de
# l'image `nginx`*, *Instanciation de l'image `nginx`*, *Construction d'une image dérivée
# depuis `nginx`*, *Ajout d'un tag sur `my-app` et `push` de l'image*, *Suppression des
# images `nginx` et `my-app`*.
#
# **What you will learn**
# - how the `docker` command, `dockerd`, `containerd` and `runc` work together, seen in the
#   host's process tree;
# - the life of an image and a container: pull, run, publish a port, remove;
# - how to build a derived image, tag it, log in to a registry and push to it, remove it.
#
# **Prerequisites**: chapter 01 (what a container and an image are).

# %%
import labkit

labkit.chapter("02-docker-engine")

# %% [markdown]
# ## From the Docker engine to `runc` (*Du Docker engine à `runc`*)
#
# ![The docker CLI talks to dockerd, which drives containerd, a shim per container, and runc](../images/docker-engine-flow.svg)
#
# The `docker` command is only a client: it sends HTTP requests to the engine, **`dockerd`**,
# on the socket `/var/run/docker.sock`. `dockerd` manages images (Docker 29 keeps them in
# containerd's image store), networks and volumes, and hands containers to **`containerd`**,
# which starts one **shim** per container; the shim calls **`runc`** to create the container
# (namespaces, cgroups, root filesystem) and then stays as its parent. You can speak that API
# yourself: `GET /version` on the socket is what `docker version` asks. The answer gives, at
# the JSON's top level, the engine's version and API, then its components, each with its
# version: the Engine again (its API version), containerd, the runtime (here `runc-capfix`,
# the course's wrapper around runc for this machine's capability set) and docker-init (the
# small init process that `docker run --init` adds). The course builds all of them from
# their Go sources: Docker 29's engine code (moby), containerd 2.4, runc 1.5:

# %%
# %%terminal
curl -s --unix-socket /var/run/docker.sock http://localhost/version | python3 -m json.tool | grep -E '"(Version|ApiVersion|Os)"'

# %% [markdown]
# ## Pulling an image (*Pull de l'image `nginx`*)
#
# A **registry** is a server that stores and distributes images; Docker Hub is the official
# public one. `docker pull` downloads an image's manifest, its configuration and its layers.
# Here the engine asks the course's mirror first (chapter 00), so this works offline:

# %%
# %%terminal
docker pull nginx
docker images nginx

# %% [markdown]
# `latest` is only the default **tag**: `nginx` means `docker.io/library/nginx:latest`. No
# layer is listed: the course's own build of nginx (`labkit/nginx`, chapter 00) is this very
# image, so every blob was here already and the pull only added a name. The image ID is the
# digest of the image's manifest — the one chapter 01 computed for the mirror's nginx: the
# same ID means the same image, whatever its names. `CONTENT SIZE` is its compressed layers, as a
# registry stores them; `DISK USAGE` adds their unpacked copy, which containers start from
# (containerd keeps both). `U` under `EXTRA` marks an image in use by a container: the
# course's chart repository (chapter 14) already runs this image under its other name.
#
# ## Running a container (*Instanciation de l'image `nginx`*)
#
# `-d` runs it in the background, `--name` names it, `-p 8080:80` publishes the container's
# port 80 on the host's port 8080.

# %%
# %%terminal
docker run -d --name my-nginx -p 8080:80 nginx
docker ps --filter name=my-nginx

# %% [markdown]
# > 📝 **Deck note** — the deck runs a bare `docker ps`. It lists *every* running container;
# > on this machine that includes the course's own registries, so we filter on the name.
# > The deck's `curl -L` prints a progress meter when its output is not a terminal (as in a
# > notebook): `-s` (silent) keeps just the page, and `grep -o` keeps just its title here.
#
# The server answers as soon as nginx has started; `labkit.wait_http` waits for it (at most
# 30 s) and returns the page, so the next cell never races the container:

# %%
page = labkit.wait_http("http://localhost:8080", expect="Welcome to nginx!", timeout=30)

# %%
# %%terminal
curl -sL http://localhost:8080 | grep -o '<title>.*</title>'

# %% [markdown]
# ### The same container, seen from the host
#
# The container is an ordinary process tree of the host. `dockerd` started `containerd` and
# two `docker-proxy` processes, which listen on port 8080 (one for IPv4, one for IPv6) and
# forward to the container. The container's processes hang below a
# `containerd-shim-runc-v2`, which was re-parented to PID 1 so that the container outlives a
# restart of `containerd` (and of `dockerd`, when its `live-restore` option is on): nginx's
# master process, the container's PID 1, and its worker processes (one per CPU: two on
# this machine).
# `runc` does not appear: it created the container and exited.

# %%
print(labkit.process_tree("my-nginx"))

# %% [markdown]
# ### Watching the engine
#
# `docker ps` is a snapshot. The course's **container list** dashboard shows the same list
# and refreshes when you click *Refresh* (or for a bounded time with `.start()`); type in
# its *name* box to filter. Leave it open while you run the next cells and refresh it.

# %% tags=["nbval-ignore-output"]
from labkit.widgets import ContainerList, LayerExplorer

containers = ContainerList(name="my-")
containers

# %%
print("\n".join(f"{row.name}: {row.state}" for row in containers.shown))

# %% [markdown]
# `docker logs` shows what the container wrote on its standard output (nginx's access log
# here): `grep -c` counts two requests, `wait_http`'s and `curl`'s. `docker rm -f` stops and
# removes the container:

# %%
# %%terminal
docker logs my-nginx 2>&1 | grep -c 'GET / HTTP'
docker rm -f my-nginx

# %% [markdown]
# ## Building a derived image (*Construction d'une image dérivée depuis `nginx`*)
#
# A **Dockerfile** describes an image as a base (`FROM`) plus changes; each instruction
# that changes files adds a layer. The **build context** (here `.`) is the folder sent to the
# engine, from which `COPY` takes its files.

# %%
# %%terminal
mkdir -p public/; echo 'Hello World' > public/index.html

cat > Dockerfile <<EOF
FROM nginx:1.22

COPY public /usr/share/nginx/html
EOF

docker build -t my-app .

# %% [markdown]
# > 📝 **Deck note** — the deck builds `FROM nginx:1.15`, a mainline branch of 2018–2019 that
# > no longer receives security fixes; the course's nginx is Debian bookworm's 1.22, so we use
# > `nginx:1.22`. The deck shows the *legacy builder*'s `Step 1/2 …` and `---> id` lines;
# > since Docker 23, `docker build` runs **BuildKit** (through the `buildx` plugin), which
# > numbers its steps `#1`, `#2`… and names each Dockerfile instruction `[1/2]`, `[2/2]`.

# %%
# %%terminal
docker run -d --name my-app -p 8080:80 my-app

# %%
page = labkit.wait_http("http://localhost:8080", expect="Hello World", timeout=30)

# %%
# %%terminal
curl -sL http://localhost:8080
docker rm -f my-app

# %% [markdown]
# `docker history` lists the new image's **history**: one entry per build step, newest first
# — our `COPY` on top of the steps that made `nginx:1.22` (which the course built from
# Debian packages; its first entry, the imported Debian base, has no command, hence the
# empty last line). A step that changed files made a **layer**; the others (`LABEL`, `CMD`,
# `EXPOSE`, `STOPSIGNAL`) only changed the image's configuration. The two styles tell the
# builders apart: BuildKit writes the instruction as you wrote it, followed by `# buildkit`;
# the classic builder, which the course used (through the engine's API) to make its nginx,
# wrote `/bin/sh -c #(nop) …`:

# %%
# %%terminal
docker history --format '{{.CreatedBy}}' my-app | cut -c1-80

# %% [markdown]
# The **layer explorer** shows the same history with each entry's size. Entries of size 0
# ("metadata only") made no layer; the others are the image's layers: four here — the three
# of `nginx:1.22` (the Debian base, the `apt-get install`, a configuration file; chapter 01
# counted them in the registry) and ours on top: 24.6kB on disk for a 12-byte page, as a
# layer counts whole disk blocks for the page and each folder of its path. The three below ours are shared
# with `nginx:1.22`, stored once on disk. Pick another image in its list to compare.

# %% tags=["nbval-ignore-output"]
explorer = LayerExplorer("my-app:latest")
explorer

# %%
print(explorer.summary())
for row in explorer.history[:3]:
    print(f"{row.size_text:>13}  {row.created_by[:60]}")

# %% [markdown]
# ## Tagging and pushing (*Ajout d'un tag sur `my-app` et `push` de l'image*)
#
# A tag is just another name for the same image ID. The deck's commands, then the whole
# repository `my-app`: both tags, one image ID — the last digest the build printed, its
# *manifest list* (an OCI index): BuildKit attaches to each image a small **provenance
# attestation** (how it was built) as a second manifest, so even a one-platform image gets
# an index (chapter 01). `docker push` prints that same digest.

# %%
# %%terminal
docker tag my-app:latest my-app:1.0
docker images my-app:1.0
docker images my-app

# %% [markdown]
# > 📝 **Deck note** — the deck logs in to `my-registry:8080` and then pushes `my-app:1.0`.
# > That push would go to **Docker Hub**: the registry a push goes to is the first part of
# > the image's *name*. To push to your own registry, tag the image with the registry's
# > address. The course's registry is `localhost:5000` (port 8080 is the web server's), and
# > it asks for a login: user `student`, password `docker-plus-plus`.
#
# Without a login the registry refuses the push:

# %%
# %%terminal --allow-fail
docker tag my-app:latest localhost:5000/my-app:1.0
docker push localhost:5000/my-app:1.0

# %% [markdown]
# In a terminal you would type `docker login localhost:5000` and answer the prompts; a
# notebook has no prompt, so the password comes on standard input. Docker then keeps the
# login in `~/.docker/config.json`, only base64-encoded — its WARNING says so: on a
# workstation a *credential helper* (the system's keychain) keeps it safer. The course's
# password is no secret, and the chapter logs out at its end (`docker logout`).

# %%
# %%terminal
echo docker-plus-plus | docker login localhost:5000 --username student --password-stdin

docker tag my-app:latest localhost:5000/my-app:latest
docker push localhost:5000/my-app:1.0
docker push localhost:5000/my-app:latest

# %% [markdown]
# The second push sent no layer (*Layer already exists*): both tags are the same image. The
# registry's API (chapter 01) now lists both tags:

# %%
# %%terminal
curl -s -u student:docker-plus-plus http://localhost:5000/v2/my-app/tags/list

# %% [markdown]
# ## Removing images (*Suppression des images `nginx` et `my-app`*)
#
# `docker rmi` removes *names*; an image goes only when no name is left on it, and a layer
# only when no image uses it any more. The deck removes `nginx:1.15` and `nginx`; we name
# our four names of `my-app`, and `nginx`. (There is no `nginx:1.22` to remove: BuildKit
# only resolved that tag to a digest — its `[1/2] FROM` step, the same image as `nginx:latest` — and used
# the layers already in the engine's store; it never names the images it builds `FROM`.)

# %%
# %%terminal
docker rmi my-app:1.0 my-app localhost:5000/my-app:1.0 localhost:5000/my-app:latest nginx

# %% [markdown]
# Read the end: `my-app` lost its last name, so it was **deleted** (the `Deleted:` line names
# its image ID; its own layer went with it). nginx was only **untagged**: the same image is still
# named `labkit/nginx:…`, the course's own build of it (chapter 00), which `docker images`
# does not show you unless you ask for it (`docker images labkit/nginx`). So nginx's layers
# are still on disk.
#
# `my-app` is gone from this engine, but not from the registry: any machine that can reach
# the registry can pull and run it again. The pull lists only blobs that are not nginx's —
# `my-app`'s own layer and the small blobs of its build, some of which the engine may still
# hold (*Already exists*); the three layers of nginx below it are here already (under
# `labkit/nginx`), so they are not even listed:

# %%
# %%terminal
docker pull localhost:5000/my-app:1.0
docker run --rm localhost:5000/my-app:1.0 cat /usr/share/nginx/html/index.html
docker rmi localhost:5000/my-app:1.0

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a web server on a chosen address
#
# Run nginx in a container named `ex02-web`, reachable on **127.0.0.1:8082** only (not on
# every address of the host). Then check.

# %%
# %%terminal
# your commands here

# %%
labkit.check("02.run")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 02.run
docker run -d --name ex02-web -p 127.0.0.1:8082:80 nginx
curl -s --retry 20 --retry-all-errors --retry-delay 1 -o /dev/null http://127.0.0.1:8082

# %% [markdown]
# ### Exercise 2 — build, tag, push
#
# In a folder `ex02/`, write a Dockerfile that builds on `nginx:1.22` and serves a page
# saying `Hello Docker++`. Build it as `ex02-hello:1.0` and push it to the course registry as
# `localhost:5000/ex02-hello:1.0`. The check reads your Dockerfile (and names the line of a
# malformed instruction), then runs the image it finds in the registry.

# %%
# %%terminal
# your commands here

# %%
labkit.check("02.push")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 02.push
mkdir -p ex02/public; echo 'Hello Docker++' > ex02/public/index.html
cat > ex02/Dockerfile <<EOF
FROM nginx:1.22
COPY public /usr/share/nginx/html
EOF
docker build -q -t ex02-hello:1.0 ex02 > /dev/null
docker tag ex02-hello:1.0 localhost:5000/ex02-hello:1.0
echo docker-plus-plus | docker login localhost:5000 -u student --password-stdin > /dev/null
docker push -q localhost:5000/ex02-hello:1.0

# %% [markdown]
# ## Clean up
#
# `docker logout` removes the login that `docker login` saved:

# %%
# %%terminal
docker logout localhost:5000

# %% [markdown]
# `labkit.finish` removes the chapter's containers and images (`docker rm -f ex02-web`,
# `docker rmi ex02-hello:1.0 …`) and checks that nothing of them is left. What you pushed
# stays in the course registry, as it would on Docker Hub; the chapter empties the registry
# when it starts again.

# %%
labkit.finish("02")

# %% [markdown]
# ## Summary
#
# - `docker` is a client of `dockerd`'s HTTP API; `dockerd` → `containerd` → shim → `runc`
#   turns an image into isolated host processes.
# - `pull`, `run -d -p`, `ps`, `logs`, `rm -f` drive a container's life; `build` makes a
#   derived image from a Dockerfile; `tag` names it; `login` + `push` publish it to the
#   registry named in the tag; `rmi` removes names, and layers nobody uses.
#
# ## What's next
#
# Chapter 03 describes several containers at once — a multi-service voting app — with
# `docker compose`.
