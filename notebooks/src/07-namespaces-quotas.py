# %% [markdown]
# # 07 · Namespaces and quotas
#
# This chapter follows the deck's slide *`Namespace`*: a Namespace `nginx-1` labelled
# `app: nginx-1`, and a ResourceQuota `pods` that lets it hold at most 5 Pods — with, in
# comments, the other limits a quota can set (CPU, memory, GPUs).
#
# **What you will learn**
# - what a namespace is: a named scope for objects, labelled like any object;
# - which objects live in a namespace and which belong to the whole cluster;
# - how a ResourceQuota counts objects (`pods: 5`) and refuses the one too many;
# - what the deck's commented lines do: a **compute** quota on CPU and memory, and why Pods
#   must then declare their `requests` and `limits`.
#
# **Prerequisites**: chapter 06 (Pods, `kubectl run`, `kubectl apply`).

# %%
import labkit

labkit.chapter("07-namespaces-quotas")

# %% [markdown]
# ## The deck's namespace and its quota (*`Namespace`*)
#
# A **namespace** splits one cluster into named spaces: a team, an application or an
# environment gets its own, and the names of its objects only need to be unique inside it.
# The deck's manifest declares two objects in one file, separated by `---`: the Namespace
# itself, with a label `app: nginx-1`, and a **ResourceQuota** named `pods` placed *in* that
# namespace. It is in this chapter's folder, `namespace.yaml` (the terminal runs in
# `work/`, hence `../`):

# %%
# %%terminal
cat ../namespace.yaml

# %% [markdown]
# `kubectl apply` creates both, in the order of the file (the namespace must exist before
# anything can be put in it):

# %%
# %%terminal
kubectl apply -f ../namespace.yaml

# %% [markdown]
# Namespaces are objects like any other: they have labels. Kubernetes adds one by itself,
# `kubernetes.io/metadata.name`, so that a namespace can be selected by its name (chapter 12's
# NetworkPolicies use it). `default` is where objects go when no namespace is given;
# `kube-system` holds the cluster's own components (chapter 05).

# %%
# %%terminal
kubectl get namespaces default kube-system nginx-1 --show-labels

# %% [markdown]
# The quota is read by a controller of the control plane (the *resource quota controller*),
# which counts what the namespace holds and writes it into the quota's `status`. We wait
# for that first count (bounded), then look at it. `describe` shows, per resource, what is
# **Used** against the **Hard** limit:

# %%
# %%terminal
kubectl wait --for=jsonpath='{.status.used.pods}'=0 resourcequota/pods -n nginx-1 --timeout=60s
kubectl describe quota -n nginx-1

# %% [markdown]
# The same object in YAML shows the two halves of every Kubernetes object: `spec`, what *you*
# declared, and `status`, what the cluster *observed*. (The `metadata` above them — uid,
# resourceVersion, creation time — is cut here; chapter 09 shows a whole object.) Note that
# the `5` of the file came back as the string `"5"`: limits are *quantities*, like `128Mi`
# or `500m`.

# %%
# %%terminal
kubectl get resourcequota pods -n nginx-1 -o yaml | sed -n '/^spec:/,$p'

# %% [markdown]
# ## What a namespace scopes: names
#
# Two objects of the same kind may share a name if they live in different namespaces. Let us
# run a Pod called `web` in `nginx-1`, and another `web` in a second namespace, `ex07`:

# %%
# %%terminal
kubectl create namespace ex07 --dry-run=client -o yaml | kubectl apply -f -
kubectl run web --image=nginx -n nginx-1
kubectl run web --image=nginx -n ex07
kubectl wait --for=condition=Ready pod/web -n nginx-1 --timeout=120s
kubectl wait --for=condition=Ready pod/web -n ex07 --timeout=120s

# %% [markdown]
# Two Pods, one name. Every command takes `-n` (`--namespace`); without it, kubectl uses the
# namespace of its *context*, here `default`. A second `web` in `ex07` is refused: the
# name is taken *in that namespace*.

# %%
# %%terminal --allow-fail
kubectl get pod web -n nginx-1 -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,STATUS:.status.phase
kubectl get pod web -n ex07 -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,STATUS:.status.phase
kubectl run web --image=nginx -n ex07

# %% [markdown]
# Not everything is namespaced. Nodes, PersistentVolumes (disks, chapter 09 and 13) and the
# namespaces themselves belong to the whole cluster: `kubectl api-resources` says which.
# Here, the core API group's (`v1`) cluster-wide kinds:

# %%
# %%terminal
kubectl api-resources --namespaced=false --api-group=''

# %% [markdown]
# > 📝 **Deck note** — a namespace separates *names*, and (with quotas, RBAC in chapter 10
# > and NetworkPolicies in chapter 12) *permissions* and *traffic*. It does not separate
# > machines: Pods of every namespace share the same nodes, and by default they can reach
# > each other over the network.
#
# ## A first taste of the quota
#
# `nginx-1` allows 5 Pods and holds one (`web`). Let us add Pods one by one:

# %%
# %%terminal
kubectl run web-2 --image=nginx -n nginx-1
kubectl run web-3 --image=nginx -n nginx-1
kubectl run web-4 --image=nginx -n nginx-1
kubectl run web-5 --image=nginx -n nginx-1
kubectl describe quota pods -n nginx-1

# %% [markdown]
# 5 used, 5 allowed. The 6th Pod is refused **by the API server**, before it exists: the
# quota is checked when the object is created (an *admission* check), so nothing is
# scheduled, nothing runs. The error says which quota, what was asked, used and allowed.

# %%
# %%terminal --allow-fail
kubectl run web-6 --image=nginx -n nginx-1

# %% [markdown]
# A quota never removes what already runs: it only refuses new objects (and changes that
# would go over it). Chapter 09 shows the
# same wall met by a Deployment asked for 10 replicas — there, the refusal does not come
# back to your terminal, it shows up in an *event*.
#
# ## Compute quotas (the deck's commented lines)
#
# The deck's quota has five more lines, commented out. Each caps a **sum** over all the
# namespace's Pods:
#
# | Line | Caps the sum of… |
# |---|---|
# | `requests.cpu: "2"` | the CPU the Pods *ask for* (`requests`): 2 cores (2000m, m = thousandths of a core): at most 15 Pods asking `128m` each, as 16 would ask 2048m |
# | `requests.memory: 1Gi` | the memory they ask for |
# | `limits.cpu: "2"` | the CPU they *may use at most* (`limits`) |
# | `limits.memory: 2Gi` | the memory they may use at most |
# | `requests.nvidia.com/gpu: 4` | an *extended resource*: GPUs advertised by a device plugin (none on this cluster) |
#
# `requests` are what the scheduler reserves on a node for the Pod; `limits` are enforced on
# the node by the kernel's cgroups (chapter 01): above its memory limit a container is
# killed, above its CPU limit it is slowed down.
#
# We put those lines in a second ResourceQuota, `compute` (the file `compute-quota.yaml`).
# First we empty the namespace, and wait until the quota controller has counted the Pods
# out:

# %%
# %%terminal
kubectl delete pods --all -n nginx-1 --timeout=120s
kubectl wait --for=jsonpath='{.status.used.pods}'=0 resourcequota/pods -n nginx-1 --timeout=60s
cat ../compute-quota.yaml
kubectl apply -f ../compute-quota.yaml
kubectl wait --for=jsonpath='{.status.used.limits\.cpu}'=0 resourcequota/compute -n nginx-1 --timeout=60s

# %% [markdown]
# Now a quota counts CPU and memory, so every new Pod **must say** how much it asks for and
# may use — otherwise the quota could not count it. `kubectl run` without resources is
# refused:

# %%
# %%terminal --allow-fail
kubectl run bare --image=nginx -n nginx-1

# %% [markdown]
# A Pod that declares its `requests` and `limits` (the values of the deck's Deployment,
# chapter 09) is accepted, and counted:

# %%
# %%terminal
cat ../sized-pod.yaml
kubectl apply -f ../sized-pod.yaml
kubectl wait --for=jsonpath='{.status.used.requests\.cpu}'=128m resourcequota/compute -n nginx-1 --timeout=60s
kubectl describe quota compute -n nginx-1

# %% [markdown]
# > 📝 **Deck note** — in practice a namespace with a compute quota usually also gets a
# > **LimitRange**, which gives default `requests` and `limits` to containers that declare
# > none, so that `kubectl run bare` would pass. And the deck's `pods: 5` is an *object
# > count* of the Pods not yet finished (a Pod that ended, `Succeeded` or `Failed`, no
# > longer counts). The generic form `count/pods: 5` counts every Pod that exists,
# > finished or not, and any kind can be counted that way (`count/services`,
# > `count/deployments.apps`...).
#
# ### The quota dashboard
#
# The course's **quota gauge** draws one bar per resource of each ResourceQuota of a
# namespace, red once the limit is reached. Click *Refresh* after creating or deleting Pods,
# or switch on *Follow* to see the bars move by themselves for a minute.

# %% tags=["nbval-ignore-output"]
from labkit.widgets import QuotaGauge

gauge = QuotaGauge("nginx-1")
gauge

# %%
for row in gauge.rows:
    print(f"{row.quota:8} {row.resource:24} {row.used:>6} / {row.hard:<4} {row.fraction:4.0%}")

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a namespace for a team
#
# Write a manifest (for instance `ex07.yaml` in the work folder) that declares the namespace
# `ex07` with a label `team: ex07`, and in it a ResourceQuota named `pods` that allows
# **2** Pods. Apply it. (`ex07` already exists and holds the Pod `web`: `apply` updates it.)

# %%
# %%terminal
# your commands here

# %%
labkit.check("07.namespace")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 07.namespace
cat > ex07.yaml <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: ex07
  labels:
    team: ex07
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: pods
  namespace: ex07
spec:
  hard:
    pods: 2
YAML
kubectl apply -f ex07.yaml

# %% [markdown]
# ### Exercise 2 — fit a Pod under a compute quota
#
# In `ex07`, add a ResourceQuota named `compute` with `requests.memory: 256Mi` and
# `limits.memory: 512Mi`. Then run a Pod named `small` (image `nginx`) that the quota
# accepts, and wait until it is Ready. Which fields must `small` declare?

# %%
# %%terminal
# your commands here

# %%
labkit.check("07.compute")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 07.compute
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: ex07
spec:
  hard:
    requests.memory: 256Mi
    limits.memory: 512Mi
---
apiVersion: v1
kind: Pod
metadata:
  name: small
  namespace: ex07
spec:
  containers:
    - name: nginx
      image: nginx
      resources:
        requests:
          memory: 64Mi
        limits:
          memory: 128Mi
YAML
kubectl wait --for=condition=Ready pod/small -n ex07 --timeout=120s

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces, `nginx-1` and `ex07`, with their quotas
# and Pods, and checks that nothing of the chapter is left (chapter 08 creates `nginx-1`
# again from the deck's file):

# %%
labkit.finish("07")

# %% [markdown]
# ## Summary
#
# - A **Namespace** is a named scope: object names are unique per namespace and kind;
#   nodes, PersistentVolumes and namespaces themselves are cluster-wide.
# - A **ResourceQuota** caps what a namespace may hold: object counts (`pods: 5`) or sums of
#   `requests` and `limits` (CPU, memory, extended resources such as GPUs).
# - Quotas are enforced when an object is created (or changed): the one too many is
#   *refused* (Forbidden, `exceeded quota`), nothing already running is removed.
# - Under a compute quota, every Pod must declare the resources the quota counts.
#
# ## What's next
#
# Chapter 08 follows the slides *`Service` : les `Pods` sont mortels !* and *`Ingress`*:
# how to reach the Pods of `nginx-1` by a stable name, from inside and from outside the
# cluster.
