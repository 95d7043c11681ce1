# %% [markdown]
# # 13 · More objects
#
# This chapter follows the deck's slide **« D'autres objets ou concepts comme par exemple »**:
# *`StatefulSet` (adapté au déploiement d'applications statefull), `Endpoint` (route les
# `Services` et les `Pods`), `CronJob`, `DaemonSet`, `Job`, `ConfigMap` (stock de la
# configuration), `Secret`, `StorageClass`, `PersistentVolume`, `PersistentVolumeClaim`, les
# métriques, l'autoscaling (basé sur ces dernières), les rolling updates, le service mesh
# mériteraient le détour mais bon **ce n'est pas une formation ! :-)***
#
# The deck stops there; this chapter takes the detour — one short, real section per item,
# on the course's cluster.
#
# > 📝 **Deck note** — in the deck this slide comes just before the last Kubernetes slide,
# > *`NetworkPolicy`*; the course took network policies first (chapter 12), as they build
# > directly on namespaces and Services, and ends its Kubernetes part with this tour.
#
# **What you will learn**
# - configuration and credentials: **ConfigMap** and **Secret** (and why base64 is not
#   encryption);
# - workloads other than Deployments: **Job**, **CronJob**, **DaemonSet**, **StatefulSet**;
# - storage: **StorageClass**, **PersistentVolumeClaim**, **PersistentVolume**;
# - **EndpointSlices** and the **probes** that decide which Pods a Service sends traffic to;
# - **rolling updates** and rollbacks; **requests, limits** and QoS classes, an OOM kill;
# - **metrics** and the **HorizontalPodAutoscaler**; what a **service mesh** adds.
#
# **Prerequisites**: chapters 08 (Services) and 09 (Deployments, scaling).
#
# **The map of the chapter** — seven parts, each of a few short sections; every part stands
# on its own, so you can stop after any of them and come back:
#
# | Part | The deck's words | What you do |
# |---|---|---|
# | 1 · Configuration | `ConfigMap`, `Secret` | give a Pod settings and a password, as variables and files |
# | 2 · Workloads | `Job`, `CronJob`, `DaemonSet`, `StatefulSet` | run to completion, on a schedule, on every node, with stable names |
# | 3 · Storage | `StorageClass`, `PersistentVolume`, `PersistentVolumeClaim` | keep a file beyond the Pod that wrote it |
# | 4 · Traffic | `Endpoint`, (probes) | decide which Pods a Service sends traffic to; restart a stuck container |
# | 5 · Changes and resources | *les rolling updates* | update and roll back; requests, limits, QoS, an OOM kill |
# | 6 · Scaling | *les métriques, l'autoscaling* | read the metrics, let an HPA add replicas under load |
# | 7 · Beyond | *le service mesh* | what a mesh adds (no demo) |
#
# Then three exercises (a ConfigMap, a rollback, a StorageClass) and the clean-up.

# %%
import labkit

labkit.chapter("13-more-objects")

# %% [markdown]
# Everything of the tour lives in namespace `more`:

# %%
# %%terminal
kubectl create namespace more --dry-run=client -o yaml | kubectl apply -f -

# %% [markdown]
# ## 1 · Configuration
#
# ### `ConfigMap` — configuration outside the image
#
# The same image should run in test and in production; what differs (a greeting, a URL, a
# whole configuration file) goes into a **ConfigMap**: a set of keys and values, created
# here from a literal and from a file.

# %%
# %%terminal
cat > app.properties <<'EOF'
color=blue
max_items=10
EOF
kubectl create configmap app-config -n more --from-literal=GREETING=Bonjour --from-file=app.properties --dry-run=client -o yaml | kubectl apply -f -
kubectl describe configmap app-config -n more

# %% [markdown]
# A Pod consumes it two ways: one key as an **environment variable**, or the whole map as a
# **volume** — one file per key. The Pod below (a Debian shell that sleeps) does both; it
# also reads a Secret, created in the next section, so it starts after that.
#
# ### `Secret` — credentials
#
# A **Secret** looks like a ConfigMap, for passwords, tokens and keys:

# %%
# %%terminal
kubectl create secret generic db-credentials -n more --from-literal=username=app --from-literal=password='s3cr3t!' --dry-run=client -o yaml | kubectl apply -f -
kubectl get secret db-credentials -n more -o jsonpath='{.data}{"\n"}'

# %% [markdown]
# The values are **base64**-encoded — an encoding, not encryption: anyone who may read the
# Secret reads the password.

# %%
# %%terminal
kubectl get secret db-credentials -n more -o jsonpath='{.data.password}' | base64 -d; echo

# %% [markdown]
# What protects a Secret is who may read it — `get`, `list` or `watch` it (RBAC, chapter
# 10), or create Pods in its namespace, since a Pod may mount any Secret there — encryption
# at rest in etcd (an API server option), and keeping it out of Git. In YAML, `stringData`
# saves you the encoding: the API server encodes it and stores it under `data`.

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: api-token
stringData:
  token: my-token-123
YAML
kubectl get secret api-token -n more -o jsonpath='{.data.token}{"\n"}'

# %% [markdown]
# Now the Pod that uses both:

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: app
      image: debian:bookworm
      command: ["sleep", "infinity"]
      env:
        - name: GREETING
          valueFrom:
            configMapKeyRef:
              name: app-config
              key: GREETING
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: db-credentials
              key: password
      volumeMounts:
        - name: config
          mountPath: /etc/app
  volumes:
    - name: config
      configMap:
        name: app-config
YAML
kubectl wait pod/app -n more --for=condition=Ready --timeout=120s
kubectl exec -n more app -- printenv GREETING DB_PASSWORD
kubectl exec -n more app -- ls /etc/app
kubectl exec -n more app -- cat /etc/app/app.properties

# %% [markdown]
# > 💡 Files mounted from a ConfigMap are updated in running Pods when the ConfigMap changes
# > (after a minute or so; not files mounted with `subPath`); environment variables are read
# > once, at the container's start.
#
# ## 2 · Workloads
#
# A Deployment (chapter 09) keeps interchangeable Pods running forever. Four other
# controllers run Pods differently.
#
# ### `Job` and `CronJob` — run to completion
#
# A **Job** runs Pods until a number of them *succeed*. This one needs 3 completions, 2 at
# a time; in `Indexed` mode each Pod gets its number in `JOB_COMPLETION_INDEX`:

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: count
spec:
  completions: 3
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: task
          image: debian:bookworm
          command: ["sh", "-c", "echo task $JOB_COMPLETION_INDEX done"]
YAML
kubectl wait job/count -n more --for=condition=Complete --timeout=120s
kubectl get job count -n more
kubectl logs -n more -l job-name=count | sort

# %% [markdown]
# A **CronJob** creates a Job on a schedule, in `crontab` syntax: `0 3 * * *` is every day
# at 03:00 (in the controller manager's time zone, UTC here, unless `spec.timeZone` names
# another). Rather than wait for the night, `kubectl create job --from=cronjob/...` starts
# one run now, from the CronJob's template — handy to test it.

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: debian:bookworm
              command: ["sh", "-c", "echo backing up the database... done"]
YAML
kubectl get cronjob backup -n more -o custom-columns=NAME:.metadata.name,SCHEDULE:.spec.schedule,SUSPEND:.spec.suspend
kubectl create job backup-now --from=cronjob/backup -n more --dry-run=client -o yaml | kubectl apply -f -
kubectl wait job/backup-now -n more --for=condition=Complete --timeout=120s
kubectl logs -n more job/backup-now

# %% [markdown]
# ### `DaemonSet` — one Pod per node
#
# A **DaemonSet** runs one copy of a Pod on every node (or on every node its selector
# picks): log collectors, monitoring agents, network plugins. This cluster's own `kube-proxy`
# and `labkit-net` (the network plugin, which gives each Pod its address and routes, as
# kind's `kindnetd` does) are DaemonSets. The control plane has a taint that keeps ordinary
# Pods off; a *toleration* lets our agent run there too:

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      terminationGracePeriodSeconds: 0
      tolerations:
        - key: node-role.kubernetes.io/control-plane
          effect: NoSchedule
      containers:
        - name: agent
          image: debian:bookworm
          command: ["sleep", "infinity"]
YAML
kubectl rollout status daemonset/node-agent -n more --timeout=120s
kubectl get pods -n more -l app=node-agent -o custom-columns=NODE:.spec.nodeName,STATUS:.status.phase --sort-by=.spec.nodeName

# %% [markdown]
# There is no `replicas` field: add a node, and the DaemonSet adds a Pod.
#
# ### `StatefulSet` — stable names and storage
#
# The Pods of a Deployment are interchangeable: random names, shared (or no) storage. A
# database's replicas are not: each has its own data and its own identity. A
# **StatefulSet** gives its Pods
#
# - stable names: `web-0`, `web-1`..., created in that order, each replaced by a Pod of the
#   same name;
# - a stable DNS name each, `web-0.web`, through a *headless* Service (`clusterIP: None`:
#   no virtual IP, DNS answers with the Pods' own addresses);
# - its own volume each, from `volumeClaimTemplates`: one PersistentVolumeClaim per Pod.

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx
          volumeMounts:
            - name: html
              mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
    - metadata:
        name: html
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: 16Mi
YAML
kubectl wait statefulset/web -n more --for=jsonpath='{.status.readyReplicas}'=2 --timeout=180s
kubectl get pods -n more -l app=web
kubectl get pvc -n more

# %% [markdown]
# Each Pod writes its name into its own volume; then `web-0` asks `web-1` by its DNS name:

# %%
# %%terminal
kubectl exec -n more web-0 -- sh -c 'echo "I am $(hostname)" > /usr/share/nginx/html/index.html'
kubectl exec -n more web-1 -- sh -c 'echo "I am $(hostname)" > /usr/share/nginx/html/index.html'
kubectl exec -n more web-0 -- curl -s --retry 5 --retry-all-errors --retry-delay 1 http://web-1.web

# %% [markdown]
# Delete `web-0`: the StatefulSet recreates a Pod with the *same* name, attached to the
# *same* claim `html-web-0` — the data is still there.

# %%
# %%terminal
kubectl delete pod web-0 -n more
kubectl wait pod/web-0 -n more --for=create --timeout=60s
kubectl wait pod/web-0 -n more --for=condition=Ready --timeout=120s
kubectl exec -n more web-0 -- cat /usr/share/nginx/html/index.html

# %% [markdown]
# ## 3 · Storage: `StorageClass`, `PersistentVolumeClaim`, `PersistentVolume`
#
# The three storage objects split the work:
#
# - a **PersistentVolumeClaim** (PVC) is a request, in the application's namespace: "16 MiB,
#   read-write by one node";
# - a **PersistentVolume** (PV) is an actual piece of storage (a cloud disk, an NFS share, a
#   folder of a node), cluster-wide; a PVC is *bound* to one PV;
# - a **StorageClass** says how to create PVs on demand (*dynamic provisioning*).
#
# This cluster has one class, `standard`, the default: kind's *local-path* provisioner,
# which makes each PV a folder on a node's disk.

# %%
# %%terminal
kubectl get storageclass

# %% [markdown]
# `WaitForFirstConsumer`: the PV is created only when a Pod uses the claim, on that Pod's
# node (a local folder must be where the Pod runs). A claim alone stays `Pending`:

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: notes
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 16Mi
YAML
kubectl get pvc notes -n more -o custom-columns=NAME:.metadata.name,STATUS:.status.phase,CLASS:.spec.storageClassName

# %% [markdown]
# A Pod writes into it; the claim gets bound to a new PV:

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: writer
      image: debian:bookworm
      command: ["sh", "-c", "echo 'written by the writer Pod' > /data/note.txt && sleep infinity"]
      volumeMounts:
        - name: notes
          mountPath: /data
  volumes:
    - name: notes
      persistentVolumeClaim:
        claimName: notes
YAML
kubectl wait pod/writer -n more --for=condition=Ready --timeout=120s
kubectl get pvc notes -n more -o custom-columns=NAME:.metadata.name,STATUS:.status.phase,CLASS:.spec.storageClassName
kubectl get pv $(kubectl get pvc notes -n more -o jsonpath='{.spec.volumeName}')

# %% [markdown]
# Delete the Pod and start another one on the same claim: the file outlived its writer.

# %%
# %%terminal
kubectl delete pod writer -n more --wait=true
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: reader
      image: debian:bookworm
      command: ["sleep", "infinity"]
      volumeMounts:
        - name: notes
          mountPath: /data
  volumes:
    - name: notes
      persistentVolumeClaim:
        claimName: notes
YAML
kubectl wait pod/reader -n more --for=condition=Ready --timeout=120s
kubectl exec -n more reader -- cat /data/note.txt

# %% [markdown]
# `RECLAIM POLICY Delete`: deleting the claim deletes the PV and its data. With `Retain`, the
# PV stays after its claim is gone — that is what the deck meant on the slide *Scaling et
# suppression du `Namespace`*: deleting a namespace deletes its PVCs, "enfin presque... les
# PersistentVolume restent".
#
# ## 4 · Traffic: `Endpoint`s, probes — which Pods get the traffic
#
# A Service's selector is turned into a list of Pod addresses, its *endpoints*, kept up to
# date by a controller; kube-proxy routes the Service's address to them.
#
# > 📝 **Deck note** — the deck names the `Endpoints` object. Today the endpoints live in
# > **`EndpointSlice`** objects (`discovery.k8s.io/v1`, GA since Kubernetes 1.21; several
# > slices of at most 100 endpoints for large Services); kube-proxy reads only the slices,
# > and the old `Endpoints` API, still kept up to date, is deprecated since v1.33.
#
# An endpoint is *ready* only when its Pod is: a **readiness probe** tells. The two Pods
# below serve their own name; their probe checks for a file `/tmp/ready`, which does not
# exist yet. A **liveness probe** (on the next Pod) is different: when it fails, the kubelet
# *restarts* the container.

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector:
    app: hello
  ports:
    - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: hello-a
  labels:
    app: hello
spec:
  containers:
    - name: nginx
      image: nginx
      command: ["sh", "-c", "hostname > /usr/share/nginx/html/index.html && exec nginx -g 'daemon off;'"]
      readinessProbe:
        exec:
          command: ["test", "-f", "/tmp/ready"]
        periodSeconds: 2
---
apiVersion: v1
kind: Pod
metadata:
  name: hello-b
  labels:
    app: hello
spec:
  containers:
    - name: nginx
      image: nginx
      command: ["sh", "-c", "hostname > /usr/share/nginx/html/index.html && exec nginx -g 'daemon off;'"]
      readinessProbe:
        exec:
          command: ["test", "-f", "/tmp/ready"]
        periodSeconds: 2
YAML
kubectl wait pod/hello-a pod/hello-b -n more --for=jsonpath='{.status.phase}'=Running --timeout=120s
kubectl get pods -n more -l app=hello

# %% [markdown]
# Running but `0/1` ready. Make `hello-a` ready; the Service then sends every request to it,
# and the EndpointSlice shows one ready endpoint and one not ready:

# %%
# %%terminal
kubectl exec -n more hello-a -- touch /tmp/ready
kubectl wait pod/hello-a -n more --for=condition=Ready --timeout=60s
kubectl exec -n more hello-b -- sh -c 'for i in 1 2 3 4; do curl -s --retry 5 --retry-all-errors --retry-delay 1 http://hello; done'
kubectl get endpointslices -n more -l kubernetes.io/service-name=hello -o jsonpath='{range .items[*].endpoints[*]}{.targetRef.name}{" ready="}{.conditions.ready}{"\n"}{end}' | sort

# %% [markdown]
# Four requests to the Service, four answers from `hello-a` (asked from `hello-b`, whose
# nginx image has `curl`; not ready only means "no traffic through Services"). A readiness
# probe that fails later takes the Pod out of the endpoints again, without restarting it:
# use it for "busy, or not connected to my database yet".
#
# The liveness probe of the Pod below checks a file its command creates at start. Remove it
# and the kubelet restarts the container (a new container, so the file is back):

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: alive
spec:
  containers:
    - name: nginx
      image: nginx
      command: ["sh", "-c", "touch /tmp/alive && exec nginx -g 'daemon off;'"]
      livenessProbe:
        exec:
          command: ["test", "-f", "/tmp/alive"]
        periodSeconds: 2
        failureThreshold: 1
YAML
kubectl wait pod/alive -n more --for=condition=Ready --timeout=120s
kubectl exec -n more alive -- rm /tmp/alive
kubectl wait pod/alive -n more --for=jsonpath='{.status.containerStatuses[0].restartCount}'=1 --timeout=60s
kubectl wait pod/alive -n more --for=condition=Ready --timeout=60s
kubectl get pod alive -n more

# %% [markdown]
# ## 5 · Changes and resources
#
# ### Rolling updates (and rollbacks)
#
# Changing a Deployment's Pod template (here its image) starts a **rolling update**: a new
# ReplicaSet grows while the old one shrinks, a few Pods at a time (`maxSurge`,
# `maxUnavailable`), so the application keeps serving. Each template is a *revision*; the
# annotation `kubernetes.io/change-cause` labels it in the history.

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  annotations:
    kubernetes.io/change-cause: "first version: nginx"
spec:
  replicas: 4
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 1
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
        - name: nginx
          image: nginx
YAML
kubectl rollout status deployment/frontend -n more --timeout=120s

# %%
# %%terminal
kubectl set image deployment/frontend nginx=nginx:1.22 -n more
kubectl annotate deployment/frontend -n more kubernetes.io/change-cause="image nginx:1.22" --overwrite
kubectl rollout status deployment/frontend -n more --timeout=120s
kubectl rollout history deployment/frontend -n more

# %% [markdown]
# Two ReplicaSets now exist: the old one, scaled to 0, is kept (up to `revisionHistoryLimit`,
# 10 by default) — it is the history a rollback uses. `rollout undo` returns to the
# previous revision (which comes back as revision 3):

# %%
# %%terminal
kubectl rollout undo deployment/frontend -n more
kubectl rollout status deployment/frontend -n more --timeout=120s
kubectl get deployment frontend -n more -o jsonpath='{.spec.template.spec.containers[0].image}{"\n"}'
kubectl rollout history deployment/frontend -n more

# %% [markdown]
# kubectl's warning (new in recent versions) is worth reading: `kubectl apply` keeps the
# manifest it last applied in an annotation, and compares against it next time; `rollout
# undo` changes the Deployment's template without updating that annotation. Where a
# Deployment is managed from files, the lasting rollback is to fix the file and apply it again.
#
# ### Requests, limits, QoS — and an OOM kill
#
# Chapter 09's Deployment had `resources`: **requests** are what the scheduler reserves on a
# node for the container; **limits** are a ceiling enforced by the kernel (cgroups): over
# its CPU limit a container is slowed down, over its memory limit it is killed. From them,
# each Pod gets a **QoS class**, which decides who is evicted first when a node runs out of
# memory: `BestEffort` (nothing set) first, then `Burstable`, `Guaranteed` (requests =
# limits for every resource) last.
#
# The Pod `hog` has a 64 MiB memory limit and tries to hold 200 MB in a bash variable:

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hog
spec:
  restartPolicy: Never
  containers:
    - name: hog
      image: debian:bookworm
      command: ["bash", "-c", "echo filling memory; x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"]
      resources:
        limits:
          cpu: 100m
          memory: 64Mi
YAML
kubectl wait pod/hog -n more --for=jsonpath='{.status.phase}'=Failed --timeout=120s
kubectl get pod hog -n more
kubectl get pod hog -n more -o jsonpath='{.status.containerStatuses[0].state.terminated.reason} exit code {.status.containerStatuses[0].state.terminated.exitCode}{"\n"}'
kubectl logs -n more hog

# %% [markdown]
# `OOMKilled`, exit code 137 (128 + signal 9, `SIGKILL`): the kernel killed it before it
# could print `survived`. With only limits set, the requests default to the limits, so `hog`
# is `Guaranteed`; `app` (nothing set) is `BestEffort`:

# %%
# %%terminal
kubectl get pods hog app -n more -o custom-columns=POD:.metadata.name,QOS:.status.qosClass,REQUESTS:.spec.containers[0].resources.requests,LIMITS:.spec.containers[0].resources.limits

# %% [markdown]
# ## 6 · Scaling: metrics and autoscaling
#
# **metrics-server** (installed in this cluster) collects each container's CPU and memory
# from the kubelets every 15 seconds and serves them through the API: `kubectl top`.

# %%
# %%terminal
kubectl wait apiservice/v1beta1.metrics.k8s.io --for=condition=Available --timeout=120s

# %% [markdown]
# The values change all the time, so the course's tests do not compare the next output (a
# Pod started less than a minute ago may not be measured yet):

# %% tags=["nbval-ignore-output"]
# %%terminal --allow-fail
kubectl top nodes
kubectl top pods -n more

# %% [markdown]
# The **HorizontalPodAutoscaler** (HPA) reads those metrics and changes a Deployment's
# `replicas`: it aims at an average CPU use of 50 % of the Pods' *request* here, between 1
# and 4 replicas. `api` requests 10 millicores of CPU (1 % of a core); a `load` Pod sends it
# requests in 4 loops.

# %%
# %%terminal
kubectl apply -n more -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: nginx
          image: nginx
          resources:
            requests:
              cpu: 10m
            limits:
              cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
YAML
kubectl rollout status deployment/api -n more --timeout=120s
kubectl autoscale deployment api -n more --cpu=50% --min=1 --max=4 --dry-run=client -o yaml | kubectl apply -n more -f -
kubectl apply -n more -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: load
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: load
      image: nginx
      command: ["sh", "-c", "for i in 1 2 3 4; do (while true; do curl -s -o /dev/null http://api; done) & done; wait"]
      resources:
        limits:
          cpu: "1"
YAML

# %% [markdown]
# The HPA needs a first measure of the Pod (up to a minute), then raises `replicas` within
# its next 15-second cycle, possibly in two steps. We wait (bounded, at most 3 minutes) until
# it wants 4 replicas, until the Deployment runs them, and until the HPA has seen them
# running (its REPLICAS column is what it observed at its last cycle):

# %%
# %%terminal --timeout 360
kubectl wait hpa/api -n more --for=jsonpath='{.status.desiredReplicas}'=4 --timeout=180s
kubectl rollout status deployment/api -n more --timeout=120s
kubectl wait hpa/api -n more --for=jsonpath='{.status.currentReplicas}'=4 --timeout=60s
kubectl get hpa api -n more -o custom-columns=NAME:.metadata.name,MIN:.spec.minReplicas,MAX:.spec.maxReplicas,REPLICAS:.status.currentReplicas

# %% [markdown]
# The HPA's own view, with the measure it acts on. The percentage changes with every measure,
# so the course's tests do not compare this output:

# %% tags=["nbval-ignore-output"]
# %%terminal
kubectl get hpa api -n more

# %% [markdown]
# TARGETS reads `cpu: N%/50%`: at the last measure, the Pods used on average N % of the CPU
# they *request* (10m each), against a target of 50 %. Above the target, the HPA adds
# replicas — that is what made it scale — but never beyond MAXPODS (4): with this much load
# on Pods that request so little, N usually stays far above 50 % even with four Pods, and
# the HPA stays at 4. Below the target, it removes replicas, but only after 5 minutes below
# (its *scale-down stabilization window*, which avoids flapping). Stop the load: `api` will go back to 1 replica, five minutes later.

# %%
# %%terminal
kubectl delete pod load -n more --ignore-not-found

# %% [markdown]
# > 💡 `kubectl autoscale --cpu-percent=50`, found in many tutorials, is deprecated in recent
# > kubectl, which prints a warning: write `--cpu=50%`. The HPA can also use memory, or
# > custom metrics (requests per second, queue length) through an adapter such as
# > Prometheus'.
#
# ## 7 · Beyond: service mesh
#
# A **service mesh** (Istio, Linkerd, Cilium's) adds a proxy next to every Pod — a *sidecar*
# container, or one per node — through which all the traffic between Pods goes. Without
# changing the applications, it gives mutual TLS between services (encryption and identity),
# retries and timeouts, traffic splitting for canary releases, and per-request metrics and
# traces. It is a layer of its own, with its own objects (CRDs) and controllers, and a cost
# in memory and latency: worth it for many services talking to each other, too much for this
# course's cluster — *ce n'est pas une formation !*
#
# ## Exercises
#
# ### Exercise 1 — a page from a ConfigMap
#
# In namespace `ex13`, create a ConfigMap `site` whose key `index.html` holds a page
# containing `Hello from a ConfigMap`, and a Deployment `site` (image `nginx`) that mounts
# it on `/usr/share/nginx/html`. The check asks nginx for `/`.

# %%
# %%terminal
# your commands here

# %%
labkit.check("13.configmap")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 13.configmap
kubectl create namespace ex13 --dry-run=client -o yaml | kubectl apply -f -
kubectl create configmap site -n ex13 --from-literal=index.html='<h1>Hello from a ConfigMap</h1>' --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -n ex13 -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: site
spec:
  selector:
    matchLabels:
      app: site
  template:
    metadata:
      labels:
        app: site
    spec:
      containers:
        - name: nginx
          image: nginx
          volumeMounts:
            - name: page
              mountPath: /usr/share/nginx/html
      volumes:
        - name: page
          configMap:
            name: site
YAML
kubectl rollout status deployment/site -n ex13 --timeout=120s

# %% [markdown]
# ### Exercise 2 — update, then roll back
#
# The cell below creates a Deployment `shop` (image `nginx`) in namespace `ex13`. Update it
# to `nginx:1.22`, wait for the rollout, then roll it back to the previous revision. The
# check wants `shop` back on `nginx`, at revision 3 or more, with a ReplicaSet of
# `nginx:1.22` in its history.

# %%
# %%terminal
kubectl create namespace ex13 --dry-run=client -o yaml | kubectl apply -f -
kubectl create deployment shop -n ex13 --image=nginx --replicas=2 --dry-run=client -o yaml | kubectl apply -f -
kubectl rollout status deployment/shop -n ex13 --timeout=120s

# %%
# %%terminal
# your commands here

# %%
labkit.check("13.rollback")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 13.rollback
kubectl set image deployment/shop nginx=nginx:1.22 -n ex13
kubectl rollout status deployment/shop -n ex13 --timeout=120s
kubectl rollout undo deployment/shop -n ex13
kubectl rollout status deployment/shop -n ex13 --timeout=120s

# %% [markdown]
# ### Exercise 3 — a StorageClass of your own
#
# Create a StorageClass `ex13-fast` (provisioner `rancher.io/local-path`, volume binding
# mode `WaitForFirstConsumer`, reclaim policy `Delete`), then in `ex13` a PVC `scratch` of
# that class and a Pod `scratch` that mounts it. The check wants the claim `Bound` to a PV of
# class `ex13-fast`.

# %%
# %%terminal
# your commands here

# %%
labkit.check("13.storageclass")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 13.storageclass
kubectl apply -f - <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ex13-fast
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
YAML
kubectl apply -n ex13 -f - <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch
spec:
  storageClassName: ex13-fast
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 16Mi
---
apiVersion: v1
kind: Pod
metadata:
  name: scratch
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: scratch
      image: debian:bookworm
      command: ["sleep", "infinity"]
      volumeMounts:
        - name: scratch
          mountPath: /scratch
  volumes:
    - name: scratch
      persistentVolumeClaim:
        claimName: scratch
YAML
kubectl wait pod/scratch -n ex13 --for=condition=Ready --timeout=120s

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes the chapter's namespaces, `more` and `ex13` — with the claims in
# them, whose volumes the provisioner then deletes — and the StorageClass `ex13-fast`, which
# belongs to no namespace; it waits until all of it is gone:

# %%
labkit.finish("13")

# %% [markdown]
# ## Summary
#
# - **ConfigMap** and **Secret** hold configuration and credentials, given to containers as
#   environment variables or files; a Secret is base64-encoded, not encrypted.
# - **Job** runs Pods to completion, **CronJob** creates Jobs on a schedule (`kubectl create
#   job --from=cronjob/...` runs one now), **DaemonSet** runs one Pod per node,
#   **StatefulSet** gives Pods stable names, DNS names and their own volumes.
# - A **PVC** asks for storage, a **PV** is the storage, a **StorageClass** creates PVs on
#   demand; data outlives the Pods.
# - A Service's endpoints live in **EndpointSlices**; **readiness** probes decide which Pods
#   receive traffic, **liveness** probes restart stuck containers.
# - **Rolling updates** replace Pods a few at a time; `kubectl rollout history/undo` go back.
# - **Requests** reserve, **limits** cap (memory over the limit: `OOMKilled`); they define the
#   **QoS class**. **metrics-server** feeds `kubectl top` and the **HPA**, which scales on
#   them. A **service mesh** adds mTLS, retries and telemetry between services.
#
# ## What's next
#
# The deck moves on to Helm, the package manager of Kubernetes: the objects of this chapter,
# templated and installed as one *release*.
