# %% [markdown]
# # 06 · Pods
#
# This chapter follows the deck's slide **« L'objet le plus basique : le `Pod` »**:
#
# - *Un groupe d'un ou plusieurs conteneurs avec stockage et réseau partagé* — a group of one
#   or more containers, with shared storage and network;
# - *Une spécification sur la manière d'exécuter les conteneurs* — a specification of how to
#   run the containers;
# - *Toujours co-localisé et co-planifié, et s'exécute dans un contexte partagé. Il modélise
#   un "hôte logique" spécifique à l'application* — always co-located and co-scheduled, run
#   in a shared context: an application-specific "logical host".
#
# **What you will learn**
# - how to create a Pod with `kubectl run` and with a YAML manifest, and how to inspect it
#   (`get -o wide`, `describe`, `logs`, `exec`);
# - what two containers of one Pod share — a volume, a network namespace, an IP address —
#   and how Pods on different nodes reach each other;
# - the life of a Pod: a deleted Pod is gone for good, a failing container is restarted
#   (or not) by the kubelet according to `restartPolicy`.
#
# **Prerequisites**: chapter 05 (the API server, the scheduler, the kubelet, `kubectl apply`).

# %%
import labkit

labkit.chapter("06-pods")

# %% [markdown]
# ## A Pod with one container
#
# A **Pod** is the smallest thing Kubernetes runs: you never ask for "a container", always
# for a Pod, holding one container or more. The quickest way is `kubectl run`, close to
# `docker run` (chapter 02). First a namespace for this chapter (`create --dry-run | apply`
# makes it safe to run twice):

# %%
# %%terminal
kubectl create namespace pods --dry-run=client -o yaml | kubectl apply -f -
kubectl run hello --image=nginx --namespace pods
kubectl wait --for=condition=Ready pod/hello --namespace pods --timeout=120s

# %% [markdown]
# `kubectl run` is *imperative*: it says "create this", so saying it twice is an error:

# %%
# %%terminal --allow-fail
kubectl run hello --image=nginx --namespace pods

# %% [markdown]
# What did `kubectl run` send to the API server? `--dry-run=client -o yaml` prints the object
# instead of sending it: a Pod manifest, the *specification of how to run the containers*:

# %%
# %%terminal
kubectl run hello --image=nginx --namespace pods --dry-run=client -o yaml

# %% [markdown]
# The same thing written by hand is a file you keep, review and apply again: *declarative*.
# Here is `web.yaml` (in this chapter's folder). It adds a label, the port nginx listens on,
# and a `nodeSelector` that pins the Pod on the node `course-worker` — only so that this
# chapter's outputs are the same at every run; without it the scheduler chooses (chapter 11
# shows more ways to steer it):

# %%
# %%terminal
cat ../web.yaml
kubectl apply -f ../web.yaml
kubectl wait --for=condition=Ready pod/web --namespace pods --timeout=120s

# %% [markdown]
# ## Looking at a Pod
#
# `kubectl get pod` gives one line per Pod; `-o wide` adds, among others, the Pod's IP
# address and its node:

# %%
# %%terminal
kubectl get pod web --namespace pods -o wide

# %% [markdown]
# `kubectl describe` tells everything: the spec, the state of each container, and the
# Pod's recent **events**. It is long; here are its main lines, then its events:

# %%
# %%terminal
kubectl describe pod web --namespace pods | grep -E '^(Name|Namespace|Node|Status|IP):|^  nginx:|Image:|Port:|Ready:|Restart Count'
kubectl describe pod web --namespace pods | sed -n '/^Events:/,$p' | grep -E 'Events|Scheduled|Started'

# %% [markdown]
# `Node:` gives the node's name and its address on the `kind` network. The scheduler chose
# it (here, the only one allowed by the `nodeSelector`), the kubelet of that node started the
# container.
#
# ## Two containers, one Pod (*stockage et réseau partagé*)
#
# The containers of one Pod are **co-located** (always on the same node) and
# **co-scheduled** (scheduled as one unit: the scheduler places the whole Pod, never one of
# its containers); they share:
#
# - **volumes** declared in the Pod: here an `emptyDir`, an empty folder created with the
#   Pod, that each container mounts where it wants;
# - **the network namespace** (chapter 01): one IP address, one `localhost`, one set of
#   ports for all the containers of the Pod — like processes on one host, the *logical host*
#   of the deck.
#
# A classic pattern is the **sidecar**: a helper container next to the main one. In `duo`,
# a Debian container writes the page that nginx serves. (Kubernetes also has *native*
# sidecars — an init container with `restartPolicy: Always`, started before the main
# containers and stopped after them; stable since 1.33. Two plain containers, as here,
# are enough for this page.)

# %%
# %%terminal
cat ../duo.yaml
kubectl apply -f ../duo.yaml
kubectl wait --for=condition=Ready pod/duo --namespace pods --timeout=120s
kubectl get pod duo --namespace pods

# %% [markdown]
# `READY 2/2`: two containers, both running. `kubectl exec` runs a command in one container
# of a Pod; `-c` chooses which. The file the sidecar wrote in `/pod-data` is in nginx's
# `/usr/share/nginx/html` — the same volume:

# %%
# %%terminal
kubectl exec duo --namespace pods -c sidecar -- ls /pod-data
kubectl exec duo --namespace pods -c nginx -- cat /usr/share/nginx/html/index.html

# %% [markdown]
# Now the network. The Debian image is minimal: `which` finds `bash` but no `curl` and no
# `wget` (so it exits with code 1):

# %%
# %%terminal --allow-fail
kubectl exec duo --namespace pods -c sidecar -- which curl wget bash

# %% [markdown]
# But `bash` can open a TCP connection itself (`/dev/tcp/HOST/PORT`), enough to send an HTTP
# request by hand. From the **sidecar**, nginx is on `localhost:80` — the same network
# namespace (we keep the last line of the answer, the page):

# %%
# %%terminal
kubectl exec duo --namespace pods -c sidecar -- bash -c 'exec 3<>/dev/tcp/localhost/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; tail -n 1 <&3'

# %% [markdown]
# Both containers see the same IP address, the Pod's:

# %%
# %%terminal
kubectl exec duo --namespace pods -c nginx -- hostname -i
kubectl exec duo --namespace pods -c sidecar -- hostname -i
kubectl get pod duo --namespace pods -o jsonpath='{.status.podIP}{"\n"}'

# %% [markdown]
# Each container has its own logs; `kubectl logs -c` chooses the container. The sidecar said
# one line; nginx logged the request above (we keep only its request and status):

# %%
# %%terminal
kubectl logs duo --namespace pods -c sidecar
kubectl logs duo --namespace pods -c nginx | grep -o '"GET [^"]*" [0-9]*'

# %% [markdown]
# Without `-c`, `kubectl logs` and `kubectl exec` take the first container and say so
# (`Defaulted container "nginx" out of: nginx, sidecar`).
#
# ## From Pod to Pod, across nodes
#
# Every Pod's IP is reachable from every other Pod, on any node (chapter 05's pod network).
# `client.yaml` starts a Debian Pod on the *other* worker, `course-worker2`:

# %%
# %%terminal
kubectl apply -f ../client.yaml
kubectl wait --for=condition=Ready pod/client --namespace pods --timeout=120s
kubectl get pods web client --namespace pods -o custom-columns=POD:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName

# %% [markdown]
# From `client`, on `course-worker2`, we ask nginx in `web`, on `course-worker`, at its Pod
# IP (no NAT, no published port: the packet is routed from node to node):

# %%
# %%terminal
WEB_IP=$(kubectl get pod web --namespace pods -o jsonpath='{.status.podIP}') && kubectl exec client --namespace pods -- bash -c "exec 3<>/dev/tcp/$WEB_IP/80; printf 'GET / HTTP/1.0\r\n\r\n' >&3; grep -o '<title>.*</title>' <&3"

# %% [markdown]
# A Pod IP is fine for a test, not for an application: it changes whenever the Pod is
# replaced. Chapter 08's Services give a stable name and address.
#
# The course's `PodList` dashboard shows the Pods of a namespace (press its refresh button
# after a change, or switch on *Follow*: it then watches the API for a minute and updates by
# itself):

# %% tags=["nbval-ignore-output"]
from labkit.widgets import PodList

pods = PodList(namespace="pods")
pods

# %%
print(pods.summary())
for row in pods.rows:
    print(row.name, row.ready, row.status)

# %% [markdown]
# ## The life of a Pod
#
# ### A deleted Pod is gone
#
# A Pod is created once, runs on one node, and ends there. Delete it and nothing brings it
# back:

# %%
# %%terminal
kubectl delete pod hello --namespace pods
kubectl get pods --namespace pods

# %% [markdown]
# Compare with chapter 04: there, a deleted Pod came back at once, because a **Deployment**
# (through its ReplicaSet, chapter 09) watched the number of its Pods. A bare Pod has
# nobody to replace it — not even if its node is lost. That is why applications run Pods through Deployments and other
# controllers, almost never bare.
#
# ### A failing container: `restartPolicy`
#
# Inside a Pod, the **kubelet** watches the containers. When one stops, the Pod's
# `restartPolicy` says what to do: `Always` (the default: restart it), `OnFailure` (restart
# it only if its exit code is not 0) or `Never`. `crash.yaml` declares two Pods whose
# container fails after a second, with `Always` and with `Never`:

# %%
# %%terminal
cat ../crash.yaml
kubectl apply -f ../crash.yaml
kubectl wait --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=CrashLoopBackOff pod/crash-always --namespace pods --timeout=90s
kubectl wait --for=jsonpath='{.status.phase}'=Failed pod/crash-never --namespace pods --timeout=90s

# %% [markdown]
# `kubectl wait --for=jsonpath=...` waits (bounded) until a field has a value: the first wait
# above returned once `crash-always`'s container was waiting in CrashLoopBackOff. Here are the
# two Pods' fields that tell the rest of the story (whether `crash-always` is waiting or
# already running again at this instant depends on the timing, so it is not shown):

# %%
# %%terminal
kubectl get pods crash-always crash-never --namespace pods -o custom-columns=POD:.metadata.name,POLICY:.spec.restartPolicy,PHASE:.status.phase,LAST_EXIT:.status.containerStatuses[0].lastState.terminated.exitCode,EXIT:.status.containerStatuses[0].state.terminated.exitCode

# %% [markdown]
# - `crash-never` is **Failed**: its container ended with code 1 and stays stopped.
# - `crash-always` is still **Running** as a Pod, but its container is waiting in
#   **CrashLoopBackOff**: the kubelet restarted it, it failed again (last exit code 1), and
#   the kubelet now waits before each new try — 10 s, then 20 s, 40 s... up to 5 minutes — so
#   a broken container does not burn the node. `kubectl get pods` shows it as
#   `CrashLoopBackOff` with its count of restarts.
#
# The logs of the failed run are kept: `--previous` reads the container's previous run —
# the first thing to look at when a Pod crash-loops:

# %%
# %%terminal
kubectl logs crash-always --namespace pods --previous

# %% [markdown]
# The restarts happen *in the same Pod*, on the same node, with the same IP: the kubelet
# restarts containers, it never moves a Pod. Moving or replacing Pods is the job of
# controllers (chapter 09).
#
# ## Exercises
#
# ### Exercise 1 — a sidecar that writes the page
#
# In a namespace `ex06`, declare a Pod `web` with two containers:
#
# - `nginx` (image `nginx`), which serves the folder `/usr/share/nginx/html`;
# - a sidecar (image `debian:bookworm`) that writes the text `Hello from the sidecar` into
#   `index.html` of a volume it shares with nginx (an `emptyDir` mounted in both), then
#   waits (`sleep infinity`).
#
# Wait for the Pod to be Ready. The check asks nginx for its page from inside the Pod.

# %%
# %%terminal
# your commands here

# %%
labkit.check("06.sidecar")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 06.sidecar
kubectl create namespace ex06 --dry-run=client -o yaml | kubectl apply -f -
kubectl apply --namespace ex06 -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - name: html
      emptyDir: {}
  containers:
    - name: nginx
      image: nginx
      volumeMounts:
        - name: html
          mountPath: /usr/share/nginx/html
    - name: sidecar
      image: debian:bookworm
      volumeMounts:
        - name: html
          mountPath: /pod-data
      command: ["bash", "-c", "echo 'Hello from the sidecar' > /pod-data/index.html; exec sleep infinity"]
YAML
kubectl wait --for=condition=Ready pod/web --namespace ex06 --timeout=120s

# %% [markdown]
# ### Exercise 2 — one IP for two containers
#
# Ask the **sidecar** of your Pod `web` (namespace `ex06`) for its IP address, with
# `kubectl exec` (`hostname -i`), and put it in `answer`. Is it the IP of the nginx
# container too? Of the Pod?

# %%
answer = ""  # for example "10.244.1.7"
labkit.check("06.shared-net", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 06.shared-net.
print("[exercise 06.shared-net: the steps, then the check]")
# The sidecar is the second container; `-c` names it (its name in your manifest).
sidecar = labkit.kubectl("get pod web -n ex06 -o jsonpath={.spec.containers[1].name}").output
seen = labkit.kubectl(f"exec web -n ex06 -c {sidecar} -- hostname -i").output
labkit.check("06.shared-net", seen.strip())

# %% [markdown]
# ### Exercise 3 — a Pod that runs once
#
# Declare, in namespace `ex06`, a Pod `once` (image `debian:bookworm`) whose container prints
# `done` and exits with code 0 — and that the kubelet does **not** start again. Which
# `restartPolicy` gives a Pod whose status ends as `Completed` (phase `Succeeded`)?

# %%
# %%terminal
# your commands here

# %%
labkit.check("06.once")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 06.once
kubectl create namespace ex06 --dry-run=client -o yaml | kubectl apply -f -
kubectl apply --namespace ex06 -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: once
spec:
  restartPolicy: Never
  containers:
    - name: main
      image: debian:bookworm
      command: ["echo", "done"]
YAML
kubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/once --namespace ex06 --timeout=120s
kubectl logs once --namespace ex06

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces, `pods` and `ex06` — so `crash-always`
# stops crash-looping — and checks that nothing of the chapter is left:

# %%
labkit.finish("06")

# %% [markdown]
# ## Summary
#
# - A **Pod** is one or more containers that Kubernetes runs together on one node: they share
#   the Pod's **volumes** and its **network namespace** (one IP, one `localhost`).
# - Create one with `kubectl run` (imperative) or with a manifest and `kubectl apply`
#   (declarative, repeatable); inspect it with `get -o wide`, `describe`, `logs -c`,
#   `exec -c`.
# - Every Pod has its own IP, reachable from Pods on every node.
# - A bare Pod deleted (or lost with its node) is gone: controllers such as Deployments
#   replace Pods. Inside a Pod, the kubelet restarts failed containers according to
#   `restartPolicy` (`Always`, `OnFailure`, `Never`), with a growing back-off
#   (`CrashLoopBackOff`); `kubectl logs --previous` shows the failed run.
#
# ## What's next
#
# Chapter 07 follows the slide *`Namespace`*: namespaces, and quotas that limit what a
# namespace may use.
