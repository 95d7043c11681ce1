# %% [markdown]
# # 09 · Deployments, selectors and scaling
#
# This chapter follows three slides of the deck: *Un `Deployment` va créé un ou plusieurs
# `Pod` en fonction du nombre de replica* (the Deployment `nginx-1`, with its resource
# limits and requests), *Selecteurs* (label queries), and *Scaling et suppression du
# `Namespace`* — 0, 2, then 10 Pods (*… euh 5 ?*), and deleting the namespace (*… enfin
# presque … les PersistentVolume restent*).
#
# **What you will learn**
# - how a Deployment creates its Pods through a ReplicaSet, and what each line of the
#   deck's Deployment means;
# - how label selectors find objects, in one namespace or in all;
# - how to scale a Deployment, and why the quota of chapter 07 stops it at 5 Pods — the
#   refusal shows up in the ReplicaSet's events, not in your terminal;
# - what `kubectl delete namespace` removes, and what it leaves: PersistentVolumes that are
#   *retained*.
#
# **Prerequisites**: chapter 07 (namespaces and quotas) and chapter 08 (Services).

# %%
import labkit

labkit.chapter("09-deployments-scaling")

# %% [markdown]
# ## The Deployment (*Un `Deployment` va créé un ou plusieurs `Pod`…*)
#
# First the namespace of chapter 07, with its quota of 5 Pods (this chapter's folder has a
# copy of the deck's file, `namespace.yaml`). Then the deck's Deployment, in
# `deployment.yaml`:

# %%
# %%terminal
kubectl apply -f ../namespace.yaml
cat ../deployment.yaml

# %% [markdown]
# Line by line:
#
# | Lines | Meaning |
# |---|---|
# | `apiVersion: apps/v1`, `kind: Deployment` | the object's type; Deployments are in the API group `apps` |
# | `metadata.name`, `metadata.namespace` | its name, unique in the namespace `nginx-1` |
# | `spec.replicas: 1` | how many Pods the Deployment keeps running |
# | `spec.selector.matchLabels` | how it recognises *its* Pods: those labelled `app: nginx-1` |
# | `spec.template` | the Pod to create, a Pod manifest without `apiVersion`/`kind` (chapter 06) |
# | `template.metadata.labels` | the labels each Pod gets: they **must** match the selector |
# | `containers[].resources.requests` | what the scheduler reserves on a node: 128m CPU, 128Mi memory |
# | `containers[].resources.limits` | the most the container may use: 256m CPU (throttled above), 256Mi (killed above) |
# | `containers[].ports` | documents that nginx listens on 80 (Services do not need it) |
#
# A Deployment does not create Pods itself: it creates a **ReplicaSet** (named after the
# Deployment and a hash of the Pod template), and the ReplicaSet creates the Pods (named
# after the ReplicaSet and a random suffix). Each object says who owns it, so deleting the
# Deployment deletes the rest.

# %%
# %%terminal
kubectl apply -f ../deployment.yaml
kubectl rollout status deployment/nginx-1 --namespace nginx-1 --timeout=120s
kubectl get deployment,replicaset,pods --namespace nginx-1

# %% [markdown]
# ## Selectors (*Selecteurs*)
#
# A **label selector** filters objects by their labels: `-l app=nginx-1` (equality),
# `-l 'app in (nginx-1,hello)'` (sets), `-l '!app'` (no such label). The deck's first query
# looks for the objects of the application in every namespace:

# %%
# %%terminal
kubectl get all --all-namespaces -l app=nginx-1

# %% [markdown]
# The Pod and its ReplicaSet are there — but not the Deployment! The deck's YAML labels the
# *Pod template*, not the Deployment's own `metadata`, and a selector only sees the
# object's own labels. (The ReplicaSet copies the template's labels, plus
# `pod-template-hash`.) Nor is the Namespace there, although it is labelled
# `app=nginx-1`: `all` means the common namespaced kinds, and namespaces are not
# namespaced (chapter 07).
#
# The deck's second query looks for the master nodes:

# %%
# %%terminal
kubectl get nodes -l kubernetes.io/role=master
kubectl get nodes -l node-role.kubernetes.io/control-plane

# %% [markdown]
# > 📝 **Deck note** — `kubernetes.io/role=master` was set by some installers of the
# > deck's time (kops); kubeadm labelled its masters `node-role.kubernetes.io/master`. Since
# > Kubernetes 1.20 kubeadm also sets **`node-role.kubernetes.io/control-plane`**, the
# > label selected above; 1.24 stopped setting the `master` one. "Master" is now called
# > **control plane**. The ROLES column of `kubectl get nodes` is made from the
# > `node-role.kubernetes.io/ROLE` labels (and from `kubernetes.io/role` where an installer
# > still sets it): here `control-plane`, and `<none>` for the workers, which carry no role
# > label.
#
# ## Scaling (*Scaling et suppression du `Namespace`*)
#
# `kubectl scale` changes `spec.replicas`; the ReplicaSet creates or deletes Pods to match.
# **0 Pods** — the Deployment stays, ready to grow again. We wait (bounded) until its Pod
# has stopped and is gone:

# %%
# %%terminal
kubectl scale deployment nginx-1 --namespace nginx-1 --replicas=0
kubectl wait --for=delete pod -l app=nginx-1 --namespace nginx-1 --timeout=60s
kubectl get deployment nginx-1 --namespace nginx-1
kubectl get pods --namespace nginx-1

# %% [markdown]
# **2 Pods**:

# %%
# %%terminal
kubectl scale deployment nginx-1 --namespace nginx-1 --replicas=2
kubectl rollout status deployment/nginx-1 --namespace nginx-1 --timeout=120s
kubectl get pods --namespace nginx-1

# %% [markdown]
# **10 Pods… euh 5 ?** `kubectl scale` succeeds: the Deployment accepts 10 replicas. But
# its ReplicaSet may only create 5 Pods in this namespace, and `rollout status` would wait
# forever, so we wait until 5 are ready (bounded):

# %%
# %%terminal
kubectl scale deployment nginx-1 --namespace nginx-1 --replicas=10
kubectl wait --for=jsonpath='{.status.readyReplicas}'=5 deployment/nginx-1 --namespace nginx-1 --timeout=120s
kubectl get deployment nginx-1 --namespace nginx-1
kubectl describe quota pods --namespace nginx-1

# %% [markdown]
# `READY 5/10`. Why 5? Nobody got an error: the Pods are created by the ReplicaSet's
# controller, so *it* received the refusal of chapter 07 (`exceeded quota`). Controllers
# report such things as **events** attached to the object. Here is the first one with the
# reason `FailedCreate` (the controller retries, with a growing delay, and each retry adds
# an event):

# %%
# %%terminal
kubectl get events --namespace nginx-1 --field-selector reason=FailedCreate --sort-by=.metadata.creationTimestamp -o custom-columns=KIND:.involvedObject.kind,OBJECT:.involvedObject.name,MESSAGE:.message | head -2

# %% [markdown]
# The same refusal is in the ReplicaSet's status, as a condition `ReplicaFailure`:

# %%
# %%terminal
kubectl describe replicaset --namespace nginx-1 -l app=nginx-1 | grep -A4 '^Conditions:'

# %% [markdown]
# ### The scaling dashboard
#
# The course's **scale slider** is bound to the Deployment: moving it runs `kubectl scale`.
# It shows desired, current and ready replicas, the `pods` quota, and — while Pods are
# missing — the ReplicaSet's latest `FailedCreate` event. Try 3, then 7: each move also
# starts a one-minute *follow*, a watch on the API that updates the counts as the Pods come
# and go (*Refresh* reads them once more). The **Pod list** below it shows the Pods that carry `app=nginx-1`, in every
# namespace.

# %% tags=["nbval-ignore-output"]
from labkit.widgets import PodList, ScaleSlider

slider = ScaleSlider("nginx-1", "nginx-1")
slider

# %%
print(slider.summary())

# %% tags=["nbval-ignore-output"]
pods = PodList("app=nginx-1")
pods

# %%
print(pods.summary())
for row in pods.rows:
    print(f"{row.namespace}/{row.name}: {row.ready} {row.status}")

# %% [markdown]
# > **Note** — if you moved the slider, the outputs below differ from the recorded
# > ones: set it back to 10 (or run `kubectl scale … --replicas=10`) before going on.
#
# ### The Deployment, summarised and whole
#
# The deck's next command, `kubectl describe`, sums the Deployment up: the Pod template,
# `Replicas: 10 desired | 5 updated | 5 total | 5 available | 5 unavailable`, and the
# conditions — `Available False` (fewer than the minimum available Pods:
# 10 − 25% `maxUnavailable`) and `ReplicaFailure True FailedCreate`. Its events tell the
# scaling story. (We leave out its `CreationTimestamp` line, which changes at every run.)

# %%
# %%terminal
kubectl describe deployment nginx-1 --namespace nginx-1 | grep -v '^CreationTimestamp:'

# %% [markdown]
# `-o yaml` shows the whole object as the API server stores it. Most lines were not in our
# file: the server filled in **defaults** (`strategy` RollingUpdate, `revisionHistoryLimit`,
# `imagePullPolicy`, `terminationGracePeriodSeconds`...). `metadata` holds what it tracks
# (`generation` counts changes of `spec`: apply, then 3 scales = 4; the annotation
# `last-applied-configuration` is our file as `kubectl apply` sent it — it still says
# `replicas: 1`), and `status` is what the controllers observed (its `terminatingReplicas`,
# the Pods on their way out — 0 here — is filled in by default since Kubernetes 1.35):

# %%
# %%terminal
kubectl get deployment nginx-1 --namespace nginx-1 -o yaml

# %% [markdown]
# ## Deleting the namespace (*Détruit ce Namespace et ce qu'il contient...*)
#
# `kubectl delete namespace` deletes everything in it: Deployments, ReplicaSets, Pods,
# Services, quotas, claims... *… enfin presque … les PersistentVolume restent*. A
# **PersistentVolume** (PV) is a disk, and it belongs to the cluster, not to a namespace
# (chapter 07). A namespace holds only a **PersistentVolumeClaim** (PVC), a request for a
# disk, that the cluster binds to a PV. What happens to the PV when its claim goes is
# its **reclaim policy**: `Delete` (the disk is erased with it) or `Retain` (it stays).
#
# Let us give the namespace a disk. The file `data.yaml` claims 64Mi from the StorageClass
# `standard` (kind's *local-path* provisioner: a folder on a node), and runs a Pod `writer`
# that mounts it. The quota is full, so we first scale down to 2:

# %%
# %%terminal
kubectl scale deployment nginx-1 --namespace nginx-1 --replicas=2
kubectl wait --for=jsonpath='{.status.used.pods}'=2 resourcequota/pods --namespace nginx-1 --timeout=60s
cat ../data.yaml
kubectl apply -f ../data.yaml
kubectl wait --for=condition=Ready pod/writer --namespace nginx-1 --timeout=120s
kubectl exec --namespace nginx-1 writer -- sh -c 'echo "written in namespace nginx-1" > /data/hello.txt'
kubectl get pvc --namespace nginx-1

# %% [markdown]
# The provisioner created a PV for the claim, named `pvc-` + the claim's uid. Its policy is
# the StorageClass's default, `Delete`. We note its name (and the writer's node) in files,
# since the claim that knows them is about to go, and switch the policy to `Retain`:

# %%
# %%terminal
kubectl get pvc data --namespace nginx-1 -o jsonpath='{.spec.volumeName}' > pv-name.txt
kubectl get pod writer --namespace nginx-1 -o jsonpath='{.spec.nodeName}' > node.txt
kubectl patch pv $(cat pv-name.txt) -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'
kubectl get pv $(cat pv-name.txt)

# %% [markdown]
# Now the deck's command (with a bound on how long kubectl waits for the namespace to be
# emptied and removed):

# %%
# %%terminal --allow-fail
kubectl delete namespace nginx-1 --timeout=120s
kubectl get namespace nginx-1

# %% [markdown]
# ... the PV remains. Its status becomes `Released`: its claim is gone (the CLAIM column
# remembers it), and it will not be given to another claim by itself — its data may be
# someone's. The data is still on the node:

# %%
# %%terminal
kubectl wait --for=jsonpath='{.status.phase}'=Released pv/$(cat pv-name.txt) --timeout=60s
kubectl get pv $(cat pv-name.txt)
docker exec $(cat node.txt) cat /var/local-path-provisioner/$(cat pv-name.txt)_nginx-1_data/hello.txt

# %% [markdown]
# An administrator decides what to do with a released volume: copy its data, bind it to a
# new claim by hand, or delete it. We set its policy back to `Delete`: the PV controller
# then asks the provisioner to erase the folder, and removes the PV.

# %%
# %%terminal
kubectl patch pv $(cat pv-name.txt) -p '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'
kubectl wait --for=delete pv/$(cat pv-name.txt) --timeout=60s

# %% [markdown]
# > 📝 **Deck note** — the deck says the PersistentVolumes *remain*: true for volumes with the
# > `Retain` policy (and for volumes created by hand, which default to it). Volumes that a
# > StorageClass provisions default to `Delete` and go with their claim, so check
# > `RECLAIM POLICY` before deleting a namespace whose data matters.
#
# ## Exercises
#
# ### Exercise 1 — the workers, by selector
#
# Using a label selector on the nodes, find the names of the nodes that are **not** part
# of the control plane. Put them in `answer` (a string with the names separated by spaces,
# or a list).

# %%
answer = None  # the worker nodes' names

# %%
labkit.check("09.selector", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 09.selector.
print("[exercise 09.selector: the steps, then the check]")
# `!label` selects the objects that do not have the label.
workers = labkit.kubectl(
    "get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[*].metadata.name}'"
)
labkit.check("09.selector", workers.output)

# %% [markdown]
# ### Exercise 2 — a bigger quota
#
# The namespace is gone. Create it again with the deck's `namespace.yaml`, raise its quota
# to **8** Pods, deploy `nginx-1` again (`deployment.yaml`), and scale it to **8** replicas:
# all 8 must be available.

# %%
# %%terminal
# your commands here

# %%
labkit.check("09.quota")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 09.quota
kubectl apply -f ../namespace.yaml
kubectl patch resourcequota pods --namespace nginx-1 -p '{"spec":{"hard":{"pods":"8"}}}'
kubectl apply -f ../deployment.yaml
kubectl scale deployment nginx-1 --namespace nginx-1 --replicas=8
kubectl rollout status deployment/nginx-1 --namespace nginx-1 --timeout=120s

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespace, `nginx-1`, and any PersistentVolume its
# claims left behind, then checks that nothing of the chapter is left:

# %%
labkit.finish("09")

# %% [markdown]
# ## Summary
#
# - A **Deployment** keeps `replicas` Pods of its `template` running, through a
#   **ReplicaSet**; its `selector` must match the template's labels.
# - **Label selectors** (`-l`) filter objects by their own labels, in a namespace or in all
#   (`--all-namespaces`); the control-plane nodes carry
#   `node-role.kubernetes.io/control-plane`.
# - `kubectl scale` changes the desired replicas; a **quota** can leave a Deployment short
#   (`READY 5/10`), and the reason is an event (`FailedCreate`, `exceeded quota`) and a
#   `ReplicaFailure` condition, not an error in your terminal.
# - `kubectl delete namespace` deletes what the namespace holds; **PersistentVolumes** are
#   cluster objects: with the `Retain` policy they survive, `Released`, with their data.
#
# ## What's next
#
# Chapter 10 follows the slide on **RBAC** — *Tiens j'ai envie de détruire des `Namespaces`
# ou de supprimer mes `ResourceQuota`...*: who may do what, so that nobody deletes a
# namespace by mistake.
