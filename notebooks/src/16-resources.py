# %% [markdown]
# # 16 · Resources and a capstone
#
# The deck ends with four slides of links, **Ressources**: *Docker*, *k8s*, *Gitlab* and
# *En vrac* (odds and ends). This chapter goes through them as they stand today — what each
# one is for, which ones moved or were archived and what replaced them, and which chapter of
# this course practised the topic. Then comes a **capstone**: chapter 03's voting app, on the
# cluster, installed by a Helm chart that you write.
#
# **What you will learn**
# - where each of the deck's resources leads today, and what to read instead of the pages
#   that were archived (the Helm `stable` charts, `external-storage`, the v1.13 API
#   reference, ...);
# - to find the API version a manifest should say today — in the reference, and by asking
#   the cluster itself;
# - to put the whole course together: five services as Deployments and Services, a Secret,
#   an Ingress on Traefik, NetworkPolicies that keep the data stores private, and a
#   ResourceQuota — one chart, one `helm` command;
# - what the course covered, and what to learn next.
#
# **Prerequisites**: the whole course, in particular chapters 03 (the voting app), 07
# (quotas), 08 (Ingress), 12 (network policies), 13 (Secrets, probes, requests and limits)
# and 14 (Helm).
#
# > 📝 The notebooks reach no network: nothing below fetches these links, they are for your
# > browser. What the tables say about each page was checked when this chapter was written
# > (December 2026); where we could not check a page, the table says nothing about it.

# %%
import labkit

labkit.chapter("16-resources")

# %% [markdown]
# ## Docker (*Ressources — Docker*)
#
# | Deck link | What it is for | Today | Practised in |
# |---|---|---|---|
# | [Documentation officielle](https://docs.docker.com/) | Docker's manuals and references: the engine, the `docker` CLI, the Dockerfile and Compose file formats | organised in *Guides*, *Manuals* and *Reference* | 01, 02, 03 |
# | [Docker Hub](https://hub.docker.com/) | the public registry behind names like `nginx` or `redis:7` | — | 02 |
#
# This course never reaches Docker Hub: the **mirror** `127.0.0.1:5001` serves the course's
# images, built from Debian packages, under Docker Hub's names (chapter 00). The voting app's
# three images are there too, so a Pod can say `image: dockerplusplus/vote:1` like any other.
# The mirror speaks the registry API of chapter 01 (the OCI distribution-spec):

# %%
# %%terminal
curl -s http://127.0.0.1:5001/v2/dockerplusplus/vote/tags/list
curl -s http://127.0.0.1:5001/v2/library/redis/tags/list

# %% [markdown]
# ## Kubernetes (*Ressources — k8s*)
#
# The deck's pages on kubernetes.io, and the projects it pointed to on GitHub:
#
# | Deck link | What it is for | Today | Practised in |
# |---|---|---|---|
# | [Installation](https://kubernetes.io/docs/setup/) | ways to get a cluster, from a learning environment to production | — | 05 (this course's cluster is `kind`) |
# | [Concepts](https://kubernetes.io/docs/concepts/) | how each object works | — | 05–13 |
# | [RBAC](https://kubernetes.io/docs/reference/access-authn-authz/rbac/) | Role, ClusterRole and their bindings | same address, *Using RBAC Authorization* | 10 |
# | [Liveness et Readiness](https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-probes/) | probes: restart a stuck container, keep an unready Pod out of its Service | same address, now *Configure Liveness, Readiness and Startup Probes* (a third kind of probe) | 13 |
# | [Rolling update](https://kubernetes.io/docs/tutorials/kubernetes-basics/update/update-intro/) | a tutorial: update a Deployment Pod by Pod | still a module of the *Learn Kubernetes Basics* tutorial | 13 |
# | [Ressources](https://kubernetes.io/docs/concepts/configuration/manage-compute-resources-container/) | requests and limits | now [Resource Management for Pods and Containers](https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/) | 07, 09, 13 |
# | [Requests vs Limits](https://kubernetes.io/docs/concepts/policy/resource-quotas/#requests-vs-limits) | a quota on `requests.cpu` makes every container state its CPU request | the section is titled *Requests compared to Limits* | 07, and the capstone below |
# | [`PersistentVolume`](https://kubernetes.io/docs/concepts/storage/persistent-volumes/) | volumes that outlive Pods, claims, reclaim policies | — | 09, 13 |
# | [kubernetes-incubator/external-storage](https://github.com/kubernetes-incubator/external-storage) | provisioners kept outside Kubernetes' code (NFS, local volumes, ...) | **deprecated**: its library moved to [kubernetes-sigs/sig-storage-lib-external-provisioner](https://github.com/kubernetes-sigs/sig-storage-lib-external-provisioner); storage plugs in through **CSI** drivers (generally available since Kubernetes 1.13) | 13: this cluster's `standard` StorageClass is Rancher's [local-path-provisioner](https://github.com/rancher/local-path-provisioner) (v0.0.30) |
# | [kubernetes-network-policy-recipes](https://github.com/ahmetb/kubernetes-network-policy-recipes) | NetworkPolicy examples to copy, each with a diagram | — | 12, and the capstone |
# | [Métriques](https://kubernetes.io/docs/tasks/debug-application-cluster/core-metrics-pipeline/) | the *Core metrics pipeline*: metrics-server, the Metrics API, `kubectl top` | renamed [Resource metrics pipeline](https://kubernetes.io/docs/tasks/debug/debug-cluster/resource-metrics-pipeline/) | 13 |
# | [Autoscaling](https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/) | the HorizontalPodAutoscaler | same address; a *walkthrough* page beside it | 13 |
# | [What is a Service Mesh?](https://www.redhat.com/fr/topics/microservices/what-is-a-service-mesh) | an introduction (in French) to service meshes | — | 13 (read, not run) |
# | [API overview](https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.13/) | every object's fields, for Kubernetes **1.13** | use the [Kubernetes API reference](https://kubernetes.io/docs/reference/kubernetes-api/), or the one-page reference of *your* version: same address with `v1.37` for this cluster | exercise 1 below |
# | [Bootcamp](https://kubernetesbootcamp.github.io/kubernetes-bootcamp) | an interactive first tutorial | the bootcamp's repository was archived in 2018 and merged into [Learn Kubernetes Basics](https://kubernetes.io/docs/tutorials/kubernetes-basics/) | 04–09 |
# | [50+ Useful Kubernetes Tools](https://dzone.com/articles/50-useful-kubernetes-tools) | a list of tools of the deck's time | not checked; for a list kept up to date, the [CNCF landscape](https://landscape.cncf.io/) | — |
# | [SIGs](https://github.com/kubernetes-sigs) | the GitHub organisation of Kubernetes' Special Interest Groups' projects | — | `kind`, metrics-server and kubespray live there |
# | [Documentation Helm](https://docs.helm.sh/) | Helm's documentation | at [helm.sh/docs](https://helm.sh/docs/), one version per major release: this course runs Helm **4** | 14, 15, the capstone |
# | [Repository Helm officiel](https://github.com/helm/charts) | the `stable` and `incubator` chart repositories of Helm 2 | **archived**: support ended on 13 November 2020; charts are found on [Artifact Hub](https://artifacthub.io/), which lists the repositories their projects publish | 14 |
# | [kubespray](https://github.com/kubernetes-sigs/kubespray) | Ansible playbooks that install a cluster on your machines | — | — (kind here) |
# | [vagrant-k8s](https://gitlab.com/le-garff-yoann/vagrant-k8s) | the deck author's cluster on Vagrant VMs | not checked | — |
#
# ("—" in *Today*: we claim nothing about the page.)
#
# > 📝 **Deck note** — four of the deck's Kubernetes links lead to the past: the `stable`
# > charts are archived and `external-storage` deprecated, the bootcamp became the
# > official tutorial, and the API overview documents Kubernetes 1.13, whose
# > `extensions/v1beta1` and `batch/v1beta1` objects this cluster no longer serves. The
# > table gives their successors; chapter 14 installs charts the way Helm 4 does.
#
# Two of these are worth a closer look from here.
#
# **Storage.** `external-storage` held *external provisioners*: programs that watch
# PersistentVolumeClaims and create volumes for them. The idea stayed, the repository did
# not: storage systems now ship **CSI drivers** (Container Storage Interface), and smaller
# provisioners build on the library that moved to kubernetes-sigs. This cluster's default
# StorageClass is one of those small provisioners — a folder on a node per claim
# (chapter 09 read a file in it). Its image has the name kind's manifest asks for (kind's
# build of Rancher's provisioner); the course builds it offline, from Rancher's v0.0.30. The
# class is the default through its annotation `storageclass.kubernetes.io/is-default-class`,
# which `kubectl get storageclass` shows as `(default)` after its name:

# %%
# %%terminal
kubectl get storageclass
kubectl get deployment -n local-path-storage -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image

# %% [markdown]
# **The API reference.** The deck's overview is the reference of Kubernetes 1.13 (2018):
# several objects of that time changed version since, and old versions are removed. The API
# server says which versions it serves today — `kubectl api-versions` lists them, and
# `kubectl explain` gives any object's fields, for *this* cluster, with no browser:

# %%
# %%terminal
kubectl api-versions | grep -E '^(networking|batch|autoscaling)'
kubectl explain ingress.spec.rules.http.paths.backend.service

# %% [markdown]
# `networking.k8s.io/v1` only: the deck's `extensions/v1beta1` Ingress (chapter 08) is not
# served any more — a manifest that says it is refused.
#
# ## GitLab (*Ressources — Gitlab*) and the deck's *Gitlab + Helm + k8s = CD*
#
# | Deck link | What it is for | Today | Practised in |
# |---|---|---|---|
# | [Gitlab CI/CD](https://about.gitlab.com/product/continuous-integration/) | GitLab's continuous integration | a product page; the documentation is at [docs.gitlab.com/ci](https://docs.gitlab.com/ci/), with the `.gitlab-ci.yml` keyword reference at [docs.gitlab.com/ci/yaml](https://docs.gitlab.com/ci/yaml/) | 15 |
# | [GitHub Flow](https://guides.github.com/introduction/flow/) (slide *Certains workflows Git*) | a branch-based workflow built on pull requests | documented at [docs.github.com — GitHub flow](https://docs.github.com/en/get-started/using-github/github-flow) | 15 |
#
# Chapter 15 runs real pipelines on this machine with `gitlab-ci-local`, which reads the
# same `.gitlab-ci.yml` as GitLab: tests, an image per commit, a review app per merge
# request, production from `main`.
#
# ## Odds and ends (*Ressources — En vrac*)
#
# | Deck link | What it is for | Today | Practised in |
# |---|---|---|---|
# | [YAML](https://yaml.org/) | the specification of the language of every manifest | YAML 1.2; its latest revision, 1.2.2 (October 2021), changed no rule | every chapter |
# | [Apprendre YAML en Y minutes](https://learnxinyminutes.com/docs/fr-fr/yaml-fr/) | YAML in one page, in French | not checked | — |
# | [Go(lang) templating](https://golang.org/pkg/text/template/#hdr-Text_and_spaces) | `text/template`, the language of Helm's templates; the anchor is about `{{-` and `-}}`, which trim spaces | Go's package documentation is at [pkg.go.dev/text/template](https://pkg.go.dev/text/template) | 14, the capstone |
# | [Git++](https://le-garff-yoann.gitlab.io/slides-gitplusplus) | the same author's slides on Git | not checked | 15 used Git |
#
# ## Exercises
#
# ### Exercise 1 — today's API versions
#
# Manifests of the deck's time said `extensions/v1beta1` for an Ingress, `batch/v1beta1`
# for a CronJob and `autoscaling/v2beta1` for a HorizontalPodAutoscaler. Find the
# `apiVersion` a manifest should say **today** for each of the three, and put them in
# `answer`. (The check compares with the version this cluster's API server prefers.)

# %%
answer = {  # the deck's time: replace each version
    "Ingress": "extensions/v1beta1",
    "CronJob": "batch/v1beta1",
    "HorizontalPodAutoscaler": "autoscaling/v2beta1",
}

# %%
labkit.check("16.api-versions", answer)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution of exercise 16.api-versions.
print("[exercise 16.api-versions: the steps, then the check]")
# The API server lists every resource it serves, with the version it prefers.
listed = labkit.kubectl("api-resources").output.splitlines()
wanted = ("NAME", "ingresses", "cronjobs", "horizontalpodautoscalers")
print("\n".join(row for row in listed if row.split()[0] in wanted))
answer = {
    "Ingress": "networking.k8s.io/v1",
    "CronJob": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
}
labkit.check("16.api-versions", answer)

# %% [markdown]
# ### Exercise 2 — the capstone: the voting app, by your chart
#
# Chapter 03 ran the voting app with Compose: **vote** (Flask) queues each vote in
# **redis**, the **worker** moves them into Postgres (**db**), and **result** shows the
# tally. Now run it on the cluster, installed by **a Helm chart that you write**, in the
# namespace `capstone`:
#
# - a Deployment for each of the five services, and a Service for the four that others
#   connect to (`vote`, `result`, `redis`, `db` — the apps find each other by these names);
# - the database's login in a Secret;
# - an **Ingress** on Traefik: `vote.capstone.weeble.tech` and
#   `result.capstone.weeble.tech`, reached here through `127.0.0.1:8000` with a `Host`
#   header (chapter 08);
# - **NetworkPolicies** that keep redis and db private: only the apps that need them may
#   connect (chapter 12; this cluster's pod network, labkit-net, enforces them);
# - a **ResourceQuota** for the namespace, and requests and limits on every container,
#   which the quota then requires (chapters 07 and 13).
#
# The check, `labkit.check("16.capstone")`, finds your Helm release, casts real votes through
# the Ingress (three new voters), waits (at most a minute) until result counts them, and
# then proves the privacy with real connections: the worker reaches db and redis; vote
# cannot reach db, result cannot reach redis; and a stray Pod — one without any of the apps'
# labels, started by the check — reaches neither.
#
# **The starting point.** `../skeleton/voting-app` is a chart whose `Chart.yaml` and
# `values.yaml` are written (images, the login, each container's requests and limits, the
# quota, the domain) and whose `templates/redis.yaml` is complete: a Deployment and its
# Service, the model for the others. Every other template holds only a comment saying what
# it must contain. Copy it into your work folder:

# %%
# %%terminal
cp -r ../skeleton/voting-app .
find voting-app -type f | sort
cat voting-app/values.yaml

# %% [markdown]
# The model, `templates/redis.yaml`. `{{ .Values.images.redis }}` is replaced by the value
# of `images.redis`; `toYaml ... | nindent 12` writes a whole block of values (the requests
# and limits) indented by 12 spaces, on a new line:

# %%
# %%terminal
cat voting-app/templates/redis.yaml

# %% [markdown]
# The skeleton is a valid chart already. `helm template` shows what it renders (here: only
# redis, since the other templates are comments); `helm install` installs it as the release
# `voting-app`:

# %%
# %%terminal --timeout 240
helm lint voting-app
helm template voting-app ./voting-app | grep '^kind:'
helm install voting-app ./voting-app --namespace capstone --create-namespace --wait --timeout 3m
kubectl get deployments,services -n capstone

# %% [markdown]
# **The steps.** Fill one template at a time, then `helm upgrade voting-app ./voting-app
# --namespace capstone --wait` and run the check: its message names the next thing that is
# missing.
#
# | Step | Template | What it must contain |
# |---|---|---|
# | 1 | `quota.yaml` | a ResourceQuota whose `spec.hard` is `values.yaml`'s `quota` |
# | 2 | `secret.yaml` | a Secret `db` with the keys `POSTGRES_USER` and `POSTGRES_PASSWORD` |
# | 3 | `db.yaml` | Deployment and Service `db` (port 5432): the Secret as environment, `PGDATA` in an `emptyDir` volume, a readiness probe, its `resources` |
# | 4 | `vote.yaml`, `result.yaml`, `worker.yaml` | a Deployment each, a Service (port 80) for vote and result; each app's environment: where redis is (`REDIS_HOST`), where db is (`DB_HOST`), the Secret's login — only what the app uses |
# | 5 | `ingress.yaml` | one Ingress, class `traefik`, a rule per host name |
# | 6 | `networkpolicies.yaml` | a policy that selects redis and one that selects db, each letting in only the apps that use it, on its port |
#
# Useful while you work: `helm template voting-app ./voting-app` (what your chart renders,
# with no cluster), `kubectl get pods -n capstone` and `kubectl get events -n capstone
# --sort-by=.lastTimestamp` (why a Pod does not start — a quota refusal shows there), and
# chapter 03's `docker-compose.yml` (each service's environment). The check with the
# skeleton installed:

# %%
labkit.check("16.capstone")

# %%
# %%terminal
# your commands here

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --timeout 600 --check 16.capstone
helm lint ../solution/voting-app
helm upgrade voting-app ../solution/voting-app --namespace capstone --wait --timeout 5m

# %% [markdown]
# ### The app, running
#
# With a complete chart installed (yours, or the solution's), the release is at its second
# revision, and the namespace holds everything the chart describes:

# %%
# %%terminal
helm list --namespace capstone
kubectl get deployments,services,ingresses,networkpolicies -n capstone

# %% [markdown]
# Through the Ingress: the ballot, and the tally of the votes the check cast (two for Cats,
# one for Dogs):

# %%
# %%terminal
curl -sf --retry 10 --retry-all-errors --retry-delay 1 -H 'Host: vote.capstone.weeble.tech' http://127.0.0.1:8000/ | grep -o '<title>.*</title>'
curl -sf --retry 10 --retry-all-errors --retry-delay 1 -H 'Host: result.capstone.weeble.tech' http://127.0.0.1:8000/api/results

# %% [markdown]
# The privacy, from the apps themselves (bash's `/dev/tcp`, as in chapter 12): the worker
# reaches db, vote does not — its connection hangs until `timeout` ends it after 3 s
# (`exit code 124` is timeout's).

# %%
# %%terminal
kubectl exec -n capstone deploy/worker -- timeout 3 bash -c '</dev/tcp/db/5432' && echo "worker → db:5432 open" || echo "worker → db:5432 blocked"
kubectl exec -n capstone deploy/vote -- timeout 3 bash -c '</dev/tcp/db/5432' && echo "vote → db:5432 open" || echo "vote → db:5432 blocked"

# %% [markdown]
# And the budget: what the five Pods request and may use, against the quota. (The check's
# stray Pod is gone; the quota's count follows within seconds, hence the bounded wait.)

# %%
# %%terminal
kubectl wait --for=jsonpath='{.status.used.pods}'=5 resourcequota/voting-app -n capstone --timeout=60s
kubectl describe resourcequota voting-app -n capstone

# %% [markdown]
# > 💡 Going further with the same chart: give db a PersistentVolumeClaim (better, a
# > StatefulSet with a `volumeClaimTemplate`, chapter 13) so the votes survive a new Pod;
# > add a LimitRange so containers without `resources` get defaults instead of a refusal;
# > run two replicas of vote and result; publish the chart to the course's chart repository
# > and install it from there (chapter 14).
#
# ## Summary of the course
#
# | Chapters | What you did |
# |---|---|
# | 00–02 | A container is a process with namespaces and cgroups, run by `runc` from an OCI bundle; images are layers in a registry. The Docker engine pulls, runs, builds, tags and pushes them. |
# | 03 | Compose describes several containers, their networks and volumes in one file: the voting app. |
# | 04–06 | An orchestrator keeps a declared state on a cluster. Kubernetes: the API server, etcd, the scheduler and controllers, kubelets on the nodes; Pods share an IP and volumes. |
# | 07–09 | Namespaces scope names and quotas; Services give Pods a stable address and Ingress routes by host name; Deployments keep replicas and roll updates; selectors find objects. |
# | 10–12 | RBAC decides who may do what; nodes are cordoned and drained for maintenance; NetworkPolicies decide which Pods may talk to which. |
# | 13 | ConfigMaps, Secrets, Jobs, CronJobs, DaemonSets, StatefulSets, volumes and StorageClasses, probes, requests and limits, metrics and autoscaling. |
# | 14–15 | Helm packages objects as a chart and installs, upgrades and rolls back releases; a `.gitlab-ci.yml` pipeline tests, builds, deploys a review app per merge request, and production from `main`. |
# | 16 | The deck's resources today, and the voting app on the cluster by your own chart. |
#
# ## What to learn next
#
# A short list, honest about what this course left out:
#
# - **Storage for real**: StatefulSets with PVCs backed by a CSI driver, and backups — the
#   capstone's database forgets everything when its Pod goes.
# - **Security**: the Pod `securityContext` (non-root users, read-only root filesystems) and
#   the Pod Security admission; where secrets really live (a Secret is only base64).
# - **Observing**: metrics with Prometheus, logs collected off the nodes, traces.
# - **The Gateway API**: the next generation of Ingress, generally available since its
#   v1.0 (2023), installed as CRDs.
# - **GitOps**: a controller in the cluster (Argo CD, Flux) that pulls a Git repository's
#   manifests, instead of a pipeline that pushes them.
# - **A cluster of your own**: kubeadm on VMs, or a managed cluster at a cloud provider;
#   then the CKAD or CKA certifications, if you want a goal.
#
# ## Clean up
#
# The chapter deletes its namespace (and with it the Helm release, whose records are
# Secrets in that namespace), waiting at most two minutes:

# %%
# %%terminal --timeout 200
kubectl delete namespace capstone --ignore-not-found --timeout=120s

# %% [markdown]
# `labkit.finish` checks that nothing of the chapter is left, and says so:

# %%
labkit.finish("16")

# %% [markdown]
# That was the last chapter. Thank you for following the course — *merci* to the deck's
# author, whose slides it follows.
