# %% [markdown]
# # 04 · Container orchestration
#
# This chapter follows the deck's part **« Orchestration de conteneurs »**: its definition
# (*Plate-forme permettant d'automatiser le déploiement, la montée en charge et la mise en
# œuvre de conteneurs d'applications sur des clusters de serveurs*), the feature list of its
# notes, and the slide of well-known orchestrators (*Certains des orchestrateurs les plus
# connus sur le marché*).
#
# **What you will learn**
# - what an orchestrator does that `docker` and `docker compose` on one host do not;
# - the deck's list of orchestrator features, and which chapter of this course shows each
#   one for real;
# - a first taste, on the course's cluster: declare three replicas, delete one, watch the
#   orchestrator replace it.
#
# **Prerequisites**: chapter 03 (an application as several containers, described in YAML).

# %%
import labkit

labkit.chapter("04-orchestration")

# %% [markdown]
# ## From one host to a cluster
#
# Compose (chapter 03) starts an application on *one* Docker host. If that host dies, the
# application dies; if the load grows, Compose will not add containers by itself, nor find
# another machine with free memory for them. An **orchestrator** manages containers on a
# *cluster* of machines (*nodes*): you declare the state you want — "three copies of this
# image, reachable under this name, each with 128 MiB of memory" — and it keeps the real
# state equal to it, choosing nodes, restarting what fails, moving what must move.
#
# This course's cluster is real: Kubernetes v1.37, made of three Docker containers that each
# play a machine (a *kind* cluster: Kubernetes IN Docker), built offline by `labkit up`.
# Each node runs its own `containerd`, the runtime that also sits under the Docker engine of
# chapter 02:

# %%
# %%terminal
docker ps --filter label=io.x-k8s.kind.cluster=course --format '{{.Names}}\t{{.Image}}\t{{.Status}}' | sort
kubectl get nodes

# %% [markdown]
# > 📝 **Deck note** — the deck's Kubernetes 1.13 ran on **cgroup v1** (chapter 01 shows
# > both kinds): cgroup v2 was already in the Linux kernel, but Kubernetes' support for it
# > became stable only in 1.25. Kubernetes has since moved to cgroup v2: from 1.35 on, a
# > kubelet refuses to start on a cgroup v1 host unless its configuration says
# > `failCgroupV1: false`, and v1 support is to be removed altogether.
# > This machine's kernel still mounts cgroup v1, so the course's kind configuration sets
# > that field, and each kubelet records a `CgroupV1` warning event on its Node when it
# > starts ("cgroup v1 detected … Please migrate to cgroup v2"). On a cgroup v2 machine —
# > current Linux distributions, Docker Desktop — the field changes nothing and there is no
# > such event; what the chapters show is the same.

# %% [markdown]
# ## What an orchestrator gives (the deck's notes)
#
# The deck lists the features below. Each has a chapter of this course where you will use it
# on this cluster:
#
# | Feature (deck) | What it means | Where |
# |---|---|---|
# | **Resilience** — infrastructure, k8s and application availability | failed containers are restarted, Pods of a lost node are recreated elsewhere, the control plane keeps the desired state | below; 09, 11 |
# | **Networking** — network segmentation | every Pod gets an IP reachable from every node; Services give stable names; policies filter traffic | 06, 08, 12 |
# | **Storage** — persistent volumes | volumes that outlive Pods, provisioned on demand | 13 |
# | **Security** — e.g. RBAC on k8s | who may do what on which object | 10 |
# | **Quotas** | a ceiling on what a team's namespace may use | 07, 09 |
# | **Secrets management** | passwords and keys given to containers without baking them into images | 13 |
# | **Container workloads** — stateless, stateful, batch jobs, daemons | Deployment, StatefulSet, Job/CronJob, DaemonSet | 09, 13 |
# | **Run, expose, autoscale** | declare, publish with a Service or an Ingress, scale by hand or on metrics | 08, 09, 13 |
# | **Maintenance** | empty a node (drain), keep Pods off it (cordon), bring it back | 11 |
#
# ## The orchestrators (*Certains des orchestrateurs les plus connus sur le marché*)
#
# The deck's picture shows the well-known ones: Kubernetes, Docker Swarm, Apache Mesos
# (with Marathon), Nomad, Amazon ECS, OpenShift (a Kubernetes distribution)... Its notes
# say that **Kubernetes (k8s) is the leading tool** with the largest community, and that Docker
# itself moved towards it.
#
# > 📝 **Deck note** — that was already true when the deck was written, and more so now.
# > **Apache Mesos** has retired: it moved to the Apache Attic, where the foundation keeps
# > its ended projects, in 2025 (a first vote to move it there, in 2021, was called off).
# > **Marathon**, the Mesos framework that ran containers, stopped being developed when
# > Mesosphere, its author (renamed D2iQ in 2019), turned to Kubernetes. **Docker Swarm**
# > names two things: the first, standalone *Swarm* (2014, now *Classic Swarm*) was
# > archived in 2020 (its repository read-only since February 2021), while **Swarm mode**,
# > built into the Docker engine since version 1.12 (2016), is still part of it and
# > maintained (`docker swarm init`), far less used than Kubernetes. Docker Desktop can run
# > a local Kubernetes cluster (one node, or several with its *kind* option since Desktop
# > 4.38). The rest of the course is Kubernetes.
#
# ## A first taste: declared state, kept by the cluster
#
# One YAML document declares a **Deployment**: three replicas of nginx (chapter 09 explains
# each line). `kubectl apply` sends it to the cluster, which schedules the three Pods on the
# nodes:

# %%
# %%terminal
kubectl create namespace orchestration --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -n orchestration -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 3
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
        - name: nginx
          image: nginx
YAML
kubectl rollout status deployment/hello -n orchestration --timeout=120s

# %% [markdown]
# Where did they go? The scheduler spread them over the two *worker* nodes (the control
# plane runs the cluster's own components and accepts no ordinary Pods):

# %% tags=["nbval-ignore-output"]
# %%terminal
kubectl get pods -n orchestration -l app=hello -o custom-columns=POD:.metadata.name,NODE:.spec.nodeName,STATUS:.status.phase --sort-by=.spec.nodeName

# %% [markdown]
# How many on each worker varies from run to run (the scheduler scores the nodes each time);
# which nodes received Pods is stable:

# %%
# %%terminal
kubectl get pods -n orchestration -l app=hello -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u

# %% [markdown]
# Now break it: delete one Pod, as an eviction or a mistaken `kubectl delete` would. (A
# container that merely crashes is restarted in place by its node, chapter 06.) The
# Deployment keeps its Pods through a *ReplicaSet* (chapter 09), whose controller notices
# that 2 ≠ 3 and creates a new Pod at once — nobody typed `docker run`:

# %%
# %%terminal
kubectl delete pod -n orchestration $(kubectl get pods -n orchestration -l app=hello -o jsonpath='{.items[0].metadata.name}')
kubectl rollout status deployment/hello -n orchestration --timeout=120s
kubectl get deployment hello -n orchestration

# %% [markdown]
# That loop — *observe, compare with the declared state, act* — is what every Kubernetes
# controller does, for every kind of object. The following chapters open the box.
#
# ## Exercises
#
# ### Exercise 1 — declare five replicas
#
# Change the `hello` Deployment of namespace `orchestration` so that the cluster runs **5**
# replicas (edit the YAML and apply it again, or use `kubectl scale`), then check.

# %%
# %%terminal
# your commands here

# %%
labkit.check("04.replicas")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 04.replicas
kubectl scale deployment hello -n orchestration --replicas=5
kubectl rollout status deployment/hello -n orchestration --timeout=120s

# %% [markdown]
# ### Exercise 2 — change the declared state
#
# Declared state is not only a number of replicas. Give the Pods of `hello` a second label,
# `tier: web` (in the Deployment's Pod *template*, under `template.metadata.labels`), and
# apply it. The cluster replaces every Pod by one matching the new template, a few at a time;
# the check waits for that and verifies that every running Pod of `hello` has the label.

# %%
# %%terminal
# your commands here

# %%
labkit.check("04.template")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 04.template
kubectl patch deployment hello -n orchestration -p '{"spec":{"template":{"metadata":{"labels":{"tier":"web"}}}}}'
kubectl rollout status deployment/hello -n orchestration --timeout=120s

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespace — and with it the Deployment and its Pods —
# and checks that nothing of the chapter is left on the cluster:

# %%
labkit.finish("04")

# %% [markdown]
# ## Summary
#
# - An **orchestrator** runs containers on a cluster of nodes and keeps the *declared* state
#   (what you applied) equal to the *real* state, by restarting, rescheduling and scaling.
# - The deck's feature list — resilience, networking, storage, security, quotas, secrets,
#   workloads, run/expose/autoscale, maintenance — maps onto chapters 06 to 13.
# - Kubernetes is the market's leading orchestrator; this course runs a real one (kind, three
#   nodes) on your machine.
#
# ## What's next
#
# Chapter 05 follows the deck's slide *Architecture de base*: the components of the control
# plane and of each node — you will find every one of them running in this cluster.
