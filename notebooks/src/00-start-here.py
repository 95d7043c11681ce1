# %% [markdown]
# # 00 · Start here
#
# Welcome to **Docker++**, a hands-on course on containers and orchestration. It follows the
# French slide deck *Docker++* chapter by chapter, and every command of the deck really runs
# here: against a real Docker engine, a real registry, and (in the Kubernetes chapters) a real
# `kind` cluster — on your laptop, offline, in a classroom, or in CI.
#
# **What you will learn in this notebook**
# - how the course works: notebooks, the `%%terminal` cells, the `labkit` helper;
# - how to check that your machine is ready (`labkit doctor`);
# - the conventions: deck notes, exercises with checks, hidden solutions, resets.
#
# **Prerequisites**: none. You started the course with `./course lab`, which set up
# everything (see the README).

# %% [markdown]
# ## The chapters
#
# Each notebook follows one part of the deck and names the French slide titles it covers,
# so you can go back and forth between the slides and the notebook.
#
# | # | Notebook | Deck slides |
# |---|---|---|
# | 00 | Start here (this notebook) | *Docker++* |
# | 01 | [Containers and the OCI](01-containers.ipynb) | *Conteneurisation* |
# | 02 | [The Docker engine](02-docker-engine.ipynb) | *Docker engine*, *`docker`* |
# | 03 | [docker-compose](03-docker-compose.ipynb) | *`docker-compose`* |
# | 04 | [Container orchestration](04-orchestration.ipynb) | *Orchestration de conteneurs* |
# | 05 | [Kubernetes architecture](05-kubernetes-architecture.ipynb) | *Kubernetes (k8s)*, *Architecture de base* |
# | 06 | [Pods](06-pods.ipynb) | *L'objet le plus basique : le `Pod`* |
# | 07 | [Namespaces and quotas](07-namespaces-quotas.ipynb) | *`Namespace`* |
# | 08 | [Services and Ingress](08-services-ingress.ipynb) | *`Service`*, *`Ingress`* |
# | 09 | [Deployments, selectors and scaling](09-deployments-scaling.ipynb) | *`Deployment`*, *Selecteurs*, *Scaling* |
# | 10 | [RBAC](10-rbac.ipynb) | *RBAC (Role-Based Access Control) à la rescousse* |
# | 11 | [Cluster maintenance](11-cluster-maintenance.ipynb) | *Maintenance du cluster* |
# | 12 | [Network policies](12-network-policies.ipynb) | *`NetworkPolicy`* |
# | 13 | [More objects](13-more-objects.ipynb) | *D'autres objets ou concepts* |
#
# Chapters 04 to 13 run on the course's **Kubernetes cluster**: three Docker containers that
# each play a machine (one control plane, two workers), made by *kind* from a node image that
# `labkit up` builds offline. The Helm and continuous-delivery chapters come next.

# %% [markdown]
# ## Opening a chapter
#
# Every chapter starts with the same cell. `labkit.chapter(...)` resets what the chapter
# created in an earlier run (containers, images, files), so that running a notebook twice, or
# after any other, gives the same results. It also makes the `%%terminal` cells available.

# %%
import labkit

labkit.chapter("00-start-here")

# %% [markdown]
# ## Terminal cells
#
# A cell that starts with `%%terminal` holds shell commands exactly as you would type them in
# a terminal. Each command is echoed after a `$`, followed by what it printed. The working
# folder carries over from cell to cell, like in a terminal (each chapter starts in its own
# `work/` folder). You can paste these commands into a real terminal too: they are the same.
#
# The first command checks that everything the course needs is here, and says how to fix
# what is not:

# %%
# %%terminal
labkit doctor

# %% [markdown]
# The course runs a **real Docker engine**. `docker version` shows both halves of Docker: the
# client (the `docker` command) and the server (the engine, `dockerd`), which talk over an HTTP
# API. A newer client adapts to an older engine by speaking the engine's API version.

# %%
# %%terminal
docker version --format 'client {{.Client.Version}} (API {{.Client.APIVersion}})'
docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}})'

# %% [markdown]
# ## Offline by design
#
# Classrooms have bad networks and CI machines often have none, so nothing in this course
# downloads an image from Docker Hub. `labkit up` built the course's images **from Debian
# packages** (`debootstrap` then `docker import` for the base image, then ordinary
# Dockerfiles with `apt-get`) and put them in a local registry that the engine uses as a
# **mirror** of Docker Hub. A plain `docker pull nginx` therefore works with no internet:

# %%
# %%terminal
docker info --format '{{range .RegistryConfig.Mirrors}}mirror: {{.}}{{end}}'
curl -s http://127.0.0.1:5001/v2/_catalog

# %% [markdown]
# With an internet connection and your own Docker, the same commands simply reach Docker Hub.
#
# ## Conventions
#
# - **Deck notes.** The deck dates from the Docker 18 / Kubernetes 1.13 era. Where a command
#   or manifest has changed since (or was wrong), the notebook runs the modern form and says
#   why in a note like this one:
#
#   > 📝 **Deck note** — what the deck says, what changed, what we run instead.
#
# - **Exercises.** Each chapter ends with exercises. Write your answer, then run the
#   `labkit.check(...)` cell: it tells you *✓ Well done* or *✗ Not yet*, with a hint. A
#   **hidden solution** follows each one (click the `…` of the collapsed cell to see it).
# - **Resets.** `labkit reset 02` (in a terminal) or re-running a chapter's first cell puts a
#   chapter back to its start. `labkit down` removes every container, network and volume the
#   course created; `labkit up` brings the course's services back.
# - **Outputs.** The notebooks are saved with their outputs: they are what you should see.
#   Identifiers, ages and sizes will differ on your machine; everything else should not.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — the storage driver
#
# Docker stores image layers and container filesystems with a *storage driver*. Which one
# does this engine use? Find it with `docker info`, and put it in `answer`.

# %%
answer = ""  # for example "vfs"
labkit.check("00.storage-driver", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution: ask the engine, with a Go template to keep just that field.
driver = labkit.sh("docker info --format '{{.Driver}}'").output.strip()
labkit.check("00.storage-driver", driver)

# %% [markdown]
# ### Exercise 2 — the registry mirror
#
# What is the address of the registry mirror this engine asks first when it pulls an image
# from Docker Hub?

# %%
answer = ""  # for example "http://mirror.example:5000"
labkit.check("00.mirror", answer)

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution: the "Registry Mirrors" section of `docker info`.
mirror = labkit.sh("docker info --format '{{range .RegistryConfig.Mirrors}}{{.}}{{end}}'")
labkit.check("00.mirror", mirror.output.strip())

# %% [markdown]
# ## Summary
#
# - The course runs the deck's commands for real, offline, from notebooks.
# - `%%terminal` cells are terminal sessions; `labkit` resets chapters, waits, and checks.
# - `labkit doctor` tells what is missing and how to fix it; `labkit reset NN` and
#   `labkit down` clean up.
#
# ## What's next
#
# Chapter 01 opens the box: what a container really is for the Linux kernel, and the open
# standards (OCI) that `runc` and `containerd` implement.
