# %% [markdown]
# # 12 · Network policies
#
# This chapter follows the deck's slide **Bon un petit dernier pour rassurer les amoureux du
# filtrage : `NetworkPolicy`**, and its policy `deny-from-other-namespaces`.
#
# > 📝 **Deck note** — in the deck, this is the *last* Kubernetes slide (*un petit
# > dernier*), after the slide that lists other objects (*D'autres objets ou concepts*). The
# > course takes it first: network policies build directly on namespaces, Services and
# > labels (chapters 07 to 10), while the list of other objects becomes chapter 13, a long
# > tour that closes the Kubernetes part before Helm.
#
# **What you will learn**
# - that every Pod can reach every other Pod by default, whatever its namespace;
# - what a **NetworkPolicy** selects (the Pods it protects) and what it allows (who may
#   connect to them), read on the deck's example;
# - to prove a policy with real connections, before and after, from two namespaces;
# - who enforces policies in this cluster (and why Flannel alone would not);
# - variations: allow one other namespace, allow only some of its Pods, deny everything.
#
# **Prerequisites**: chapters 06 (Pods), 07 (Namespaces) and 08 (Services).

# %%
import labkit

labkit.chapter("12-network-policies")

# %% [markdown]
# ## The setting: a web server and two clients
#
# A web server (nginx) with its Service `web` in namespace `secure`; a client Pod in
# `secure`, and another in a second namespace, `other`. The clients run `debian:bookworm`
# and just sleep: we will run commands in them with `kubectl exec`.

# %%
# %%terminal
kubectl create namespace secure --dry-run=client -o yaml | kubectl apply -f -
kubectl create namespace other --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: secure
  labels:
    app: web
spec:
  containers:
    - name: nginx
      image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: secure
spec:
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: secure
spec:
  containers:
    - name: debian
      image: debian:bookworm
      command: ["sleep", "infinity"]
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: other
spec:
  containers:
    - name: debian
      image: debian:bookworm
      command: ["sleep", "infinity"]
YAML
kubectl wait --for=condition=Ready pod --all -n secure --timeout=120s
kubectl wait --for=condition=Ready pod --all -n other --timeout=120s

# %% [markdown]
# How do the clients test a connection? Their image, `debian:bookworm`, has no `curl`, but it
# has `bash`, which opens a TCP connection when you redirect from `/dev/tcp/HOST/PORT`. If
# the server answers the handshake, the redirection succeeds; `timeout 3` bounds the wait
# when nothing answers (exit code 124).
#
# Before any policy, **both** clients reach `web` — the one in `other` too:

# %%
# %%terminal
kubectl exec -n secure client -- timeout 3 bash -c '</dev/tcp/web.secure/80' && echo "secure/client → web.secure:80 open"
kubectl exec -n other client -- timeout 3 bash -c '</dev/tcp/web.secure/80' && echo "other/client → web.secure:80 open"

# %% [markdown]
# That is Kubernetes' network model: one flat network, every Pod reachable from every Pod,
# on every node. Namespaces separate *names and permissions*, not traffic.
#
# ## The deck's policy: `deny-from-other-namespaces` (*Bon un petit dernier… : `NetworkPolicy`*)
#
# A NetworkPolicy has two halves:
#
# - `spec.podSelector` — the Pods it **protects** (in its own namespace). Once a Pod is
#   selected by at least one policy for *ingress*, it is **isolated**: only the traffic some
#   policy allows reaches it.
# - `spec.ingress[].from` — who is **allowed** in. Here `podSelector: {}`: every Pod *of the
#   policy's namespace*.
#
# So: all Pods of the namespace accept connections from their own namespace, and from
# nowhere else (but their own node: the kubelet's probes always get through). The deck applies it in namespace `default`; we apply it, as written, in
# `secure`:

# %%
# %%terminal
kubectl apply -f - <<'YAML'
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  namespace: secure
  name: deny-from-other-namespaces
spec:
  podSelector:
    matchLabels:
  ingress:
    - from:
      - podSelector: {}
YAML

# %% [markdown]
# > 📝 **Deck note** — `matchLabels:` followed by nothing is YAML's **null**, not an empty
# > map. `kubectl apply` accepts it, and the API server stores an empty selector, as the
# > `jsonpath` below shows: **all the Pods** of the namespace. Write it `podSelector: {}`,
# > which says so clearly. The deck's `namespace: default` is replaced by `secure` here.

# %%
# %%terminal
kubectl get networkpolicy deny-from-other-namespaces -n secure -o jsonpath='{.spec}{"\n"}'
kubectl describe networkpolicy deny-from-other-namespaces -n secure | sed -n '/^Spec:/,$p'

# %% [markdown]
# The server also filled in `policyTypes: ["Ingress"]`: the policy filters incoming
# connections only; outgoing ones (*egress*) stay free.
#
# `kubectl apply` returns once the API server has stored the policy; the agents that enforce
# it (see below) learn of it through their watch of the API and load new rules a moment
# later (they gather the changes of 0.1 s, then rewrite their rules). So rather than sleeping
# for a fixed time, wait for the effect: `wait_connection` tries `other/client`'s connection
# again until it is blocked, for about 5 seconds (if it never is, its error says where to
# look). It prints nothing when all goes well:

# %%
from labkit import wait_connection

wait_connection("other/client", "web.secure", reachable=False)

# %% [markdown]
# Now the same two connections:

# %%
# %%terminal
kubectl exec -n secure client -- timeout 3 bash -c '</dev/tcp/web.secure/80' && echo "secure/client → web.secure:80 open" || echo "secure/client → web.secure:80 blocked"
kubectl exec -n other client -- timeout 3 bash -c '</dev/tcp/web.secure/80' && echo "other/client → web.secure:80 open" || echo "other/client → web.secure:80 blocked"

# %% [markdown]
# The client in `secure` still connects; the one in `other` waits for an answer that never
# comes, until `timeout` gives up (exit code 124): its packets are **dropped**, not refused.
#
# ## Who enforces it?
#
# A NetworkPolicy is only an object in the API: the **network plugin** must read it and
# filter packets. The deck's Flannel only connects Pods; alone, it ignores policies
# (Calico or Cilium add them). This cluster connects Pods with **labkit-net** (routes
# between nodes, the role kind's `kindnetd` plays), which also enforces the policies: a
# DaemonSet, one agent per node, that **watches** nodes (for its routes), Pods, namespaces
# and NetworkPolicies through the API server (the API's watch, as `kubectl get --watch` uses
# it) and rewrites its rules within a fraction of a second of a change:

# %%
# %%terminal
kubectl get daemonset labkit-net -n kube-system -o custom-columns=NAME:.metadata.name,DESIRED:.status.desiredNumberScheduled,READY:.status.numberReady

# %% [markdown]
# For each Pod of its node that a policy selects, the agent writes **iptables** rules: let in
# the peers the policies allow, drop the rest. Here are the rules for `web` (`-d`, its
# address), on the node that runs it: a `RETURN` (let in) from each Pod of `secure` (`-s`:
# `client`, and `web` itself), then a `DROP` for everyone else. Replies to connections
# already accepted pass earlier, in the agent's chain `LABKIT-NETPOL`:

# %%
# %%terminal
docker exec $(kubectl get pod web -n secure -o jsonpath='{.spec.nodeName}') iptables -S LABKIT-NETPOL-IN | grep -- "-d $(kubectl get pod web -n secure -o jsonpath='{.status.podIP}')/32"

# %% [markdown]
# > 💡 Other plugins do the same job their own way: kind's own `kindnetd` (since kind
# > v0.24) with the *kube-network-policies* agent, which needs the nftables `queue`
# > statement that the kernel of this course's machines lacks — hence labkit-net's iptables
# > version; Calico with iptables, nftables or eBPF; Cilium with eBPF.
#
# ## A matrix of real connections
#
# The grid below runs one bounded connection per cell, from each client to each target (hover
# a cell for what happened). Its probe command is the same `bash` one:

# %% tags=["nbval-ignore-output"]
from labkit.widgets import ReachabilityMatrix

PROBE = "timeout 2 bash -c '</dev/tcp/{url}/80'"
matrix = ReachabilityMatrix(["secure/client", "other/client"], ["web.secure"], command=PROBE)
matrix

# %%
for (source, target), ok in sorted(matrix.results().items()):
    print(f"{source:15} → {target:12} {'open' if ok else 'blocked'}")

# %% [markdown]
# ## Letting one other namespace in
#
# Policies **add up**: a connection is allowed when *any* policy selecting the Pod allows
# it. To let namespace `other` reach `web`, add a second policy with a
# **`namespaceSelector`**. Every namespace carries the label
# `kubernetes.io/metadata.name: NAME`, set by the API server, which is handy here:

# %%
# %%terminal
kubectl get namespace other --show-labels
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-other
  namespace: secure
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: other
      ports:
        - port: 80
YAML

# %% [markdown]
# This one protects only the Pods labelled `app: web`, lets in every Pod of `other`, and
# only on port 80. Once the agents have applied it (`wait_connection` again, this time until
# `other/client` gets in), the matrix shows it:

# %%
wait_connection("other/client", "web.secure", reachable=True)
matrix.refresh()
for (source, target), ok in sorted(matrix.results().items()):
    print(f"{source:15} → {target:12} {'open' if ok else 'blocked'}")

# %% [markdown]
# Remove it, and `other` is shut out again:

# %%
# %%terminal
kubectl delete networkpolicy allow-from-other -n secure
kubectl get networkpolicies -n secure

# %% [markdown]
# Two more forms you will meet:
#
# | Policy | `podSelector` | Rules | Effect |
# |---|---|---|---|
# | **default deny (ingress)** | `{}` | `policyTypes: [Ingress]`, no `ingress` | no Pod of the namespace accepts any connection, not even from its own namespace |
# | **default deny (egress)** | `{}` | `policyTypes: [Egress]`, no `egress` | no Pod may open any connection — DNS included (allow UDP/TCP 53 to `kube-system` again) |
#
# The deck's animated picture (*k8s-deny-all-traffic-from-other-namespaces*), not available
# here, shows what you have just measured: traffic inside the namespace passes, traffic from
# other namespaces is stopped at its border.
#
# ## Exercises
#
# ### Exercise 1 — only the front end of `other`
#
# In namespace `other`, run a Pod `frontend` labelled `role=frontend` (for example
# `kubectl run frontend -n other --image=debian:bookworm --labels=role=frontend -- sleep
# infinity`). Then write a NetworkPolicy in `secure` that lets **only the Pods labelled
# `role=frontend` of namespace `other`** reach `web` — `other/client` must stay blocked.
# The check makes both connections.
#
# Careful: in `from`, a `namespaceSelector` and a `podSelector` **in the same element**
# mean *and*; in two elements (two `-`), they mean *or*.

# %%
# %%terminal
# your commands here

# %%
labkit.check("12.allow-other")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 12.allow-other
kubectl run frontend -n other --image=debian:bookworm --labels=role=frontend --dry-run=client -o yaml -- sleep infinity | kubectl apply -f -
kubectl wait --for=condition=Ready pod/frontend -n other --timeout=120s
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend-from-other
  namespace: secure
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: other
          podSelector:
            matchLabels:
              role: frontend
YAML

# %% [markdown]
# ### Exercise 2 — default deny in `ex12`
#
# This cell gives namespace `ex12` a web server and a client of its own:

# %%
# %%terminal
kubectl create namespace ex12 --dry-run=client -o yaml | kubectl apply -f -
kubectl run web -n ex12 --image=nginx --labels=app=web --dry-run=client -o yaml | kubectl apply -f -
kubectl run client -n ex12 --image=debian:bookworm --dry-run=client -o yaml -- sleep infinity | kubectl apply -f -
kubectl wait --for=condition=Ready pod --all -n ex12 --timeout=120s

# %% [markdown]
# Write a **default deny ingress** policy `default-deny-ingress` for namespace `ex12`: no
# Pod of `ex12` accepts any connection, even from `ex12/client`. The check verifies the
# policy and tries `ex12/client` → `web` (at the Pod's IP).

# %%
# %%terminal
# your commands here

# %%
labkit.check("12.default-deny")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 12.default-deny
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: ex12
spec:
  podSelector: {}
  policyTypes:
    - Ingress
YAML

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces, `secure`, `other` and `ex12`, with their
# Pods and policies, and checks that nothing of the chapter is left:

# %%
labkit.finish("12")

# %% [markdown]
# ## Summary
#
# - By default every Pod reaches every Pod: namespaces do not separate traffic.
# - A **NetworkPolicy** selects Pods (`podSelector`, `{}` = all of its namespace) and lists
#   who may connect to them (`ingress.from`: `podSelector`, `namespaceSelector`, both
#   together); selected Pods let nothing else in (its packets are dropped). Policies add up.
# - The deck's `deny-from-other-namespaces` lets a namespace talk to itself only; its empty
#   `matchLabels:` is better written `podSelector: {}`.
# - Policies need an enforcing network plugin: here labkit-net (iptables rules per Pod);
#   Flannel alone ignores them.
# - Prove policies with real, bounded connections, before and after.
#
# ## What's next
#
# Chapter 13 follows the deck's slide *D'autres objets ou concepts*: StatefulSets, Jobs,
# ConfigMaps and Secrets, volumes and autoscaling — the objects the deck only names.
