# %% [markdown]
# # 08 · Services and Ingress
#
# This chapter follows the deck's slides *`Service` : les `Pods` sont mortels !* — the
# Service `nginx-1` and its three types `ClusterIP`, `NodePort`, `LoadBalancer` — and
# *`Ingress` : ce type d'objet est surveillé et géré par un Ingress Controller. Il pointe sur
# un `Service`*, with Traefik as the Ingress Controller.
#
# **What you will learn**
# - why Pods are not reached by their IP, and how a Service gives them a stable name and
#   address inside the cluster (ClusterIP, DNS, EndpointSlices);
# - how to reach a Service from outside: a port on every node (NodePort), an address of
#   its own (LoadBalancer, here given by MetalLB);
# - how an Ingress routes HTTP requests by host name to Services, through Traefik;
# - what changed since the deck: the Ingress API `networking.k8s.io/v1`.
#
# **Prerequisites**: chapter 07 (the namespace `nginx-1` and its quota).

# %%
import labkit

labkit.chapter("08-services-ingress")

# %% [markdown]
# ## Something to reach: the deck's Deployment
#
# A Service needs Pods to send traffic to. The deck declares them on the slide after the
# Ingress one, with a **Deployment** `nginx-1`: one replica of `nginx` whose Pods carry the label
# `app: nginx-1`, asking for 128m of CPU and 128Mi of memory (chapter 09 reads it line by
# line). We create the namespace with the deck's file of chapter 07 (this chapter's
# folder has a copy, `namespace.yaml`), then the Deployment from `deployment.yaml`, and wait
# for its Pod:

# %%
# %%terminal
kubectl apply -f ../namespace.yaml
kubectl apply -f ../deployment.yaml
kubectl rollout status deployment/nginx-1 -n nginx-1 --timeout=120s
kubectl get pods -n nginx-1 -l app=nginx-1

# %% [markdown]
# The Pod has an IP of its own, reachable from every node (chapter 06). But it is a bad
# address to give anyone: the Pod's name and IP are chosen when it is created, and a
# Pod is **mortal** — deleted, evicted from a node that is drained, replaced by a new
# version — and its replacement gets another name and another IP.
#
# ## A stable address (*`Service` : les `Pods` sont mortels !*)
#
# A **Service** is a stable virtual address in front of a set of Pods chosen by a **label
# selector**. The deck's (in `service.yaml`) selects the Pods labelled `app: nginx-1` and
# listens on port 80 (it forwards to the same port of the Pods: `targetPort` defaults to
# `port`). Its type is commented out: the default, `ClusterIP`.

# %%
# %%terminal
cat ../service.yaml
kubectl apply -f ../service.yaml
kubectl get service nginx-1 -n nginx-1

# %% [markdown]
# **ClusterIP** (*attribue une IP interne au cluster dans le bloc CIDR dédié aux
# `Services`*): the Service got an address from the range reserved for Services
# (`10.96.0.0/16` on a kind cluster), distinct from the Pods' range (`10.244.0.0/16`).
#
# Which Pods are behind the Service? The *EndpointSlice controller* of the control plane
# keeps the list in **EndpointSlice** objects labelled with the Service's name: the Pods
# that match the selector, each with a condition `ready` (only Ready Pods get traffic). We
# wait until the Pod is listed as ready, then show it:

# %%
# %%terminal
kubectl wait --for=jsonpath='{.endpoints[0].conditions.ready}'=true endpointslice -l kubernetes.io/service-name=nginx-1 -n nginx-1 --timeout=60s
kubectl get endpointslices -n nginx-1 -l kubernetes.io/service-name=nginx-1

# %% [markdown]
# > 📝 **Deck note** — the deck's last slides name the older object, `Endpoints` (*route les
# > `Services` et les `Pods`*). It still exists, but since Kubernetes 1.33 it is deprecated
# > — the API server says so in a warning that kubectl prints: EndpointSlices replace it
# > (they scale to thousands of Pods).

# %%
# %%terminal
kubectl get endpoints nginx-1 -n nginx-1

# %% [markdown]
# ### Reaching the Service by name
#
# Inside the cluster, the DNS server (CoreDNS, chapter 05) gives every Service a name:
# `SERVICE.NAMESPACE.svc.cluster.local`. Let us start a client Pod — the course's `nginx`
# image has `curl` — and ask for the page by the Service's full name:

# %%
# %%terminal
kubectl run client --image=nginx -n nginx-1
kubectl wait --for=condition=Ready pod/client -n nginx-1 --timeout=120s
kubectl exec -n nginx-1 client -- curl -s http://nginx-1.nginx-1.svc.cluster.local/ | grep '<title>'

# %% [markdown]
# The short name works too, from the same namespace: the Pod's `/etc/resolv.conf` (written
# by the kubelet) makes the resolver try `nginx-1.nginx-1.svc.cluster.local` first. From
# another namespace, `nginx-1.nginx-1` is needed — namespaces scope DNS names as well.

# %%
# %%terminal
kubectl exec -n nginx-1 client -- cat /etc/resolv.conf
kubectl exec -n nginx-1 client -- curl -s http://nginx-1/ | grep '<title>'

# %% [markdown]
# No machine holds the ClusterIP. On every node, **kube-proxy** writes netfilter rules that
# translate it to the address of one of the Ready Pods of the EndpointSlices. Here is the
# rule that catches the Service's address on a worker (a node is a Docker container,
# chapter 04); the chain it jumps to picks a Pod:

# %%
# %%terminal
docker exec course-worker iptables -t nat -S KUBE-SERVICES | grep 'nginx-1/nginx-1 cluster IP'

# %% [markdown]
# ### Pods are mortal, the Service stays
#
# Now kill the Pod. The Deployment replaces it at once — a new name, a new IP:

# %%
# %%terminal
kubectl get pods -n nginx-1 -l app=nginx-1 -o custom-columns=POD:.metadata.name,IP:.status.podIP
kubectl delete pod -n nginx-1 -l app=nginx-1
kubectl wait --for=condition=Ready pod -l app=nginx-1 -n nginx-1 --timeout=120s
kubectl get pods -n nginx-1 -l app=nginx-1 -o custom-columns=POD:.metadata.name,IP:.status.podIP

# %% [markdown]
# The EndpointSlice follows: it now lists the new Pod's address (we wait for exactly that,
# bounded), and kube-proxy then rewrites its rules on every node —
# a second or so later, hence curl's bounded `--retry`. The Service keeps its name and its
# address: for the client, nothing changed.

# %%
# %%terminal
kubectl wait --for=jsonpath='{.endpoints[0].addresses[0]}'=$(kubectl get pods -n nginx-1 -l app=nginx-1 -o jsonpath='{.items[0].status.podIP}') endpointslice -l kubernetes.io/service-name=nginx-1 -n nginx-1 --timeout=60s
kubectl get endpointslices -n nginx-1 -l kubernetes.io/service-name=nginx-1
kubectl get service nginx-1 -n nginx-1
kubectl exec -n nginx-1 client -- curl -s --retry 10 --retry-all-errors --retry-delay 1 http://nginx-1/ | grep '<title>'

# %% [markdown]
# ## From outside the cluster: `NodePort`
#
# A ClusterIP is only reachable from the cluster's nodes and Pods. **NodePort**
# (*translation de port sur chaque noeud du cluster*) adds a port, the same on **every**
# node, taken in the range 30000–32767, that leads to the Service. We declare a second
# Service on the same Pods, `nginx-1-nodeport`, and pin its port to `30080`:

# %%
# %%terminal
cat ../service-nodeport.yaml
kubectl apply -f ../service-nodeport.yaml
kubectl get service nginx-1-nodeport -n nginx-1

# %% [markdown]
# `80:30080/TCP`: port 80 on the ClusterIP, port 30080 on the nodes. The course's kind
# cluster *publishes* the control plane's port 30080 on this machine's loopback (kind's
# `extraPortMappings`, like `docker run -p`), so a browser here can open
# <http://127.0.0.1:30080/>. kube-proxy needs a second to add the rules for the new port on
# every node, so curl retries (bounded):

# %%
# %%terminal
curl -s --retry 10 --retry-all-errors --retry-delay 1 http://127.0.0.1:30080/ | grep '<title>'

# %% [markdown]
# *Every* node answers on that port, even the control plane, which runs no `nginx-1` Pod:
# kube-proxy forwards to a Pod wherever it runs. The nodes' addresses are on the `kind`
# Docker network, which this machine can reach:

# %%
# %%terminal
for ip in $(kubectl get nodes -o jsonpath='{.items[*].status.addresses[?(@.type=="InternalIP")].address}'); do echo "$ip:30080 → $(curl -s --retry 10 --retry-all-errors --retry-delay 1 http://$ip:30080/ | grep -o '<title>.*</title>')"; done

# %% [markdown]
# ## An address of its own: `LoadBalancer`
#
# **LoadBalancer** (*chez un Cloud Provider (ELB chez AWS par exemple)*) asks for an
# external load balancer in front of the node ports: the Service gets an **EXTERNAL-IP**
# that clients use, and the load balancer spreads them over the nodes.

# %%
# %%terminal
cat ../service-lb.yaml
kubectl apply -f ../service-lb.yaml
kubectl wait --for=jsonpath='{.status.loadBalancer.ingress[0].ip}' service/nginx-1-lb -n nginx-1 --timeout=60s
kubectl get services -n nginx-1 -o custom-columns=NAME:.metadata.name,TYPE:.spec.type,CLUSTER-IP:.spec.clusterIP,EXTERNAL-IP:.status.loadBalancer.ingress[0].ip,PORT:.spec.ports[0].port

# %% [markdown]
# > 📝 **Deck note** — the deck says a LoadBalancer needs a cloud provider (an *ELB* at AWS).
# > On a cluster of your own, **MetalLB** plays that role: it takes the address from a pool
# > (here a range of the `kind` Docker network) and answers ARP requests for it from one
# > node (its *L2* mode). Without such a component, EXTERNAL-IP stays `<pending>` forever.
#
# The address answers from this machine (curl retries while MetalLB announces it):

# %%
# %%terminal
curl -s --retry 20 --retry-all-errors --retry-delay 1 --connect-timeout 2 http://$(kubectl get service nginx-1-lb -n nginx-1 -o jsonpath='{.status.loadBalancer.ingress[0].ip}')/ | grep '<title>'

# %% [markdown]
# A LoadBalancer Service is also a NodePort one (with a port Kubernetes picked, unless
# `allocateLoadBalancerNodePorts: false`) and a ClusterIP one: each type builds on the
# previous.
#
# ## Routing by host name (*`Ingress`*)
#
# One LoadBalancer per application costs one address each. An **Ingress** describes HTTP
# routing instead — *this host name, this path → this Service* — and an **Ingress
# Controller** (*ce type d'objet est surveillé et géré par un Ingress Controller*), a
# reverse proxy, applies it. The deck names **Traefik**; the course's cluster runs it on
# the control plane, listening on its port 80 (published on this machine as
# `127.0.0.1:8000`), and behind a LoadBalancer Service of its own.
#
# The deck's Ingress is in `ingress-deck.yaml`. Today's cluster has no such API version, so
# `kubectl` cannot even send it (its hint about CRDs does not apply here: that version was
# removed, see the note below):

# %%
# %%terminal --allow-fail
cat ../ingress-deck.yaml
kubectl apply -f ../ingress-deck.yaml

# %% [markdown]
# > 📝 **Deck note** — `extensions/v1beta1` (and `networking.k8s.io/v1beta1`) Ingresses were
# > removed in Kubernetes 1.22. In `networking.k8s.io/v1`, each path needs a `pathType`
# > (`Prefix`: `/` matches every path; `Exact`), the backend is written
# > `service: {name: nginx-1, port: {number: 80}}` instead of `serviceName`/`servicePort`,
# > and `ingressClassName` names the IngressClass — and through it the controller — that
# > should serve it (here `traefik`, the cluster's default class).
#
# Our `ingress.yaml` is the deck's Ingress in today's form, with a second rule: the host
# `hello.default.weeble.tech` goes to another Service, `hello` (an nginx serving one line
# of text, in `hello.yaml`).

# %%
# %%terminal
cat ../ingress.yaml
kubectl apply -f ../hello.yaml
kubectl rollout status deployment/hello -n nginx-1 --timeout=120s
kubectl apply -f ../ingress.yaml
kubectl wait --for=jsonpath='{.status.loadBalancer.ingress[0].ip}' ingress/nginx-1 -n nginx-1 --timeout=60s
kubectl get ingress nginx-1 -n nginx-1

# %% [markdown]
# The ADDRESS is Traefik's LoadBalancer address. The name `nginx-1.default.weeble.tech` is
# in no DNS, so we tell curl which host we mean with a `Host:` header — that header is what
# the Ingress routes on. Traefik needs a moment to read a new Ingress: until then it answers
# 404, so curl retries (`-f` turns a 404 into an error, `--retry` bounds the attempts):

# %%
# %%terminal
curl -sf --retry 20 --retry-all-errors --retry-delay 1 -H 'Host: nginx-1.default.weeble.tech' http://127.0.0.1:8000/ | grep '<title>'
curl -sf --retry 20 --retry-all-errors --retry-delay 1 -H 'Host: hello.default.weeble.tech' http://127.0.0.1:8000/

# %% [markdown]
# Same address, same port, two applications: the host name decides. `curl --resolve`
# does what a DNS record would do — it sends `nginx-1.default.weeble.tech` to Traefik's
# LoadBalancer address — so the URL carries the real host name:

# %%
# %%terminal
kubectl get service traefik -n traefik -o custom-columns=NAME:.metadata.name,TYPE:.spec.type,EXTERNAL-IP:.status.loadBalancer.ingress[0].ip
curl -s --resolve nginx-1.default.weeble.tech:80:$(kubectl get service traefik -n traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}') http://nginx-1.default.weeble.tech/ | grep '<title>'

# %% [markdown]
# A host that no Ingress names gets Traefik's own answer, a 404:

# %%
# %%terminal
curl -s -w 'HTTP %{http_code}\n' -H 'Host: nobody.weeble.tech' http://127.0.0.1:8000/

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a NodePort of your own
#
# In the namespace `ex08`, run a Deployment `web` (image `nginx`) and publish it with a
# NodePort Service `web` whose node port is **30081**. Only 30080 is published on this
# machine's loopback, but the nodes' own addresses answer on any node port.

# %%
# %%terminal
# your commands here

# %%
labkit.check("08.nodeport")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 08.nodeport
kubectl create namespace ex08 --dry-run=client -o yaml | kubectl apply -f -
kubectl create deployment web --image=nginx -n ex08 --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ex08
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      nodePort: 30081
YAML
kubectl rollout status deployment/web -n ex08 --timeout=120s

# %% [markdown]
# ### Exercise 2 — another host name
#
# Route the host name `web.ex08.weeble.tech` to the Service `web` of exercise 1, with an
# Ingress named `web` in `ex08` (class `traefik`). Check it with
# `curl -H 'Host: web.ex08.weeble.tech' http://127.0.0.1:8000/`.

# %%
# %%terminal
# your commands here

# %%
labkit.check("08.ingress")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 08.ingress
kubectl apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ex08
spec:
  ingressClassName: traefik
  rules:
    - host: web.ex08.weeble.tech
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
YAML
curl -sf --retry 20 --retry-all-errors --retry-delay 1 -H 'Host: web.ex08.weeble.tech' http://127.0.0.1:8000/ | grep '<title>'

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces, `nginx-1` and `ex08` — Deployments,
# Services (and MetalLB's address with them), Ingresses — and checks that nothing of the
# chapter is left:

# %%
labkit.finish("08")

# %% [markdown]
# ## Summary
#
# - Pods are mortal: their names and IPs change. A **Service** selects Pods by label and
#   gives them one stable address and a DNS name, `SERVICE.NAMESPACE.svc.cluster.local`.
# - **EndpointSlices** list the Pods behind a Service and whether each is ready;
#   kube-proxy's rules on every node translate the Service's address to a Ready one's.
# - `ClusterIP` (inside the cluster) ⊂ `NodePort` (a port on every node) ⊂ `LoadBalancer`
#   (an external address, from a cloud provider or from MetalLB).
# - An **Ingress** routes HTTP by host and path to Services; an Ingress Controller such as
#   Traefik serves it. Use `networking.k8s.io/v1`, with `pathType` and `ingressClassName`.
#
# ## What's next
#
# Chapter 09 follows the slides on the **Deployment**: its YAML line by line, label
# selectors, scaling — up to the quota of chapter 07 — and deleting the namespace.
