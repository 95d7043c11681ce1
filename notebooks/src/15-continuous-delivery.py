# %% [markdown]
# # 15 · Continuous delivery
#
# This chapter follows the deck's slides **« Gitlab + Helm + k8s = CD »**: *pull requests*
# (or *merge requests*) propose changes to a Git remote, are discussed, fixed and **tested**
# before they are merged; software forges such as GitLab offer them; Git workflows such as
# **GitHub Flow** rest on them; and *Des exemples valent mieux qu'un long discours*: an
# *Application pilote* (the deck's is mojochat, a Mojolicious chat) and the *Repository du
# `Chart` Helm de l'application pilote*.
#
# **What you will learn**
# - what a merge request is, and how GitHub Flow takes a change from a branch to production
#   through one;
# - how to write the Helm chart of your own application: `helm create`, trimmed to what the
#   application needs, values, a helper, `helm package`, `helm push` to an OCI registry;
# - how a `.gitlab-ci.yml` describes a pipeline: stages, jobs, `workflow:rules` and `rules:`,
#   variables, environments with a URL and an `on_stop` job;
# - how such a pipeline tests the code, builds an image tagged with the commit, deploys a
#   **review app** per merge request into its own namespace, smoke-tests it through the
#   Ingress, and deploys to **production** from the default branch only;
# - what a red pipeline looks like, and how it keeps a bug out of production.
#
# **Prerequisites**: chapters 08 (Ingress), 13 (Secrets) and 14 (Helm).

# %%
import labkit

labkit.chapter("15-continuous-delivery")

# %% [markdown]
# ## No GitLab server here
#
# The deck's examples live on gitlab.com. **No GitLab server can run on this machine**: it is
# a large application (a Rails server, PostgreSQL, Redis, Gitaly, Sidekiq…) wanting several
# gigabytes of memory, and its images come from a registry this machine cannot reach. So
# the course plays each part GitLab plays with a smaller, real piece:
#
# | GitLab | here |
# |---|---|
# | a project's Git repository | a bare repository on the course's Git server, `git://127.0.0.1:9418/NAME.git` |
# | the project's container registry (`$CI_REGISTRY`) | the course registry `localhost:5000` |
# | a runner with the Docker executor, running the jobs of `.gitlab-ci.yml` | **gitlab-ci-local**, which reads the same file and runs each job in a container of the host's engine |
# | a merge request, whose events start pipelines | a branch pushed to the Git server, and a pipeline we start with the variables GitLab would set |
# | Settings → CI/CD → Variables | gitlab-ci-local's `.gitlab-ci-local-variables.yml` |
# | the environments page | `helm list`, `kubectl get namespaces` |
#
# What GitLab adds on top — merge request pages, the pipeline graph, protected branches —
# is described in [its own section](#What-GitLab-would-add) below.
#
# Git records who made each commit and when. We fix both, so that your commits get the
# same ids as the recorded outputs — and the images built from them, tagged with those ids,
# too.

# %%
import os

os.environ.update(
    {
        "GIT_AUTHOR_NAME": "Ana Lyst",
        "GIT_AUTHOR_EMAIL": "ana@example.com",
        "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+00:00",
        "GIT_COMMITTER_NAME": "Ana Lyst",
        "GIT_COMMITTER_EMAIL": "ana@example.com",
        "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+00:00",
    }
)

# %% [markdown]
# ## The pilot application (*Application pilote*)
#
# The deck's pilot application, mojochat, is a chat room written with Mojolicious (Perl).
# The course's pilot is its twin in Python: **chat**, a Flask application in this chapter's
# `app/` folder. `GET /` shows the page, `GET /messages` the conversation as text,
# `POST /messages` (a `nick` and a `text`) adds a line, `GET /healthz` says whether it can
# reach its store. Several replicas will serve it, so the conversation cannot live in one
# process: it lives in **Redis** (`REDIS_URL`). Without `REDIS_URL` the app keeps it in
# memory — enough for the unit tests, which need no Redis. The files:
#
# | File | Role |
# |---|---|
# | `app.py`, `test_app.py` | the application and its unit tests (`python3 -m unittest`) |
# | `Dockerfile` | its image, `FROM dockerplusplus/python-web:1` (Python, Flask, the Redis client) |
# | `smoke-test.sh` | a test of a running installation, through the Ingress |
# | `.gitlab-ci.yml` | its pipeline (below) |
# | `.gitignore` | what Git leaves out |
#
# First, its repository on the Git server. A forge creates it when you click *New project*;
# here `git init --bare` does, in the folder the Git server serves. Then we clone it, as
# any developer would, and put the application in:

# %%
# %%terminal
git init --bare --quiet --initial-branch=main ~/.cache/labkit/forge/git/chat.git
git clone git://127.0.0.1:9418/chat.git
cd chat
cp -r ../../app/. .
git add .
git commit --quiet -m "The chat: its code, tests, image, smoke test and pipeline"
git log --oneline
git push --set-upstream origin main
git remote set-head origin --auto

# %% [markdown]
# The commit id is the same on every machine, since its content, author and date are.
# `git remote set-head` records which branch is the remote's default (`main`): a clone of a
# non-empty repository does it by itself, and gitlab-ci-local reads it as
# `CI_DEFAULT_BRANCH`.
#
# ## The chart's repository (*Repository du `Chart` Helm de l'application pilote*)
#
# The deck keeps its charts in a repository of their own, apart from the application: the
# chart changes at its own pace (a new value, a probe) and one chart repository can serve
# many applications. We make one, `chat-chart`, and write the chart in it. `helm create`
# gives a starting point: the chart Helm thinks a typical web application needs.

# %%
# %%terminal
cd ..
git init --bare --quiet --initial-branch=main ~/.cache/labkit/forge/git/chat-chart.git
git clone --quiet git://127.0.0.1:9418/chat-chart.git
cd chat-chart
helm create chat
find chat -type f | sort

# %% [markdown]
# It is generous: a ServiceAccount, an autoscaler (`hpa.yaml`), a Gateway API route
# (`httproute.yaml`), a test Pod (`tests/`), and a `values.yaml` of 161 lines for them. The
# chat needs none of them, and a chart's values are a promise to its users (each one
# must keep working in the next versions), so we **trim**: what the chat does not use goes.

# %%
# %%terminal
rm -r chat/templates/hpa.yaml chat/templates/httproute.yaml chat/templates/serviceaccount.yaml chat/templates/tests
ls chat/templates

# %% [markdown]
# ### Values
#
# `values.yaml` holds what each installation may change, with its default — the rest is
# fixed in the templates. Each installation of the chat differs by its image tag (one per
# commit) and its host name (one per review app); the registry wants a login, so the Pods
# need an `imagePullSecret`, a Secret of type `docker-registry` that the pipeline creates
# (GitLab calls such a read-only login a *deploy token*).

# %%
# %%terminal
cat > chat/values.yaml <<'EOF'
# Values of the chat chart: what each installation may change (helm --set, -f).
replicaCount: 2

image:
  repository: localhost:5000/chat
  tag: ""                   # by default the chart's appVersion; the pipeline sets the commit
  pullPolicy: IfNotPresent

imagePullSecrets:
  - name: registry-login    # the course registry wants a login (the pipeline creates it)

service:
  port: 80

ingress:
  className: traefik
  host: chat.localhost

redis:
  image: redis:7
EOF
cat > chat/Chart.yaml <<'EOF'
apiVersion: v2
name: chat
description: A small chat room (Flask), its conversation shared through Redis
type: application
version: 0.1.0
appVersion: "latest"
EOF

# %% [markdown]
# ### Helpers
#
# `templates/_helpers.tpl` defines named templates (`define`), which the other templates
# call with `include`: the objects' names and their labels, written once. Files starting
# with `_` render nothing themselves. We keep `helm create`'s helpers but the one for the
# ServiceAccount, and add one: the name of the Redis objects, which two templates need.

# %%
# %%terminal
cat > chat/templates/_helpers.tpl <<'EOF'
{{/* The chart's name (nameOverride may change it). */}}
{{- define "chat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The objects' name: the release's, with the chart's name unless it holds it already. */}}
{{- define "chat.fullname" -}}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The Redis objects' name. */}}
{{- define "chat.redis" -}}
{{- printf "%s-redis" (include "chat.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object gets. */}}
{{- define "chat.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "chat.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the release's Pods (add a component to tell web from redis). */}}
{{- define "chat.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chat.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
EOF

# %% [markdown]
# ### Templates
#
# The Deployment: `helm create`'s, trimmed. Its Pods are labelled `component: web`, so that
# the Services can tell them from the Redis Pod; the image comes from the values; the
# readiness probe asks `/healthz`, which answers only once Redis does.

# %%
# %%terminal
cat > chat/templates/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chat.fullname" . }}
  labels:
    {{- include "chat.labels" . | nindent 4 }}
    app.kubernetes.io/component: web
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "chat.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: web
  template:
    metadata:
      labels:
        {{- include "chat.labels" . | nindent 8 }}
        app.kubernetes.io/component: web
    spec:
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: chat
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            - name: REDIS_URL
              value: redis://{{ include "chat.redis" . }}:6379/0
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
EOF

# %% [markdown]
# The Service and the Ingress route `HOST` → the web Pods. One template holds both Redis
# objects (`---` separates them); `$name` is a template variable, set once.

# %%
# %%terminal
cat > chat/templates/service.yaml <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: {{ include "chat.fullname" . }}
  labels:
    {{- include "chat.labels" . | nindent 4 }}
spec:
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
  selector:
    {{- include "chat.selectorLabels" . | nindent 4 }}
    app.kubernetes.io/component: web
EOF
cat > chat/templates/ingress.yaml <<'EOF'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "chat.fullname" . }}
  labels:
    {{- include "chat.labels" . | nindent 4 }}
spec:
  ingressClassName: {{ .Values.ingress.className }}
  rules:
    - host: {{ .Values.ingress.host | quote }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ include "chat.fullname" . }}
                port:
                  name: http
EOF
cat > chat/templates/redis.yaml <<'EOF'
{{- $name := include "chat.redis" . }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "chat.labels" . | nindent 4 }}
    app.kubernetes.io/component: redis
spec:
  selector:
    matchLabels:
      {{- include "chat.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: redis
  template:
    metadata:
      labels:
        {{- include "chat.labels" . | nindent 8 }}
        app.kubernetes.io/component: redis
    spec:
      containers:
        - name: redis
          image: {{ .Values.redis.image }}
          ports:
            - name: redis
              containerPort: 6379
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "chat.labels" . | nindent 4 }}
spec:
  ports:
    - name: redis
      port: 6379
      targetPort: redis
  selector:
    {{- include "chat.selectorLabels" . | nindent 4 }}
    app.kubernetes.io/component: redis
EOF
cat > chat/templates/NOTES.txt <<'EOF'
The chat answers at http://{{ .Values.ingress.host }}:8000 (through the course's Ingress).
EOF

# %% [markdown]
# `helm lint` checks the chart (the `[INFO]` line is a suggestion, not an error), and
# `helm template` renders it without a cluster, here with the values a review app would
# get — the best way to see what a template makes:

# %%
# %%terminal
helm lint chat
helm template chat ./chat --set image.tag=1a2b3c4d --set ingress.host=demo.review.chat.localhost --show-only templates/deployment.yaml
helm template chat ./chat --set ingress.host=demo.review.chat.localhost | grep -E '^(kind|  name):|host:'

# %% [markdown]
# The release name is `chat`, the chart's name too, so `chat.fullname` gives `chat` (not
# `chat-chat`), and the Redis objects are `chat-redis`. (The pattern `host:` also matches
# the image's `localhost:`: with no tag given, the image's tag is the chart's `appVersion`,
# `latest`; the pipeline always gives one.)
#
# ### Package and publish
#
# `helm package` makes the chart's archive, `chat-0.1.0.tgz` (its version comes from
# `Chart.yaml`). As in chapter 14, we publish it in the course registry, which holds charts
# as OCI artifacts beside images — GitLab's registry does the same. The registry speaks
# plain HTTP on loopback, so each command gets `--plain-http`; the archive is a build
# product, not a source, so Git ignores it:

# %%
# %%terminal
helm package chat
echo docker-plus-plus | helm registry login localhost:5000 --username student --password-stdin --plain-http
helm push chat-0.1.0.tgz oci://localhost:5000/charts --plain-http
echo '*.tgz' > .gitignore
git add .
git commit --quiet -m "The chat's chart, 0.1.0"
git push --quiet origin main

# %% [markdown]
# > 📝 **Deck note** — in the deck's day, charts were published in a *chart repository*: a
# > web site with an `index.yaml` and the packages (Helm 2 even served one, `helm serve`,
# > on port 8879). The course has one at `http://127.0.0.1:8879` (chapter 14 uses it).
# > OCI registries hold charts too: experimental from Helm 3.0, supported since Helm 3.8
# > (January 2022). GitLab holds charts both ways: in its package registry (a classic
# > chart repository) and in its container registry (OCI).
#
# ## The pipeline (`.gitlab-ci.yml`)
#
# A **pipeline** is what GitLab runs when something happens to a project: jobs, grouped in
# **stages**; the stages run one after the other, the jobs of a stage in parallel, and a
# failed job stops the stages after it. The chat's pipeline, committed with it:

# %%
# %%terminal
cd ../chat
cat .gitlab-ci.yml

# %% [markdown]
# Reading it from the top:
#
# | Part | Meaning |
# |---|---|
# | `workflow: rules:` | when a pipeline exists at all: for a **merge request** (`CI_PIPELINE_SOURCE == "merge_request_event"`) or a push to the **default branch**; a push to another branch starts none (its merge request will) |
# | `stages:` | the order: test → build → review → smoke → production |
# | `variables:` | for every job; `$CI_…` are GitLab's predefined variables: `CI_COMMIT_SHORT_SHA` (8 characters of the commit), `CI_COMMIT_REF_SLUG` (the branch, lowercased, fit for a host name) |
# | `default: image:` | the image a job runs in, unless it says otherwise: the course's job image, with git, curl, docker, helm and kubectl |
# | `test` | the unit tests, in the app's own base image |
# | `build` | `docker build` and `docker push` of `localhost:5000/chat:<commit>` — one image per commit, so every environment's image tag names the commit it runs |
# | `.deploy` | a hidden job (its name starts with a dot): a template. It creates the namespace and the registry Secret, then `helm upgrade --install` — install the first time, upgrade after — and waits (`--wait`) until the Pods are ready |
# | `review` | for merge requests: a **review app** in namespace `review-<branch>`, at `http://<branch>.review.chat.localhost:8000`; `environment:` names it and gives its URL, `on_stop:` names the job that removes it |
# | `stop_review` | `when: manual`: it runs when someone asks (GitLab also runs it when the merge request is merged or closed, or the branch is deleted) |
# | `smoke` | `smoke-test.sh` through the Ingress, against the review app |
# | `production` | on the default branch only (`rules:`): deploys to namespace `production`, at `http://chat.localhost:8000`, then smoke-tests it; `!reference` reuses `.deploy`'s script |
#
# Host names ending in `.localhost` need no DNS: curl and browsers send them to
# `127.0.0.1`, where the cluster's Ingress listens on port 8000 (chapter 08).
#
# ### The runner's settings and the project's variables
#
# gitlab-ci-local reads its options from `.gitlab-ci-local-env`, in the project's folder —
# the role of a GitLab runner's `config.toml`:
#
# - `NETWORK=host`: jobs share the host's network, so `localhost:5000` (the registry),
#   `127.0.0.1:8000` (the Ingress) and the cluster's API are the same addresses in a job as
#   in your terminal;
# - `VOLUME=…:/var/run/docker.sock`: jobs talk to the host's Docker engine (a GitLab runner
#   does the same, or runs a Docker-in-Docker service). The engine's socket is the one your
#   `docker` client uses, which `docker context inspect` names —
#   `unix:///var/run/docker.sock`, Docker's usual place, unless the course's engine runs
#   beside another one; `sed` keeps the path — and the job finds it at the usual place;
# - `HELPER_IMAGE`: gitlab-ci-local prepares each job's volumes with a small container,
#   by default from an image on Docker Hub; the course's Debian does it offline;
# - `IGNORE_PREDEFINED_VARS`: we set some of GitLab's own variables on purpose (below), so
#   gitlab-ci-local need not warn about them.
#
# `.gitlab-ci-local-variables.yml` holds the CI/CD variables. GitLab predefines
# `CI_REGISTRY*` (its registry and a login valid for the job) and `CI_DEPLOY_*` (the deploy
# token the project names `gitlab-deploy-token`, if it has one); the project itself sets
# one, `KUBECONFIG`, of type **File**: the job gets the variable as a path to a file
# holding the value, which is what `kubectl` and `helm` want.
# Its value is the cluster's kubeconfig, as `kind` gives it. These files hold secrets:
# `.gitignore` keeps them out of the repository.

# %%
# %%terminal
kind get kubeconfig --name course > ../kubeconfig
cat > .gitlab-ci-local-env <<EOF
NETWORK=host
VOLUME=$(docker context inspect --format '{{.Endpoints.docker.Host}}' | sed 's|^unix://||'):/var/run/docker.sock
HELPER_IMAGE=debian:bookworm
IGNORE_PREDEFINED_VARS=CI_PIPELINE_SOURCE,CI_REGISTRY,CI_REGISTRY_IMAGE
EOF
cat > .gitlab-ci-local-variables.yml <<EOF
CI_REGISTRY: localhost:5000
CI_REGISTRY_IMAGE: localhost:5000/chat
CI_REGISTRY_USER: student
CI_REGISTRY_PASSWORD: docker-plus-plus
CI_DEPLOY_USER: student
CI_DEPLOY_PASSWORD: docker-plus-plus
KUBECONFIG: $(realpath ../kubeconfig)
EOF
cat .gitlab-ci-local-env .gitlab-ci-local-variables.yml
git status --short --ignored

# %% [markdown]
# One more thing: gitlab-ci-local fills `CI_PROJECT_PATH` and friends from the remote's
# address, and it understands GitLab's forms of it (`https://…`, `git@…`), not `git://`.
# A remote named `gcl-origin` gives it the address the project would have on a GitLab
# server:

# %%
# %%terminal
git remote add gcl-origin https://gitlab.example.com/course/chat.git
git remote -v

# %% [markdown]
# ### The first pipeline: production
#
# Which jobs would a push to `main` run? `gitlab-ci-local --list` evaluates the `rules:`
# (it prints two timing lines on its error output, dropped here):

# %%
# %%terminal
gitlab-ci-local --list 2>/dev/null

# %% [markdown]
# Three jobs: no review app and no smoke stage for the default branch. On gitlab.com the
# push of the chat to `main`, above, would have started this pipeline at once. Here we
# start it: the course's `run_pipeline` runs gitlab-ci-local in the terminal's folder with
# the variables GitLab would set. It prints the command — type it in a terminal and you get
# the same pipeline — then each job's result once its stage is over; the whole log, long
# and full of timings, stays in `.gitlab-ci-local/pipeline.log`, and each job's own log in
# `.gitlab-ci-local/output/JOB.log`.

# %%
pipeline = labkit.run_pipeline()

# %% [markdown]
# GitLab draws a pipeline as columns of stages. The course's **pipeline view** does the
# same, with each job's status and duration, the environments the pipeline deployed to, and
# the log of the job you pick:

# %% tags=["nbval-ignore-output"]
from labkit.widgets import PipelineView

view = PipelineView()
view

# %%
print(view.text())

# %% [markdown]
# The end of the build job's log shows the image it pushed — tagged with the commit,
# `11556da2` — and the end of the production job's, Helm's notes on the release it
# installed, then the smoke test:

# %%
# %%terminal
tail -n 2 .gitlab-ci-local/output/build.log
tail -n 6 .gitlab-ci-local/output/production.log

# %% [markdown]
# Production answers at its environment's URL. The smoke test left a message in it:

# %%
# %%terminal
curl -sS http://chat.localhost:8000/messages
helm history chat --namespace production
kubectl get deployments --namespace production

# %% [markdown]
# ## Merge requests and GitHub Flow (*Les pull requests…*, *Des forges logicielles…*, *Certains workflows Git…*)
#
# A **pull request** (GitHub's word) or **merge request** (GitLab's) proposes to merge one
# branch into another. It is a page on the forge: the diff, a discussion, reviews, and the
# result of the branch's pipeline. Changes are discussed, fixed and tested there before
# anyone merges them. Forges — GitLab, GitHub, Gitea, Bitbucket — all offer them.
#
# **GitHub Flow** is the simplest workflow built on them:
#
# 1. `main` is always deployable — it is what production runs;
# 2. for any change, create a branch from `main`, with a descriptive name;
# 3. commit on it, and push it;
# 4. open a merge request; its pipeline tests the change and deploys a review app;
# 5. discuss and review; push fixes to the same branch (each push runs the pipeline again);
# 6. merge once approved and green — `main`'s pipeline deploys to production;
# 7. delete the branch; its review app is stopped.
#
# Let us walk it. The change: in the chat, `/me waves` should read `* ana waves`, as on
# IRC. The patch changes `format_message` and adds a test:

# %%
# %%terminal
git switch --create me-action
git apply ../../changes/me-action.patch
git diff
git commit --quiet --all -m "/me describes an action"
git push --set-upstream origin me-action

# %% [markdown]
# GitLab would answer this push with a link to open a merge request. Opening it — merge
# request **!1**, `me-action` into `main` — is a **merge request event**: GitLab starts a
# pipeline for the branch's last commit with `CI_PIPELINE_SOURCE` set to
# `merge_request_event`, the `CI_MERGE_REQUEST_*` variables (its number, source and target
# branches), and no `CI_COMMIT_BRANCH` (that variable is for branch pipelines). We start it
# with the same variables. First, the jobs it will have:

# %%
# %%terminal
gitlab-ci-local --list --variable CI_PIPELINE_SOURCE=merge_request_event --unset-variable CI_COMMIT_BRANCH 2>/dev/null

# %% [markdown]
# No production job, but a review app, its smoke test, and the manual job that stops it.
# The pipeline:

# %%
pipeline = labkit.run_pipeline(merge_request=1)

# %% tags=["nbval-ignore-output"]
review_view = PipelineView()
review_view

# %%
print(review_view.text())

# %% [markdown]
# The review app runs the branch's image in its own namespace, at its own host name.
# Reviewers try the change there before it is merged — and production does not have it:

# %%
# %%terminal
kubectl get namespace review-me-action
curl -sS http://me-action.review.chat.localhost:8000/messages --data-urlencode nick=ana --data-urlencode "text=/me waves"
curl -sS http://me-action.review.chat.localhost:8000/messages
curl -sS http://chat.localhost:8000/messages --data-urlencode nick=ana --data-urlencode "text=/me waves"
curl -sS http://chat.localhost:8000/messages

# %% [markdown]
# (The review app's conversation starts with its smoke test's message: each review app has
# its own Redis.)
#
# ### Merge
#
# The review is good and the pipeline green: merge. GitLab's merge button makes a merge
# commit (`Merge branch 'me-action' into 'main'`) and pushes `main` — a push to the default
# branch, so the pipeline for `main` starts, and production follows:

# %%
# %%terminal
git switch main
git merge --no-ff --quiet me-action -m "Merge branch 'me-action' into 'main'"
git log --oneline --graph
git push origin main

# %%
pipeline = labkit.run_pipeline()

# %%
# %%terminal
curl -sS http://chat.localhost:8000/messages --data-urlencode nick=ana --data-urlencode "text=/me waves again"
curl -sS http://chat.localhost:8000/messages
helm history chat --namespace production

# %% [markdown]
# Production's conversation survived the upgrade (Redis was not changed, so Helm left it
# alone), and `helm history` shows its two revisions: one per pipeline on `main`.
#
# ### Stop the review app, delete the branch
#
# The merge request is merged: its review app has served. GitLab runs the environment's
# `on_stop` job when the merge request is merged or closed, or the branch is deleted;
# gitlab-ci-local runs a manual job when you name it. It runs in the branch's context (its
# `CI_COMMIT_REF_SLUG` names the namespace), so we switch to the branch for it, then
# delete the branch here and on the server:

# %%
# %%terminal
git switch --quiet me-action

# %%
pipeline = labkit.run_pipeline(merge_request=1, jobs=["stop_review"])

# %%
# %%terminal --allow-fail
git switch --quiet main
git branch --delete me-action
git push origin --delete me-action
kubectl get namespace review-me-action

# %% [markdown]
# ## What GitLab would add
#
# Everything above ran for real; what the forge adds is the people's side of it:
#
# - the **merge request page**: the diff with line comments, approvals, the pipeline's
#   status, and a *Merge* button that can wait until the pipeline succeeds;
# - the **pipeline graph**: stages as columns, each job a box you click for its log, a
#   *Retry* and a *Run* button for manual jobs (our pipeline view is a small copy);
# - the **environments page**: `production` and each `review/<branch>`, with the commit
#   they run, a link to their URL, and *Stop* (the `on_stop` job) and *Rollback* buttons;
# - **protected branches**: nobody pushes to `main` directly — only merges of green merge
#   requests, approved by someone else — so production only gets reviewed, tested changes;
# - the **runner**: a separate program (`gitlab-runner`) that asks GitLab for jobs, clones
#   the project at the pipeline's commit, runs each job in a fresh container, and streams
#   its log back; gitlab-ci-local copies your folder's tracked files instead (commit
#   before you run a pipeline!).
#
# ## A change that breaks
#
# A second merge request, **!2**: a developer renames the setting `REDIS_URL` to
# `CHAT_REDIS_URL`, "to match `CHAT_TITLE`". The unit tests pass — they never set it:

# %%
# %%terminal
git switch --create chat-settings
git apply ../../changes/chat-settings.patch
git diff --stat
docker run --rm --volume "$PWD:/app" --env PYTHONDONTWRITEBYTECODE=1 dockerplusplus/python-web:1 python3 -m unittest
git commit --quiet --all -m "Settings: CHAT_REDIS_URL"
git push --quiet --set-upstream origin chat-settings

# %%
pipeline = labkit.run_pipeline(merge_request=2)

# %% tags=["nbval-ignore-output"]
red_view = PipelineView()
red_view

# %%
print(red_view.text())

# %% [markdown]
# Red, at the smoke test. The chart still sets `REDIS_URL`, the app now reads
# `CHAT_REDIS_URL`, finds nothing, and keeps the conversation in memory — each replica its
# own. The Pods are ready (their store answers), the unit tests passed; only a test of the
# running installation, through the Ingress, with two replicas, sees it. The review app
# shows the mismatch:

# %%
# %%terminal
kubectl get deployment chat --namespace review-chat-settings --output jsonpath='{.spec.template.spec.containers[0].env}{"\n"}'
grep -n 'environ.get("CHAT_REDIS_URL")' app.py

# %% [markdown]
# **Production is untouched**: the production job runs only on `main`, and with
# *Pipelines must succeed* GitLab would not even let anyone merge this merge request.
# Production still runs revision 2:

# %%
# %%terminal
helm history chat --namespace production --max 1
curl -sS http://chat.localhost:8000/healthz

# %% [markdown]
# Had the bug reached production, `helm rollback chat 1 --namespace production` (chapter
# 14) would put the previous revision back in seconds, while a fix goes through the
# pipeline. Here the fix is the quickest one: revert the commit, push, and the merge
# request's pipeline runs again, on the same branch, upgrading the same review app.

# %%
# %%terminal
git revert --no-edit HEAD
git push --quiet

# %%
fixed = labkit.run_pipeline(merge_request=2)

# %%
# %%terminal
helm history chat --namespace review-chat-settings

# %% [markdown]
# Green again, and revision 2 of the review app runs the fixed image. A rename like this
# one needs both repositories: the chart first (a version that sets both names), then the
# app. The merge request is closed without merging; its review app is stopped:

# %%
# %%terminal
git switch --quiet chat-settings

# %%
pipeline = labkit.run_pipeline(merge_request=2, jobs=["stop_review"])

# %%
# %%terminal
git switch --quiet main
git branch --quiet --delete --force chat-settings
git push --quiet origin --delete chat-settings

# %% [markdown]
# ## A malformed `.gitlab-ci.yml`
#
# A pipeline file is YAML: one space too few and it is no longer what you meant. Here a
# line of the build job's script loses an indentation space. gitlab-ci-local refuses the
# file before running anything, and names the line and column (GitLab's pipeline editor
# does the same as you type). We drop its JavaScript stack trace with `grep`; `pipefail`
# keeps gitlab-ci-local's exit code:

# %%
# %%terminal --allow-fail
sed -i 's/^    - docker build/   - docker build/' .gitlab-ci.yml
set -o pipefail; gitlab-ci-local --list 2>&1 | grep -v '^    at '

# %% [markdown]
# Line 30, column 4: the list item that moved. A file that is valid YAML but not a valid
# pipeline is refused too, naming the job — say, the test job's `script:` misspelt:

# %%
# %%terminal --allow-fail
git restore .gitlab-ci.yml
sed -i '0,/^  script:$/s//  scripts:/' .gitlab-ci.yml
set -o pipefail; gitlab-ci-local --list 2>&1 | grep -v '^    at '
git restore .gitlab-ci.yml

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a lint job
#
# Add a job **`lint`** to the **test** stage of the chat's pipeline: it checks the Python
# code without running it. Work on a branch (say `lint`), commit, and make the test stage
# pass (the check runs it, as merge request !4).

# %%
# %%terminal
# your commands here (exercise 1)

# %%
labkit.check("15.lint")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 15.lint
git switch --create lint
cat >> .gitlab-ci.yml <<'EOF'

lint:
  stage: test
  image: dockerplusplus/python-web:1
  script:
    - python3 -m compileall -q .
EOF
git commit --quiet --all -m "Lint: compile every Python file"

# %% [markdown]
# ### Exercise 2 — a review app with a change
#
# Following GitHub Flow, on a branch **`ex15-title`**, change the chat's default title to
# **`Docker++ chat`**, push the branch, and run its merge request's pipeline (**!3**). Its
# review app must show the new title — production must not, yet.

# %%
# %%terminal
# your commands here (exercise 2)

# %%
labkit.check("15.review")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 15.review
git switch --create ex15-title main
sed -i 's/"CHAT_TITLE", "Chat"/"CHAT_TITLE", "Docker++ chat"/' app.py
sed -i 's|<h1>Chat</h1>|<h1>Docker++ chat</h1>|' test_app.py
git commit --quiet --all -m "Title: Docker++ chat"
git push --quiet --set-upstream origin ex15-title
gitlab-ci-local --variable CI_PIPELINE_SOURCE=merge_request_event --variable CI_MERGE_REQUEST_IID=3 --variable CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=ex15-title --variable CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main --unset-variable CI_COMMIT_BRANCH > ../ex15-title-pipeline.log 2>&1

# %% [markdown]
# ## Clean up
#
# `labkit.finish` deletes what the chapter made — the namespaces `production` and
# `review-ex15-title` (and Helm's records of their releases with them), the repositories
# `chat` and `chat-chart` of the Git server — and checks that nothing of it is left. The
# images stay in the course registry and in the engine's image store (the build job used the
# host's engine: `docker images localhost:5000/chat` lists them); the chart stays in the
# registry; your clones stay in `work/`.

# %%
labkit.finish("15")

# %% [markdown]
# ## Summary
#
# - A **merge request** (pull request) proposes a branch for merging; forges show its diff,
#   discussion and pipeline. **GitHub Flow**: `main` always deployable, a branch and a merge
#   request per change, merge when reviewed and green.
# - A chart for your own application starts from `helm create`, **trimmed**; values say
#   what each installation may change; helpers (`define`, `include`) write names and labels
#   once; `helm lint`, `helm template`, `helm package`, `helm push oci://…`.
# - `.gitlab-ci.yml`: **stages** of **jobs**; `workflow:rules` decides whether a pipeline
#   exists, `rules:` whether a job runs (merge request or default branch); predefined
#   variables (`CI_PIPELINE_SOURCE`, `CI_COMMIT_SHORT_SHA`, `CI_COMMIT_REF_SLUG`) and
#   project variables (a `KUBECONFIG` of type File); `environment:` with a `url` and an
#   `on_stop` job; `when: manual`.
# - The chat's pipeline: unit tests → an image per commit → a review app per merge request
#   (`helm upgrade --install` into `review-<branch>`) → a smoke test through the Ingress →
#   production from `main` only.
# - A red pipeline stops a change before production; the smoke test caught what the unit
#   tests could not: two replicas that did not share their store.
# - gitlab-ci-local runs real GitLab pipelines on one machine; GitLab adds the merge request
#   pages, environments, protected branches and runners.
#
# ## What's next
#
# Chapter 16 follows the deck's last slides, **« Ressources »**: where to go from here, and
# a capstone — the voting app of chapter 03 on the cluster, with a chart of your own.
