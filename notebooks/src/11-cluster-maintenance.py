# %% [markdown]
# # 11 · Cluster maintenance
#
# This chapter follows the deck's slide **« Maintenance du cluster »**: the two commands an
# administrator types before working on a machine of the cluster (a kernel upgrade, a new
# disk, a reboot), `kubectl drain` and `kubectl cordon`, and the one the slide forgot,
# `kubectl uncordon`.
#
# **What you will learn**
# - `cordon`: mark a node *unschedulable* — the Pods already there keep running, new ones go
#   elsewhere;
# - `drain`: cordon the node *and* evict its Pods, which their controllers recreate on the
#   other nodes; why it refuses to start without `--ignore-daemonsets`;
# - how a `PodDisruptionBudget` makes `drain` evict gently, never taking too many replicas
#   down at once;
# - `uncordon`: give the node back — and why the Pods do not come back by themselves.
#
# **Prerequisites**: chapter 09 (Deployments, labels and selectors, `kubectl scale`).
#
# ⚠ This chapter changes the *whole* cluster (its nodes), not just a namespace of its own.
# Its last cell, and the chapter's reset, make every node schedulable again.

# %%
import labkit

labkit.chapter("11-cluster-maintenance")

# %% [markdown]
# ## The slide (*Maintenance du cluster*)
#
# The deck shows:
#
# ```bash
# # Stop proprement les Pods du noeud k8s01
# kubectl drain k8s01
#
# # Réautorise l'ordonnancement de ressources sur ce noeud
# kubectl cordon k8s01
# ```
#
# > 📝 **Deck note** — the second comment is the wrong way round. `kubectl cordon` *forbids*
# > scheduling on a node (it sets `spec.unschedulable: true`); the command that allows it
# > again is **`kubectl uncordon`**. And `kubectl drain` is `cordon` + the eviction of the
# > node's Pods; as typed on the slide it stops at once on almost any real node: drain has
# > always refused to go on while DaemonSet Pods run there, unless told
# > `--ignore-daemonsets` (see below). The option for Pods with `emptyDir` data, which the
# > deck's Kubernetes spelt `--delete-local-data`, was renamed `--delete-emptydir-data` in
# > Kubernetes 1.20. The deck's node `k8s01` is `course-worker` here.
#
# The course's cluster has one control plane, which takes no ordinary Pods, and two workers.
# Every node is `Ready` and schedulable (no `SchedulingDisabled` in the STATUS column):

# %%
# %%terminal
kubectl get nodes

# %% [markdown]
# ## An application on both workers
#
# Namespace `maintenance` gets a Deployment `web` of four nginx replicas. Its
# `topologySpreadConstraints` ask the scheduler to keep the replicas balanced between the
# nodes (`topologyKey: kubernetes.io/hostname`, at most one Pod of difference), so a node
# going down would only take half of them. `nodeTaintsPolicy: Honor` leaves out of that
# count the nodes whose taints the Pods do not tolerate (the control plane, and a cordoned
# node); `matchLabelKeys: pod-template-hash` counts only the Pods of the same revision of the
# template. Each Pod also has an `emptyDir` volume — a scratch folder that lives and dies
# with the Pod, here nginx's cache.

# %%
# %%terminal
kubectl create namespace maintenance --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -n maintenance -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        owner: maintenance
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: DoNotSchedule
          nodeTaintsPolicy: Honor
          labelSelector:
            matchLabels:
              app: web
          matchLabelKeys:
            - pod-template-hash
      containers:
        - name: nginx
          image: nginx
          volumeMounts:
            - name: cache
              mountPath: /var/cache/nginx
      volumes:
        - name: cache
          emptyDir: {}
YAML
kubectl rollout status deployment/web -n maintenance --timeout=120s

# %% [markdown]
# Where are the Pods? Their names are random, so rather than a list we count them per node:
# the template prints the node of each Pod (leaving out Pods being deleted), `sort | uniq -c`
# counts them.

# %%
# %%terminal
kubectl get pods -n maintenance -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c

# %% [markdown]
# The `NodeView` dashboard shows the same thing live: each node, its status and the Pods on
# it (switch on *Follow* — it watches the API for a minute — or press *Refresh* after each
# step below, to watch them move).

# %% tags=["nbval-ignore-output"]
from labkit.widgets import NodeView

view = NodeView()
view


# %%
def maintenance_pods(view: NodeView) -> list[tuple[str, str, int]]:
    """Each node's status and how many Pods of namespace `maintenance` it runs.

    Pods on their way out (terminating) are not counted. The view is read again (bounded)
    until the count is the Deployment's number of replicas: a Pod that replaces another may
    not be placed yet.
    """
    wanted = labkit.kubectl("get deployment web -n maintenance -o jsonpath={.spec.replicas}")

    def counted() -> list[tuple[str, str, int]] | None:
        view.refresh()
        rows = [(r.name, r.status, sum(map(_running_here, r.pods))) for r in view.rows]
        return rows if sum(row[2] for row in rows) == int(wanted.output) else None

    return labkit.poll(
        counted,
        timeout=30,
        what="the maintenance Pods to be placed",
        fix="`kubectl get pods -n maintenance -o wide`",
    )


def _running_here(pod: str) -> bool:
    return pod.startswith("maintenance/") and not pod.endswith("(terminating)")


maintenance_pods(view)

# %% [markdown]
# ## `cordon`: no new Pods on this node
#
# Before working on `course-worker`, stop the scheduler from placing anything new there:

# %%
# %%terminal
kubectl cordon course-worker
kubectl get nodes

# %% [markdown]
# `SchedulingDisabled`: the node is still `Ready` and its Pods still run — cordon moves
# nothing. Behind the scenes it set `spec.unschedulable`, and the node controller added the
# matching taint, which the scheduler respects:

# %%
# %%terminal
kubectl get node course-worker -o jsonpath='{.spec.unschedulable}{"\n"}{range .spec.taints[*]}{.key}:{.effect}{"\n"}{end}'

# %% [markdown]
# Scale `web` from 4 to 6 replicas: the two new Pods can only go to `course-worker2`.

# %%
# %%terminal
kubectl scale deployment web -n maintenance --replicas=6
kubectl rollout status deployment/web -n maintenance --timeout=120s
kubectl get pods -n maintenance -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c

# %%
maintenance_pods(view)

# %% [markdown]
# ## `drain`: empty the node
#
# `kubectl drain` cordons the node (already done here), then **evicts** each of its Pods.
# An eviction is a polite deletion: it goes through the Pod's PodDisruptionBudget, and the
# Pod gets its usual grace period to stop. The Pod's controller (here the Deployment's
# ReplicaSet) sees a replica missing and creates a new Pod, which the scheduler places on a
# schedulable node.
#
# Try the deck's command as it is:

# %% tags=["nbval-ignore-output"]
# %%terminal --allow-fail
kubectl drain course-worker

# %% [markdown]
# It refuses, and evicts nothing — our Pods have not moved:

# %%
# %%terminal
kubectl get pods -n maintenance -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c

# %% [markdown]
# Two kinds of Pods on the node stop it, and the message names each:
#
# - **DaemonSet Pods** (`kube-proxy`, the network plugin `labkit-net`, MetalLB's `speaker`...):
#   a DaemonSet runs one Pod *per node* and tolerates the unschedulable taint, so an
#   evicted one would come straight back. `--ignore-daemonsets` says "leave them, I know";
#   they stop with the node itself.
# - **Pods with an `emptyDir` volume** (our `web`): its data is lost with the Pod.
#   `--delete-emptydir-data` says it is only a cache.
#
# A third kind, which this node does not run, would need `--force`: Pods managed by no
# controller (created with a bare `kind: Pod`), because nothing would ever recreate them.
#
# Before the real drain, protect the application with a **PodDisruptionBudget** (PDB): it
# states how many replicas must stay available during *voluntary* disruptions such as a
# drain — here at least 5 of the 6. Evictions that would go below are refused (for a while);
# plain deletions and crashes are not concerned.

# %%
# %%terminal
kubectl apply -n maintenance -f - <<'YAML'
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 5
  selector:
    matchLabels:
      app: web
YAML
kubectl wait pdb/web -n maintenance --for=jsonpath='{.status.disruptionsAllowed}'=1 --timeout=60s
kubectl get pdb web -n maintenance

# %% [markdown]
# 6 healthy Pods, 5 wanted: 1 disruption allowed at a time (the disruption controller
# computes that a moment after the PDB is created: `kubectl wait` waits for it).
#
# On a real cluster you drain the whole node. Here, the cluster's own add-ons may also run on
# `course-worker` — metrics-server (with its `emptyDir`, hence its place in the refusal
# above when it runs there), CoreDNS, MetalLB's controller — and the course leaves them
# where they are, so that nothing but this chapter's Pods moves. So we limit the drain with
# **`--pod-selector`**. That selector matches Pods of *every* namespace on the node, and
# `app=web` is a common label (chapters 12 and 13 use it too), hence the label only this
# chapter's Pods carry, `owner=maintenance`. `--timeout` bounds the wait, as every wait in
# this course:

# %% tags=["nbval-ignore-output"]
# %%terminal
kubectl drain course-worker --ignore-daemonsets --delete-emptydir-data --pod-selector=owner=maintenance --timeout=120s

# %% [markdown]
# Read the output: `drain` asked to evict both Pods of `course-worker` at once, but the
# budget let only one go; the other was refused (*Cannot evict pod as it would violate the
# pod's disruption budget*) and `drain` retried every 5 seconds until the first one's
# replacement was ready on `course-worker2`. The application always kept at least 5
# replicas serving.
# The drain's exact messages depend on timing, which is why that cell's output is not
# compared by the course's tests; the result is:

# %%
# %%terminal
kubectl rollout status deployment/web -n maintenance --timeout=120s
kubectl get pods -n maintenance -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c
kubectl wait pdb/web -n maintenance --for=jsonpath='{.status.disruptionsAllowed}'=1 --timeout=60s
kubectl get pdb web -n maintenance

# %% [markdown]
# All six replicas now run on `course-worker2`, and the budget is whole again: one
# disruption allowed.
#
# The DaemonSet Pods did not move — each node still runs its own `kube-proxy`:

# %%
# %%terminal
kubectl get pods -n kube-system -l k8s-app=kube-proxy -o custom-columns=NODE:.spec.nodeName,STATUS:.status.phase --sort-by=.spec.nodeName

# %%
maintenance_pods(view)

# %% [markdown]
# The node is now empty of application Pods: the administrator can reboot or upgrade it.
#
# ## `uncordon`: give the node back
#
# Maintenance done: allow scheduling again.

# %%
# %%terminal
kubectl uncordon course-worker
kubectl get nodes
kubectl get pods -n maintenance -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c

# %% [markdown]
# The node is schedulable, yet all six Pods stay on `course-worker2`: the scheduler only
# places *new* Pods, it never moves running ones (that would be a disruption nobody asked
# for). New Pods may land on `course-worker` again. To rebalance now, replace the Pods:
# `kubectl rollout restart` rolls the Deployment out again, a few Pods at a time, and the
# spread constraint, which counts only the new revision's Pods, puts them half on each node.

# %%
# %%terminal
kubectl rollout restart deployment/web -n maintenance
kubectl rollout status deployment/web -n maintenance --timeout=120s
kubectl get pods -n maintenance -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c

# %%
maintenance_pods(view)

# %% [markdown]
# > 💡 The Kubernetes *descheduler* (a separate add-on) does that rebalancing automatically,
# > by evicting Pods from crowded nodes.
#
# ## Exercises
#
# Both exercises use the Deployment `shop` of namespace `ex11` (two nginx replicas, one per
# worker) created by this cell:

# %%
# %%terminal
kubectl create namespace ex11 --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -n ex11 -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
        owner: ex11
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: DoNotSchedule
          nodeTaintsPolicy: Honor
          labelSelector:
            matchLabels:
              app: shop
      containers:
        - name: nginx
          image: nginx
YAML
kubectl rollout status deployment/shop -n ex11 --timeout=120s
kubectl get pods -n ex11 -l app=shop -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}{{"\n"}}{{end}}{{end}}' | sort | uniq -c

# %% [markdown]
# ### Exercise 1 — keep new Pods off a node
#
# Scale `shop` to **4** replicas so that both new Pods land on `course-worker`, and
# none on `course-worker2` — without editing the Deployment: cordon the right node first.
# When the check passes, make that node schedulable again.

# %%
# %%terminal
# your commands here

# %%
labkit.check("11.cordon")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 11.cordon
kubectl cordon course-worker2
kubectl scale deployment shop -n ex11 --replicas=4
kubectl rollout status deployment/shop -n ex11 --timeout=120s
kubectl uncordon course-worker2

# %% [markdown]
# ### Exercise 2 — drain a node
#
# Drain `course-worker` so that every Pod of `shop` runs on `course-worker2` (as above, limit
# the drain to the exercise's Pods with `--pod-selector=owner=ex11`), and check. Then
# `uncordon` it (the check reminds you): do not leave a node cordoned.

# %%
# %%terminal
# your commands here

# %%
labkit.check("11.drain")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 11.drain
kubectl drain course-worker --ignore-daemonsets --delete-emptydir-data --pod-selector=owner=ex11 --timeout=120s
kubectl rollout status deployment/shop -n ex11 --timeout=120s
kubectl uncordon course-worker

# %% [markdown]
# ## Clean up
#
# Whatever happened above, leave every worker schedulable (`uncordon` on a schedulable node
# changes nothing):

# %%
# %%terminal
kubectl uncordon course-worker course-worker2
kubectl get nodes

# %% [markdown]
# The dashboard agrees: every node schedulable, `web` spread over both workers.

# %%
maintenance_pods(view)

# %% [markdown]
# Then `labkit.finish` deletes the chapter's namespaces, `maintenance` and `ex11`, makes sure
# no node is left cordoned, and checks that nothing of the chapter is left:

# %%
labkit.finish("11")

# %% [markdown]
# ## Summary
#
# - **`kubectl cordon NODE`** marks the node unschedulable (`SchedulingDisabled`): running
#   Pods stay, new Pods go elsewhere. **`kubectl uncordon NODE`** allows scheduling again —
#   the deck's slide calls that one `cordon`.
# - **`kubectl drain NODE`** = cordon + evict every Pod, which its controller recreates on
#   other nodes. It needs `--ignore-daemonsets` (DaemonSet Pods stay: one per node),
#   `--delete-emptydir-data` for Pods with scratch volumes, `--force` for bare Pods;
#   `--pod-selector` limits it, `--timeout` bounds it.
# - A **PodDisruptionBudget** (`minAvailable` or `maxUnavailable`) makes drains evict a few
#   Pods at a time, so the application keeps serving.
# - After `uncordon`, Pods do not move back by themselves: `kubectl rollout restart`
#   rebalances a Deployment.
#
# ## What's next
#
# Chapter 12 follows the deck's slide on `NetworkPolicy`: which Pods may talk to which.
