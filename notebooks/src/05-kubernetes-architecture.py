# %% [markdown]
# # 05 · Kubernetes architecture
#
# This chapter follows the deck's part **« Kubernetes (k8s) »**: the slide *Architecture de
# base* and its notes (the master's components, the node's components, the networking
# model), the slide *D'autres objets à déclarer, monsieur ?*, and the slide of `kubectl`
# commands (`kubectl get nodes`, `kubectl get svc`, `kubectl get all`, `kubectl apply`,
# `kubectl logs`).
#
# **What you will learn**
# - the components of a Kubernetes cluster — `kube-apiserver`, `etcd`, `kube-scheduler`,
#   `kube-controller-manager` on the control plane; `kubelet`, the container runtime and
#   `kube-proxy` on every node — and where each one runs in the course's cluster;
# - how Pods on different nodes reach each other (the pod network, made by a CNI agent);
# - the kinds of objects the API knows, and the deck's everyday `kubectl` commands —
#   including the two that do not do what they seem to.
#
# **Prerequisites**: chapter 04 (a cluster keeps the declared state).

# %%
import labkit

labkit.chapter("05-kubernetes-architecture")

# %% [markdown]
# ## The cluster and its API (*Kubernetes (k8s)*)
#
# Everything you do with Kubernetes goes through one HTTP API, served by the
# **`kube-apiserver`**. `kubectl` is a client of that API, as `docker` is a client of
# `dockerd` (chapter 02). It finds the server in its configuration file (`~/.kube/config`),
# under the current *context*:

# %%
# %%terminal
kubectl config current-context
kubectl version
kubectl get nodes

# %% [markdown]
# Client and server have the same version here (`kubectl` supports one minor version of
# difference either way). Three nodes: one **control plane** (the deck says *master*), which
# runs the cluster's brain, and two **workers**, which run your Pods.
#
# The API server reports its own health, check by check. `kubectl get --raw` sends a plain
# GET to any path of the API:

# %%
# %%terminal
kubectl get --raw '/readyz?verbose' | grep -E '^\[\+\]etcd|check passed'

# %% [markdown]
# `[+]etcd ok`: the API server can reach its database. That is the next component.
#
# ## The control plane (*Architecture de base*)
#
# The deck's slide draws the architecture; here it is, redrawn with the names of today's
# components. This section and the next find each of them running in the course's cluster.
#
# ![The control plane runs kube-apiserver, the only component that reads and writes etcd,
# and kube-scheduler and kube-controller-manager, which watch the API server; each node runs
# a kubelet, which watches the API server for its Pods and has the container runtime run
# them, and kube-proxy, which turns Services into network rules; the pod network joins the
# Pods of every node](../images/kubernetes-architecture.svg)
#
# (The control plane node is a machine too: it runs a kubelet and a container runtime, which
# start the control plane's own components, as we will see.)
#
# The deck's notes name four components on the master:
#
# | Component | Its job (deck's notes) |
# |---|---|
# | `kube-apiserver` | exposes the Kubernetes API: the front-end of the control plane |
# | `etcd` | consistent, highly-available key-value store: **all** cluster data |
# | `kube-scheduler` | watches new Pods with no node, and chooses a node for each |
# | `kube-controller-manager` | runs the controllers (node, replication, endpoints, service accounts and tokens…) — logically separate, compiled into one binary, one process |
#
# > 📝 **Deck note** — two of the controllers the deck names have changed. The *Endpoints*
# > controller still fills `Endpoints` objects, but that API is deprecated since Kubernetes
# > 1.33: the *EndpointSlice* controller does the job now (chapter 08). The *token*
# > controller no longer creates a long-lived token Secret for each ServiceAccount (since
# > 1.24): Pods get short-lived tokens from the API server instead. That count of secrets,
# > always 0 since, is why `kubectl get serviceaccounts` further down has no `SECRETS`
# > column any more (the API server dropped it in 1.35).
#
# Only the API server talks to etcd; every other component — scheduler, controllers,
# kubelets, `kubectl` — talks to the API server. In this cluster (built by `kubeadm`, as
# kind does) the four run as Pods in the namespace `kube-system`, on the control plane node:

# %%
# %%terminal
kubectl get pods --namespace kube-system -l tier=control-plane -o custom-columns=POD:.metadata.name,COMPONENT:.metadata.labels.component,NODE:.spec.nodeName,STATUS:.status.phase

# %% [markdown]
# But who starts the API server's Pod, if every Pod goes through the API server? The
# **kubelet** of the control plane node does, on its own: these are **static Pods**, read
# from manifest files in a folder the kubelet watches. The control plane node is a Docker
# container here (kind), so `docker exec` opens it:

# %%
# %%terminal
docker exec course-control-plane ls /etc/kubernetes/manifests
docker exec course-control-plane grep -E -- '--(etcd-servers|secure-port)=' /etc/kubernetes/manifests/kube-apiserver.yaml

# %% [markdown]
# The API server listens on port 6443 and keeps its data in the etcd on the same node
# (`127.0.0.1:2379`). The scheduler and the controller manager may run in several copies
# for high availability; one copy at a time is the *leader*, which holds a **Lease** object,
# renewed every few seconds (`SECONDS`: if the leader stops renewing it for 15 s, another
# copy may take over):

# %%
# %%terminal
kubectl get lease --namespace kube-system kube-scheduler kube-controller-manager -o custom-columns=LEASE:.metadata.name,HOLDER:.spec.holderIdentity,SECONDS:.spec.leaseDurationSeconds

# %% [markdown]
# The holder is named after the node and a random id, so each run shows another id.
#
# ## The nodes: kubelet, container runtime, kube-proxy
#
# The deck's notes name two components on every node:
#
# - **`kubelet`** — the agent that makes sure the containers of the Pods assigned to its node
#   are running and healthy. It gets PodSpecs from the API server (or from the static
#   manifest folder), and asks the **container runtime** to run them. It does not manage
#   containers that Kubernetes did not create.
# - **`kube-proxy`** — it implements Services (chapter 08) with network rules on the node.
#
# The kubelet is not a Pod: it is a plain service of the node's operating system
# (`systemd`), next to the container runtime, `containerd` — the same program that runs
# under Docker in chapter 02:

# %%
# %%terminal
docker exec course-worker systemctl is-active kubelet containerd

# %% [markdown]
# `crictl` talks to `containerd` through the CRI, the interface the kubelet uses: `crictl ps`
# lists the containers the kubelet started on that node. Here are the names of those of the
# namespace `kube-system` (`jq` picks the names out of the JSON output; your own Pods'
# containers would be listed too, in their namespaces). `metrics-server`, a single Pod that
# the scheduler puts on either worker, is left out so the list is the same on every run:

# %%
# %%terminal
docker exec course-worker crictl ps --namespace kube-system -o json | jq -r '.containers[].metadata.name' | sort | grep -vx metrics-server

# %% [markdown]
# No scheduler, API server or etcd on a worker: only node agents, each started as a Pod.
# `kube-proxy` is one; `labkit-net` (the pod network, below, which also enforces the
# NetworkPolicies of chapter 12) is the other. A **DaemonSet** is the object
# that says "one copy of this Pod on every node":

# %%
# %%terminal
kubectl get daemonsets --namespace kube-system

# %% [markdown]
# Three nodes, three copies of each. `kube-proxy` (in its default mode, which kind keeps)
# turns each Service into `iptables` rules on every node; here is the rule for the API server's own Service, `default/kubernetes`:

# %%
# %%terminal
docker exec course-worker iptables -t nat -S KUBE-SERVICES | grep 'default/kubernetes:https'

# %% [markdown]
# ## The pod network (the deck's *Networking model*)
#
# Kubernetes asks for one thing from the network: every Pod has its own IP address, and
# every Pod reaches every other Pod at that address, on any node, without NAT. Kubernetes
# does not build that network itself: a **CNI plugin** does (Container Network Interface),
# called by the runtime each time a Pod starts.
#
# In this cluster the network agent is **`labkit-net`**, the DaemonSet above. It plays the
# role that `kindnetd` plays in an ordinary kind cluster. Each node owns a range of
# addresses (its *podCIDR*):

# %%
# %%terminal
kubectl get nodes -o custom-columns=NODE:.metadata.name,POD_CIDR:.spec.podCIDR,NODE_IP:.status.addresses[0].address

# %% [markdown]
# On each node, `labkit-net` writes the CNI configuration: the `ptp` plugin gives each Pod a
# *point-to-point* link (a veth pair) to its node and an address from the node's range
# (`host-local`):

# %%
# %%terminal
docker exec course-worker cat /etc/cni/net.d/10-labkit-net.conflist

# %% [markdown]
# Then it adds one **route** per other node: "the Pods of that node's range are reached
# through that node's IP". The nodes share one network (Docker's network `kind`), so
# a packet from a Pod goes out unchanged, node to node, to the other Pod:

# %%
# %%terminal
docker exec course-worker ip route show | grep ' via '

# %% [markdown]
# > 📝 **Deck note** — the deck's notes say that the networking model is **Flannel**, "a very
# > simple overlay network". An *overlay* wraps each packet between Pods into another packet
# > between nodes (VXLAN, Flannel's default backend), so it works even when the nodes cannot
# > route the Pods' addresses. Here the nodes share one network, so plain routes are enough
# > (no encapsulation); this is what kind's `kindnetd` does too, and Flannel's `host-gw`
# > backend. Flannel, Calico, Cilium... are other CNI plugins; all of
# > them give the same model: one IP per Pod, reachable from every Pod.
#
# One more component of `kube-system` completes the picture: **CoreDNS**, the cluster's DNS
# server, which gives Services names (chapter 08). It is an ordinary Deployment (two Pods,
# for availability) behind a Service, `kube-dns`:

# %%
# %%terminal
kubectl get deployment coredns --namespace kube-system
kubectl get service kube-dns --namespace kube-system -o custom-columns=NAME:.metadata.name,PORTS:.spec.ports[*].name

# %% [markdown]
# ## The deck's commands
#
# The deck's slide of commands, one by one:
#
# ```bash
# kubectl get nodes # Affiche les noeuds du cluster
#
# # Affiche les services sur le namespace "default"
# kubectl get svc
# # Affiche la plupart des objets du namespace kube-system
# kubectl get all --namespace kube-system
#
# # Déclaration d'objets sur le cluster
# echo manifest.yml | kubectl apply -f -
#
# # Affiche et suit les logs de mon pod
# kubectl logs my-pod --namespace my-app -f
# ```
#
# `kubectl get nodes` is above. `kubectl get svc` (`svc` is the short name of `services`)
# lists the Services of the namespace `default`, where the API server's own Service lives:

# %%
# %%terminal
kubectl get svc

# %% [markdown]
# `kubectl get all` lists *most* objects of a namespace — the deck's comment says so:

# %%
# %%terminal
kubectl get all --namespace kube-system -o name | sort

# %% [markdown]
# > 📝 **Deck note** — `all` is not every object: it is the *category* `all`, which a few
# > common kinds declare (Pods, Services, ReplicationControllers, DaemonSets, Deployments,
# > ReplicaSets, StatefulSets, Jobs, CronJobs, HorizontalPodAutoscalers; a custom resource
# > may join it). ConfigMaps, Secrets, ServiceAccounts, Roles, Ingresses,
# > PersistentVolumeClaims... are not in it. The namespace `kube-system` holds some: the
# > configurations of CoreDNS, kube-proxy, kubeadm and the kubelet, and the accounts its Pods
# > run as.

# %%
# %%terminal
kubectl get configmaps --namespace kube-system -o name | grep -E 'coredns|kube-proxy|kubeadm|kubelet'
kubectl get serviceaccounts --namespace kube-system coredns kube-proxy

# %% [markdown]
# (We add `-o name` and `sort` to keep the listings short; try the plain commands too.)
#
# ## Other objects (*D'autres objets à déclarer, monsieur ?*)
#
# The deck's picture shows the many kinds of objects you can declare. The API server lists
# the ones it knows: `kubectl api-resources`. The full list is long (this cluster has add-ons
# with their own kinds); here are the kinds of three *API groups* — the core group (empty
# name: `v1`), `apps` and `batch`:

# %%
# %%terminal
kubectl api-resources --api-group=''
kubectl api-resources --api-group=apps
kubectl api-resources --api-group=batch

# %% [markdown]
# Each kind has a name (for `kubectl get`), short names (`po`, `svc`, `deploy`, `ds`...), an
# API version (the `apiVersion:` of its YAML) and a scope: **namespaced** objects live in a
# namespace; others (Nodes, Namespaces, PersistentVolumes, ClusterRoles...) belong to the
# whole cluster. `kubectl explain` documents any field, from the cluster itself:

# %%
# %%terminal
kubectl explain pod.spec.nodeName

# %% [markdown]
# ## Declaring objects: `kubectl apply`
#
# The deck declares objects with `echo manifest.yml | kubectl apply -f -`. Here is a
# `manifest.yml` (in this chapter's folder): a Namespace `my-app`, and a Pod `my-pod` that
# prints a line every 2 seconds:

# %%
# %%terminal
cat ../manifest.yml

# %% [markdown]
# `-f -` means "read the manifest from standard input". But `echo manifest.yml` writes the
# *file name*, not its content, so `kubectl` receives the text `manifest.yml` — not a
# Kubernetes object:

# %%
# %%terminal --allow-fail
echo ../manifest.yml | kubectl apply -f -

# %% [markdown]
# > 📝 **Deck note** — the deck's `echo manifest.yml | kubectl apply -f -` cannot work. The
# > intended forms are `kubectl apply -f manifest.yml` (a file; also a folder or a URL), or
# > `cat manifest.yml | kubectl apply -f -` (any command that *prints* YAML, piped).

# %%
# %%terminal
cat ../manifest.yml | kubectl apply -f -
kubectl apply -f ../manifest.yml
kubectl wait --for=condition=Ready pod/my-pod --namespace my-app --timeout=120s

# %% [markdown]
# The second `apply` changes nothing (`unchanged`): `apply` is *declarative*, you can run it
# again and again, it only sends differences. Behind the scenes, the components met above
# each did their part. The events of the Pod tell who:

# %%
# %%terminal
kubectl get events --namespace my-app --field-selector involvedObject.name=my-pod,reason=Scheduled -o custom-columns=REASON:.reason,BY:.reportingComponent
kubectl get events --namespace my-app --field-selector involvedObject.name=my-pod,reason=Started -o custom-columns=REASON:.reason,BY:.reportingComponent,MESSAGE:.message

# %% [markdown]
# `kubectl` sent the objects to the **API server**, which stored them in **etcd**; the
# **scheduler** saw a Pod with no node and chose one; the **kubelet** of that node saw a Pod
# for itself and had **containerd** start its container, on an address given by the **CNI
# plugin**. Which node? `-o wide` adds, among others, the columns IP and NODE (the scheduler
# chooses one of the two workers: yours may differ from the one recorded here):

# %% tags=["nbval-ignore-output"]
# %%terminal
kubectl get pod my-pod --namespace my-app -o wide

# %% [markdown]
# ## Reading logs: `kubectl logs`
#
# A container's logs are what it writes to its standard output and error; the container
# runtime keeps them in files on the node (`/var/log/pods`), and `kubectl logs` reads them
# through the API server, which asks the node's kubelet. The deck adds `-f` (*follow*):
# `kubectl` prints new lines as they come and **does not end** while the container runs —
# in a terminal you stop it with Ctrl-C. In a notebook cell that would block forever, so we start from the last
# line (`--tail 1`) and let `head` stop it after three lines:

# %%
# %%terminal --timeout 30
kubectl logs my-pod --namespace my-app -f --tail 1 | head -n 3

# %% [markdown]
# A new line every 2 seconds. Without `-f`, `kubectl logs` prints what is there and returns;
# `--tail 2` keeps the last two lines:

# %%
# %%terminal
kubectl logs my-pod --namespace my-app --tail 2

# %% [markdown]
# > 📝 **Deck note** — `kubectl logs my-pod --namespace my-app -f` follows the logs until you
# > press Ctrl-C. To get a bounded read, use `--tail N` (last N lines), `--since 10s` (recent
# > lines), `| head -n N`, or `timeout 5 kubectl logs ... -f`.
#
# ## Exercises
#
# ### Exercise 1 — declare with `cat | kubectl apply`
#
# In the work folder, write a file `ex05.yml` holding two objects: a Namespace `ex05`, and in
# it a Pod `hello` running the image `nginx`. Declare them with the pipe form,
# `cat ex05.yml | kubectl apply -f -` (not `kubectl run` nor `kubectl create`), and wait for
# the Pod to be Ready.

# %%
# %%terminal
# your commands here

# %%
labkit.check("05.apply")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 05.apply
cat > ex05.yml <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: ex05
---
apiVersion: v1
kind: Pod
metadata:
  name: hello
  namespace: ex05
spec:
  containers:
    - name: nginx
      image: nginx
YAML
cat ex05.yml | kubectl apply -f -
kubectl wait --for=condition=Ready pod/hello --namespace ex05 --timeout=120s

# %% [markdown]
# ### Exercise 2 — which node?
#
# The list of a worker's containers above left out **metrics-server** (the add-on that
# measures the Pods' CPU and memory, chapter 13): the scheduler puts its single Pod on either
# worker. On which node does it run in your cluster? Put the node's name in `answer`.

# %%
answer = ""  # for example "course-control-plane"
labkit.check("05.node", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 05.node.
print("[exercise 05.node: the steps, then the check]")
# The NODE column of `kubectl get pods -o wide`, or just that field with jsonpath.
found = labkit.kubectl(
    "get pods -n kube-system -l k8s-app=metrics-server -o jsonpath={.items[0].spec.nodeName}"
)
labkit.check("05.node", found.output.strip())

# %% [markdown]
# ### Exercise 3 — ask the oracle
#
# The cell below declares one more Pod, `oracle`, in the namespace `my-app`. When it starts,
# it draws a secret number and says it once in its logs. Read its logs with `kubectl logs`
# and put the number in `answer`.

# %%
# %%terminal
kubectl apply -f ../oracle.yml
kubectl wait --for=condition=Ready pod/oracle --namespace my-app --timeout=120s

# %%
answer = ""  # for example "1234"
labkit.check("05.logs", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 05.logs.
print("[exercise 05.logs: the steps, then the check]")
# `kubectl logs oracle --namespace my-app`; the number is the 5th word of line 2.
logs = labkit.kubectl("logs oracle --namespace my-app").output
labkit.check("05.logs", logs.splitlines()[1].split()[4].rstrip("."))

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces, `my-app` and `ex05`, with the Pods in
# them, and checks that nothing of the chapter is left:

# %%
labkit.finish("05")

# %% [markdown]
# ## Summary
#
# - The **control plane** runs `kube-apiserver` (the API, the only door to `etcd`), `etcd`
#   (all cluster data), `kube-scheduler` (chooses a node for each new Pod) and
#   `kube-controller-manager` (the controllers); with kubeadm they are static Pods that the
#   kubelet starts from `/etc/kubernetes/manifests`.
# - Every **node** runs the `kubelet` (a system service that runs the Pods assigned to its
#   node through `containerd`), `kube-proxy` (Services as `iptables` rules) and a CNI agent
#   (here `labkit-net`: one IP per Pod, routes between nodes; the deck's Flannel is an
#   overlay doing the same job).
# - `kubectl api-resources` lists the kinds of objects; `kubectl get all` shows only some.
# - Declare with `kubectl apply -f file.yml` or `cat file.yml | kubectl apply -f -` (not
#   `echo`); follow logs with `kubectl logs -f` (Ctrl-C) or read them bounded (`--tail`).
#
# ## What's next
#
# Chapter 06 follows the slide *L'objet le plus basique : le `Pod`*: one or more containers
# sharing a network and volumes, and the life of a Pod.
