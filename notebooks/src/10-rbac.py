# %% [markdown]
# # 10 · RBAC
#
# This chapter follows the deck's slide ***RBAC* (Role-Based Access Control) à la rescousse ;
# Impossible pour un des `Pods` de mon service CoreDNS de détruire des `Namespaces`**, and its
# YAML: a ServiceAccount `coredns`, a ClusterRole `system:coredns`, a ClusterRoleBinding, and
# the CoreDNS Deployment that runs as that ServiceAccount.
#
# **What you will learn**
# - who a Pod *is* for the API server: a **ServiceAccount**, proven by a token;
# - what a **ClusterRole** allows (verbs on resources) and how a **ClusterRoleBinding** gives
#   it to a subject;
# - that the deck's example is exactly what this cluster's CoreDNS runs today — read, not
#   changed;
# - how to ask the API server `kubectl auth can-i ... --as ...`, and how to send a *real*
#   request with a ServiceAccount's token and see it refused;
# - your own read-only ServiceAccount, used from a Pod; **Role** and **RoleBinding**, the
#   namespaced twins.
#
# **Prerequisites**: chapters 06 (Pods), 07 (Namespaces) and 09 (Deployments).

# %%
import labkit

labkit.chapter("10-rbac")

# %% [markdown]
# ## Who is asking? (*RBAC à la rescousse*)
#
# Every request to the API server is **authenticated** (who are you?) then **authorized**
# (may you do this?). `kubectl auth whoami` asks the API server who it thinks you are:

# %%
# %%terminal
kubectl auth whoami

# %% [markdown]
# Your kubeconfig, the one kind wrote from kubeadm's `admin.conf`, holds a client
# certificate for the user `kubernetes-admin`, in the group `kubeadm:cluster-admins`. (The
# `Extra` line names the certificate by its hash.) That group is no magic: a binding, which
# kubeadm created, gives it the ClusterRole `cluster-admin` — every verb on every resource:

# %%
# %%terminal
kubectl get clusterrolebinding kubeadm:cluster-admins -o wide

# %% [markdown]
# > 📝 Before Kubernetes 1.29, kubeadm put the admin's certificate in the group
# > `system:masters`, which the API server lets do everything *without* looking at RBAC at
# > all — so it could never be taken away. kubeadm now keeps such a certificate only in a
# > separate `super-admin.conf`, for emergencies.
#
# A program running in a Pod is someone else: a **ServiceAccount**, a namespaced identity
# that Kubernetes gives to Pods. Its full user name is
# `system:serviceaccount:NAMESPACE:NAME`. By default it may do almost nothing. **RBAC**
# (role-based access control) adds permissions, in two steps:
#
# | Object | Scope | Says |
# |---|---|---|
# | **Role** | one namespace | *verbs* (get, list, watch, create, update, delete...) on *resources* (pods, services...) |
# | **ClusterRole** | the whole cluster | the same, for every namespace and for cluster-wide resources (namespaces, nodes) |
# | **RoleBinding** | one namespace | gives a Role (or a ClusterRole) to *subjects*, in that namespace only |
# | **ClusterRoleBinding** | the whole cluster | gives a ClusterRole to subjects, everywhere |
#
# Rules only *allow*: there is no "deny" rule. Whatever no rule allows is refused — which is
# why a CoreDNS Pod cannot destroy Namespaces: nothing allows it to.
#
# ## The deck's example is CoreDNS itself (*Impossible pour un des `Pods` de mon service CoreDNS…*)
#
# CoreDNS, the cluster's DNS server (chapter 05), needs to *watch* Services and Pods to
# answer DNS queries about them. The deck's slide gives its ServiceAccount, its ClusterRole,
# the ClusterRoleBinding between them, and the part of its Deployment that runs it as that
# ServiceAccount. Here is the slide's YAML, as printed (`deck-coredns.yaml` in this
# chapter's folder):

# %%
# %%terminal
cat ../deck-coredns.yaml

# %% [markdown]
# kubectl refuses it at once, before sending anything: its YAML parser stops where the first
# object ends. The separator there is written ` ---`, with a leading space: that is no
# document separator but a stray line inside the first object, where the parser expects a
# key (`did not find expected key`). (With `--dry-run=client`, kubectl only checks the
# objects — it still asks the API server which kinds it serves — and changes nothing.)

# %%
# %%terminal --allow-fail
kubectl apply --dry-run=client -f ../deck-coredns.yaml

# %% [markdown]
# With the separator repaired (`sed` removes the space), kubectl reads four objects. The
# ServiceAccount passes (`configured`: kubeadm created it already, without `kubectl apply` —
# hence kubectl's warning that its `last-applied-configuration` annotation is missing, which
# a real apply would add); the API server serves no
# ClusterRole in `rbac.authorization.k8s.io/v1beta1` and no Deployment in
# `extensions/v1beta1` any more (kubectl's *ensure CRDs are installed first* is a generic
# hint: these are built-in kinds, in versions that are gone); and the binding's annotation
# `autoupdate: true` is a YAML boolean, where annotations must be strings (`"true"`):

# %%
# %%terminal --allow-fail
sed 's/^ ---$/---/' ../deck-coredns.yaml | kubectl apply --dry-run=client -f -

# %% [markdown]
# kubeadm, which installed this cluster, created the same objects in today's API versions,
# in namespace `kube-system`. We only **read** them here — they keep the cluster's DNS
# running. First the ServiceAccount, and the Deployment that runs CoreDNS as it
# (`spec.template.spec.serviceAccountName`, the deck's last lines):

# %%
# %%terminal
kubectl get serviceaccount coredns -n kube-system -o custom-columns=NAME:.metadata.name,NAMESPACE:.metadata.namespace
kubectl get deployment coredns -n kube-system -o jsonpath='{.apiVersion}{" "}{.kind}{": serviceAccountName="}{.spec.template.spec.serviceAccountName}{"\n"}'

# %% [markdown]
# Then the ClusterRole `system:coredns` (trimmed of the fields the server adds: uid,
# resourceVersion, creation time):

# %%
# %%terminal
kubectl get clusterrole system:coredns -o yaml | grep -v -E '^  (creationTimestamp|resourceVersion|uid):'

# %% [markdown]
# Four resources of the core API group (`""`): `endpoints`, `namespaces`, `pods`,
# `services` — with the verbs `list` and `watch` only, as in the deck. No `delete`, no
# `create`, not even `get` (fetching one object by name): CoreDNS lists everything once,
# then watches for changes.
#
# The ClusterRoleBinding gives that role to the ServiceAccount `kube-system/coredns`:

# %%
# %%terminal
kubectl get clusterrolebinding system:coredns -o wide

# %% [markdown]
# > 📝 **Deck note** — the deck's YAML is older than this cluster, as the refusals above
# > showed:
# > - RBAC objects are `rbac.authorization.k8s.io/v1` since Kubernetes 1.8;
# >   **`v1beta1` was removed in 1.22**.
# > - Deployments are `apps/v1`; **`extensions/v1beta1`** was removed in 1.16.
# > - kubeadm's role has a second rule: `list` and `watch` on **`endpointslices`** (API group
# >   `discovery.k8s.io`), which replace `endpoints` (EndpointSlices are GA since 1.21; the
# >   `Endpoints` API is deprecated since 1.33).
# > - The deck's labels (`kubernetes.io/bootstrapping`...) and annotation come from CoreDNS's
# >   own manifests; kubeadm's copies go without them (its Deployment is labelled
# >   `k8s-app: kube-dns`).
#
# ## Asking the API server: `kubectl auth can-i`
#
# `kubectl auth can-i VERB RESOURCE --as USER` asks the API server whether `USER` may do it
# (kubectl sends a *SelfSubjectAccessReview* while you, the administrator, *impersonate* the
# ServiceAccount), and the server evaluates every binding. It answers `yes` (exit code 0)
# or `no` (exit code 1).
# Namespaces belong to no namespace, so we ask with `--all-namespaces` (without it, kubectl
# asks in its current namespace, `default`, and warns that namespaces are not namespace
# scoped):

# %%
# %%terminal --allow-fail
kubectl auth can-i list namespaces --all-namespaces --as=system:serviceaccount:kube-system:coredns
kubectl auth can-i delete namespaces --all-namespaces --as=system:serviceaccount:kube-system:coredns

# %% [markdown]
# ## A real request, refused
#
# `can-i` is a question. Let us send a real `DELETE` as CoreDNS would: with its own
# credentials. A ServiceAccount proves who it is with a **token** (a signed JWT);
# `kubectl create token` asks the API server for a short-lived one (10 minutes here). It
# changes nothing in `kube-system`.
#
# kubectl must then use *that token and nothing else*. If we only added `--token` to our
# usual command, kubectl would still present the administrator's client certificate from
# our kubeconfig, and the server would accept that one. So we write a separate kubeconfig,
# `coredns.kubeconfig` in the chapter's `work/` folder, holding only the cluster (address and
# CA certificate) and the token — exactly what you would hand to a program:

# %%
# %%terminal
kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}' > server
kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt
kubectl config set-cluster course --kubeconfig=coredns.kubeconfig --server="$(cat server)" --certificate-authority=ca.crt --embed-certs
kubectl config set-credentials coredns --kubeconfig=coredns.kubeconfig --token="$(kubectl create token coredns -n kube-system --duration=10m)"
kubectl config set-context coredns --kubeconfig=coredns.kubeconfig --cluster=course --user=coredns
kubectl config use-context coredns --kubeconfig=coredns.kubeconfig

# %% [markdown]
# `kubectl auth whoami` shows who the server thinks we are with that file. Then CoreDNS may
# list Namespaces, but deleting one is **Forbidden** (HTTP 403) — the namespace `rbac-demo`
# is not even created yet, because authorization comes before anything else:

# %%
# %%terminal --allow-fail
kubectl --kubeconfig=coredns.kubeconfig auth whoami -o jsonpath='{.status.userInfo.username}{"\n"}'
kubectl --kubeconfig=coredns.kubeconfig get namespaces kube-system default -o name
kubectl --kubeconfig=coredns.kubeconfig get namespaces --field-selector metadata.name=kube-system
kubectl --kubeconfig=coredns.kubeconfig delete namespace rbac-demo

# %% [markdown]
# Read the three answers carefully:
#
# - `get namespaces kube-system default` names two objects: that is the verb **`get`**, which
#   the role does not give — refused;
# - `get namespaces` without a name is the verb **`list`** — allowed (the field selector only
#   keeps the output short);
# - `delete` — refused, with the user, the verb and the resource in the message.
#
# ## Your own read-only ServiceAccount
#
# Now the deck's pattern for a program of ours: a ServiceAccount `ns-reader` in namespace
# `rbac-demo`, a ClusterRole `ns-reader` that may only `list` and `watch` Namespaces, the
# ClusterRoleBinding between them, and a Deployment whose Pods run as `ns-reader`:

# %%
# %%terminal
kubectl create namespace rbac-demo --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ns-reader
  namespace: rbac-demo
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ns-reader
rules:
  - apiGroups:
      - ""
    resources:
      - namespaces
    verbs:
      - list
      - watch
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ns-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ns-reader
subjects:
  - kind: ServiceAccount
    name: ns-reader
    namespace: rbac-demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reader
  namespace: rbac-demo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: reader
  template:
    metadata:
      labels:
        app: reader
    spec:
      serviceAccountName: ns-reader
      containers:
        - name: nginx
          image: nginx
YAML
kubectl wait --for=condition=Available deployment/reader -n rbac-demo --timeout=120s

# %% [markdown]
# ### The token inside the Pod
#
# Unless a Pod says `automountServiceAccountToken: false`, the kubelet mounts its
# ServiceAccount's credentials into every container, at
# `/var/run/secrets/kubernetes.io/serviceaccount`: a `token` (renewed before it expires),
# the cluster's CA certificate `ca.crt`, and the Pod's `namespace`. A program in the Pod
# reads them to call the API server, at `https://kubernetes.default.svc` (the Service
# `kubernetes` of namespace `default`, chapter 05).

# %%
# %%terminal
kubectl exec -n rbac-demo deploy/reader -- ls /var/run/secrets/kubernetes.io/serviceaccount
kubectl exec -n rbac-demo deploy/reader -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace
kubectl exec -n rbac-demo deploy/reader -- which curl

# %% [markdown]
# The course's nginx image has `curl` (chapter 08 used it), so we can send, from inside the
# Pod, the HTTPS requests a program there would send: its token in an `Authorization`
# header, the cluster's CA to check the server, straight to the API's REST paths. In the
# Pod's shell, `$SA` is the folder above; `-w '%{http_code}'` prints only the HTTP status:

# %%
# %%terminal
kubectl exec -n rbac-demo deploy/reader -- sh -c 'SA=/var/run/secrets/kubernetes.io/serviceaccount; curl -s --cacert $SA/ca.crt -H "Authorization: Bearer $(cat $SA/token)" https://kubernetes.default.svc/api/v1/namespaces -o /dev/null -w "GET    /api/v1/namespaces           → %{http_code}\n"'
kubectl exec -n rbac-demo deploy/reader -- sh -c 'SA=/var/run/secrets/kubernetes.io/serviceaccount; curl -s --cacert $SA/ca.crt -H "Authorization: Bearer $(cat $SA/token)" -X DELETE https://kubernetes.default.svc/api/v1/namespaces/rbac-demo -o /dev/null -w "DELETE /api/v1/namespaces/rbac-demo → %{http_code}\n"'
kubectl exec -n rbac-demo deploy/reader -- sh -c 'SA=/var/run/secrets/kubernetes.io/serviceaccount; curl -s --cacert $SA/ca.crt -H "Authorization: Bearer $(cat $SA/token)" -X DELETE https://kubernetes.default.svc/api/v1/namespaces/rbac-demo' | python3 -c 'import json, sys; print(json.load(sys.stdin)["message"])'

# %% [markdown]
# **200** for the list, **403 Forbidden** for the delete: the Pod's identity can read the
# Namespaces and nothing more. The token is tied to the Pod: it says which Pod and which
# node it was issued for, and stops working when the Pod is deleted.
#
# ### Who can do what, at a glance
#
# The grid below asks the API server (`kubectl auth can-i --as`) for both ServiceAccounts,
# two verbs and two resources; hover a cell for the server's answer:

# %% tags=["nbval-ignore-output"]
from labkit.widgets import WhoCan

who = WhoCan(
    [
        "system:serviceaccount:kube-system:coredns",
        "system:serviceaccount:rbac-demo:ns-reader",
    ],
    ["list", "delete"],
    ["namespaces", "pods"],
)
who

# %%
for (subject, check), allowed in sorted(who.results().items()):
    print(f"{subject:45} {check:18} {'yes' if allowed else 'no'}")

# %% [markdown]
# CoreDNS may list Pods everywhere (its ClusterRole has `pods`); `ns-reader` may not.
# Neither may delete anything.
#
# ## Role and RoleBinding: one namespace only
#
# A **Role** is a ClusterRole confined to its namespace, and a **RoleBinding** gives
# permissions in its own namespace only. Let `ns-reader` read the Pods of `rbac-demo` — and
# nowhere else:

# %%
# %%terminal
kubectl apply -f - <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
  namespace: rbac-demo
rules:
  - apiGroups:
      - ""
    resources:
      - pods
    verbs:
      - get
      - list
      - watch
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ns-reader-pods
  namespace: rbac-demo
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pod-reader
subjects:
  - kind: ServiceAccount
    name: ns-reader
    namespace: rbac-demo
YAML
kubectl get roles,rolebindings -n rbac-demo

# %% [markdown]
# `-n` tells `can-i` in which namespace to ask:

# %%
# %%terminal --allow-fail
kubectl auth can-i list pods -n rbac-demo --as=system:serviceaccount:rbac-demo:ns-reader
kubectl auth can-i list pods -n default --as=system:serviceaccount:rbac-demo:ns-reader

# %% [markdown]
# A RoleBinding may also point to a **ClusterRole**: the role is written once for the whole
# cluster, and each binding grants it in one namespace. Kubernetes ships such roles for
# people: `view` (read most objects), `edit`, `admin`, and `cluster-admin` (everything).
# Give `ns-reader` the built-in `view` role, in `rbac-demo` only:

# %%
# %%terminal --allow-fail
kubectl create rolebinding ns-reader-view -n rbac-demo --clusterrole=view --serviceaccount=rbac-demo:ns-reader --dry-run=client -o yaml | kubectl apply -f -
kubectl auth can-i list services -n rbac-demo --as=system:serviceaccount:rbac-demo:ns-reader
kubectl auth can-i list services -n kube-system --as=system:serviceaccount:rbac-demo:ns-reader

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a namespace viewer
#
# Create, in a namespace `ex10`, a ServiceAccount `viewer`; a ClusterRole `ex10-ns-viewer`
# that allows **`get` and `list` on namespaces** and nothing else; and a ClusterRoleBinding
# `ex10-ns-viewer` giving it to `ex10/viewer`. Check yourself with `kubectl auth can-i`
# before asking the checker (which also verifies that `viewer` may not delete or create
# Namespaces).

# %%
# %%terminal
# your commands here

# %%
labkit.check("10.viewer")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 10.viewer
kubectl create namespace ex10 --dry-run=client -o yaml | kubectl apply -f -
kubectl create serviceaccount viewer -n ex10 --dry-run=client -o yaml | kubectl apply -f -
kubectl create clusterrole ex10-ns-viewer --verb=get,list --resource=namespaces --dry-run=client -o yaml | kubectl apply -f -
kubectl create clusterrolebinding ex10-ns-viewer --clusterrole=ex10-ns-viewer --serviceaccount=ex10:viewer --dry-run=client -o yaml | kubectl apply -f -
kubectl auth can-i get namespaces --all-namespaces --as=system:serviceaccount:ex10:viewer

# %% [markdown]
# ### Exercise 2 — what may CoreDNS do with Services?
#
# Among the verbs `get`, `list`, `watch`, `create`, `update` and `delete`, which ones may
# the ServiceAccount `kube-system/coredns` use on `services`? Ask the API server (not the
# deck!), and put the allowed verbs in `answer`.

# %%
answer = []  # for example ["get", "create"]
labkit.check("10.can-i", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 10.can-i.
print("[exercise 10.can-i: the steps, then the check]")
# One `kubectl auth can-i` per verb; exit code 0 means "yes".
coredns = "system:serviceaccount:kube-system:coredns"
verbs = ["get", "list", "watch", "create", "update", "delete"]
allowed = [
    v for v in verbs if labkit.kubectl(f"auth can-i {v} services --as={coredns}", check=False).ok
]
labkit.check("10.can-i", allowed)

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces (`rbac-demo`, `ex10`) and its
# cluster-wide objects — the ClusterRoles and ClusterRoleBindings `ns-reader` and
# `ex10-ns-viewer` belong to no namespace, so deleting a namespace would leave them — and
# checks that nothing of the chapter is left:

# %%
labkit.finish("10")

# %% [markdown]
# ## Summary
#
# - A Pod talks to the API server as a **ServiceAccount**
#   (`system:serviceaccount:NS:NAME`), proven by a token the kubelet mounts into it.
# - **RBAC** only allows: **(Cluster)Roles** list verbs on resources, **(Cluster)RoleBindings**
#   give them to users, groups or ServiceAccounts; everything else is **Forbidden** (403).
# - The deck's CoreDNS example is what kubeadm installs today (`rbac.authorization.k8s.io/v1`,
#   plus `endpointslices`): list and watch, never delete.
# - `kubectl auth can-i VERB RESOURCE --as=... [-n NS]` asks the server; a kubeconfig (or an
#   HTTP header) with only a token makes real requests as that identity.
# - `get` (one object by name) and `list` are different verbs.
#
# ## What's next
#
# Chapter 11 follows the deck's slide *Maintenance du cluster*: emptying a node with
# `kubectl drain`, keeping Pods off it with `cordon`, and bringing it back.
