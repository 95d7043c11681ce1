# %% [markdown]
# # 14 · Helm
#
# This chapter follows the deck's slides **« Helm »**: *Helm est un gestionnaire de paquets
# pour k8s* — a package is called a `Chart`, made of k8s objects such as `Deployments` or
# `Services`, whose YAML descriptors are generated with Go templating; once deployed by
# `helm` it becomes a `Release`, which is necessarily… **versioned**! Then *Architecture*,
# and *Deploiement du `Chart` Wordpress et suppression de sa `Release`*.
#
# **What you will learn**
# - what a chart is: the objects of chapters 06–13 written as Go templates, plus values and
#   a schema for them; how to check and render one (`helm lint`, `helm template`);
# - how to publish charts, in a classic chart repository and in an OCI registry;
# - how a chart becomes a **release**, whose revisions Helm keeps as Secrets in the
#   release's namespace;
# - upgrades, history, rollbacks — and a failed upgrade rolled back by Helm itself;
# - what `helm uninstall` leaves behind (the database's volume) and why;
# - how a values schema refuses a bad value before anything is applied;
# - how Helm 2 (the deck's), Helm 3 and Helm 4 (the course's) differ.
#
# **Prerequisites**: chapters 08 (Services, Ingress), 09 (Deployments) and 13
# (StatefulSets, Secrets, PersistentVolumeClaims).

# %%
import labkit

labkit.chapter("14-helm")

# %% [markdown]
# ## A package manager for Kubernetes (*Helm est un gestionnaire de paquets pour k8s*)
#
# `apt install wordpress` copies the files of a Debian package onto one machine, and
# `apt remove` takes them away. `helm install` does the same for a cluster: its package, a
# **chart**, holds the Kubernetes objects an application needs — a Deployment, a
# StatefulSet, Services, an Ingress, Secrets — and Helm creates them all, tracks them as
# one **release**, upgrades them together, and deletes them together. The course runs
# Helm 4:

# %%
# %%terminal
helm version

# %% [markdown]
# ### A chart: templates and values
#
# The deck installs `stable/wordpress`, the WordPress chart of Helm's old `stable`
# repository. That repository is archived (see the deck note below), so the course ships a
# faithful twin of its own, in this chapter's `charts/` folder: a chart `wordpress`, which
# depends on a chart `mariadb` for its database. We work on a copy:

# %%
# %%terminal
cp -r ../charts .
find charts -type f | sort

# %% [markdown]
# | File | Role |
# |---|---|
# | `Chart.yaml` | the package's identity: name, **version** of the chart, `appVersion` of the software in it, dependencies |
# | `values.yaml` | the default **values**: everything a user may change, with comments |
# | `values.schema.json` | a JSON Schema the values must satisfy (types, allowed keys) |
# | `templates/*.yaml` | the Kubernetes objects, as **Go templates** |
# | `templates/_helpers.tpl` | named template pieces (names, labels) the others `include` |
# | `templates/NOTES.txt` | the text printed after an install or an upgrade |
# | `templates/tests/` | Pods run by `helm test` |
#
# The chart's identity, and its values — the names are those of `stable/wordpress`,
# so the deck's `--set serviceType=…` and `--set ingress.hosts[0].name=…` work as
# written:

# %%
# %%terminal
cat charts/wordpress/Chart.yaml
cat charts/wordpress/values.yaml

# %% [markdown]
# A template is a Kubernetes manifest with `{{ … }}` actions in it (Go's `text/template`,
# plus the Sprig functions). Here are the Service and the Ingress:

# %%
# %%terminal
cat charts/wordpress/templates/service.yaml
cat charts/wordpress/templates/ingress.yaml

# %% [markdown]
# - `.Values.serviceType` is a value (`values.yaml`, overridden by `--set` or `-f`);
#   `.Release.Name`, `.Release.Namespace`, `.Chart.Version` come from Helm.
# - `include "wordpress.fullname" .` calls a named template of `_helpers.tpl`: the objects
#   are named after the release (`wordpress-1`), so two releases of the chart can live
#   side by side; `nindent 4` starts a new line and indents what it gets by 4 spaces.
# - `if`, `with` (if set, and makes it `.`) and `range` (a loop; `$` is the root again)
#   shape the output: no Ingress unless `ingress.enabled`, one rule per host.
#
# These are the objects of chapters 06–13: a **Deployment** runs WordPress (09), a
# **StatefulSet** runs MariaDB with its own **PersistentVolumeClaim** (13), **Services**
# and an **Ingress** expose them (08), **Secrets** hold the passwords (13). The images are
# the course's, built offline from Debian's packages: `wordpress:6.1` (Debian's WordPress
# 6.1 with Apache and PHP) and `mariadb:10.11`.
#
# The dependency is declared in `Chart.yaml`; `helm dependency update` fetches it into the
# chart's `charts/` folder (here from the folder next to it, `file://../mariadb`):

# %%
# %%terminal
helm dependency update charts/wordpress
ls charts/wordpress/charts

# %% [markdown]
# ### Check and render: `helm lint`, `helm template`
#
# `helm lint` checks a chart: its files, that its templates render, that its default values
# satisfy its schema. `[INFO]` lines are advice (a chart may have an icon), not errors:

# %%
# %%terminal
helm lint charts/wordpress

# %% [markdown]
# `helm template` renders the templates with the values, on the client, and prints the
# manifests — what Helm would send to the cluster. With the deck's values, the Service and
# the Ingress become:

# %%
# %%terminal
helm template wordpress-1 charts/wordpress --namespace wordpress --set serviceType=ClusterIP --set ingress.enabled=true --set ingress.hosts[0].name=wordpress-1.default.weeble.tech --show-only templates/service.yaml --show-only templates/ingress.yaml

# %% [markdown]
# And all the objects the chart renders, with their names (the dependency's are named
# `wordpress-1-mariadb`). The last one, a Pod, is not part of the release: it is the chart's
# test, which Helm creates only when `helm test` runs (below):

# %%
# %%terminal
helm template wordpress-1 charts/wordpress --namespace wordpress --set ingress.enabled=true | grep -E '^(kind|  name):'

# %% [markdown]
# ### Publishing charts: a chart repository, an OCI registry
#
# A **chart repository** is a plain web site: chart packages (`.tgz`) and an `index.yaml`
# that lists them. `helm package` makes a package (the dependency travels inside it):

# %%
# %%terminal
helm package charts/mariadb
helm package charts/wordpress
tar -tzf wordpress-1.0.0.tgz

# %% [markdown]
# The course's chart repository is a web server on `http://127.0.0.1:8879` (the port of
# Helm 2's `helm serve`) that serves the folder `~/.cache/labkit/forge/charts`. Publishing
# is copying the packages there and writing the index again with `helm repo index`. Then
# `helm repo add` gives the repository a short name, `course` — the deck's `stable` was
# one of these — and `helm search repo` looks in the indexes:

# %%
# %%terminal
cp mariadb-1.0.0.tgz wordpress-1.0.0.tgz ~/.cache/labkit/forge/charts/
helm repo index ~/.cache/labkit/forge/charts --url http://127.0.0.1:8879
helm repo add course http://127.0.0.1:8879
helm search repo wordpress

# %% [markdown]
# The modern way needs no index: an **OCI registry** — the kind that stores images, like
# the course registry `localhost:5000` of chapter 02 — stores charts too, as OCI
# artifacts: `helm registry login`, `helm push`, then any `helm` command takes an
# `oci://` reference. The course registry speaks plain HTTP; Docker allows that on
# `localhost` by itself, Helm only with `--plain-http`:

# %%
# %%terminal
echo docker-plus-plus | helm registry login localhost:5000 --username student --password-stdin --plain-http
helm push wordpress-1.0.0.tgz oci://localhost:5000/charts --plain-http
helm show chart oci://localhost:5000/charts/wordpress --version 1.0.0 --plain-http

# %% [markdown]
# > 📝 **Deck note** — `stable/wordpress` came from Helm's `stable` repository, which every
# > Helm 2 knew. It stopped taking new charts when Helm 3 came out (13 November 2019) and
# > was marked obsolete on 13 November 2020 (its GitHub repository, `helm/charts`, is
# > archived); its charts moved to their authors' own repositories (WordPress to
# > Bitnami's), which **Artifact Hub** (artifacthub.io) lists
# > and searches. Today you `helm repo add` a repository, or use an `oci://` reference.
#
# ## Architecture (*Architecture*)
#
# ![Helm 2: the helm client sends charts to Tiller, a server in the cluster, which talks to the API server and keeps releases as ConfigMaps. Helm 3 and 4: the client renders the chart itself, talks to the API server with the user's rights, and keeps each revision as a Secret in the release's namespace](../images/helm-architecture.svg)
#
# The deck's figure is Helm 2's (left). The `helm` client sent the chart to **Tiller**, a
# server installed in the cluster (`helm init`), which rendered the templates, created the
# objects with its own — usually cluster-wide — rights, and kept the releases as
# ConfigMaps in `kube-system`. Unless an administrator secured it, anyone who could reach
# Tiller's port could have it install anything.
#
# Since Helm 3 (right) there is no Tiller: `helm` renders the chart itself, checks the
# values against the schema, and talks to the API server as **you**, with your
# kubeconfig — what you may do (chapter 10's RBAC) is what Helm may do. Each revision of a
# release is a Secret in the release's namespace.
#
# > 📝 **Deck note** — Helm 2 → 3 → 4. Helm 3 (2019) removed Tiller; release names
# > became per namespace, and `helm install` takes the name as its first argument (Helm 2's
# > `--name` is gone; `--generate-name` makes one up); `helm delete --purge` became
# > `helm uninstall` (which purges by default; `--keep-history` keeps the record), and
# > `helm serve` was removed. Helm 4 (November 2025) installs new releases with
# > server-side apply, renames `--atomic` to `--rollback-on-failure` (the old name still
# > works, with a warning), and drops `helm list --all` (it now lists releases in every
# > status).
#
# ## Deploying the chart (*Deploiement du `Chart` Wordpress et suppression de sa `Release`*)
#
# The deck's command, as typed:

# %%
# %%terminal --allow-fail
helm install stable/wordpress \
  --namespace wordpress \
  --name wordpress-1 \
  --set serviceType=ClusterIP \
  --set ingress.enabled=true \
  --set ingress.hosts[0].name=wordpress-1.default.weeble.tech

# %% [markdown]
# Helm 4 refuses `--name`: the release's name comes first, then the chart. Helm 2 created
# a missing namespace by itself; today `--create-namespace` asks for it. We also set the
# site's title (the value `wordpressBlogName`; the page the deck expects says
# *Hello Wordpress!*), and `--wait` waits until every object is ready — bounded by
# `--timeout`:

# %%
# %%terminal
helm install wordpress-1 course/wordpress \
  --namespace wordpress --create-namespace \
  --set serviceType=ClusterIP \
  --set ingress.enabled=true \
  --set ingress.hosts[0].name=wordpress-1.default.weeble.tech \
  --set wordpressBlogName='Hello Wordpress!' \
  --wait --timeout 300s

# %% [markdown]
# The output ends with the chart's `NOTES.txt`, rendered for this release. The deck's next
# command lists the release, *Release n°1*:

# %%
# %%terminal --allow-fail
helm list --all wordpress-1

# %% [markdown]
# `helm list` takes no release name, and Helm 4 has no `--all` any more: it lists releases
# in every status by default. A release lives in a namespace, and `--filter` picks names
# with a regular expression:

# %%
# %%terminal
helm list --namespace wordpress --filter wordpress-1

# %% [markdown]
# What the release made — the chart's objects, plus the PersistentVolumeClaim that the
# StatefulSet made for its Pod:

# %%
# %%terminal
kubectl get deployment,statefulset,service,ingress,pvc --namespace wordpress

# %% [markdown]
# ### The site, over HTTPS (*curl -Lk https://wordpress-1.default.weeble.tech*)
#
# > 📝 **Deck note** — the deck's `curl -Lk https://wordpress-1.default.weeble.tech` relied
# > on a DNS name of the deck author's domain. No DNS server knows it here, so, as in
# > chapter 08, `curl --resolve` sends the name to Traefik's LoadBalancer address — this
# > time on port 443.
#
# Traefik's `websecure` entry point serves HTTPS with its own self-signed default
# certificate, so the deck's `-k` (do not verify the certificate) is needed; the Ingress is
# routed on both entry points by the annotation
# `traefik.ingress.kubernetes.io/router.entrypoints: web,websecure` (in the chart's values).
# Traefik may need a moment to read a new Ingress, so curl retries, bounded:

# %%
# %%terminal
curl -sfLk --retry 20 --retry-all-errors --retry-delay 1 --resolve wordpress-1.default.weeble.tech:443:$(kubectl get service traefik -n traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}') https://wordpress-1.default.weeble.tech/ | grep -o '<title>.*</title>'
curl -skv --resolve wordpress-1.default.weeble.tech:443:$(kubectl get service traefik -n traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}') https://wordpress-1.default.weeble.tech/ -o /dev/null 2>&1 | grep -E 'subject:|^< HTTP'

# %% [markdown]
# *Hello WordPress!* — an installed WordPress: the image's entrypoint ran WordPress's own
# installer (`wp_install()`) with the title of the release's values, once MariaDB
# answered. (The capital P is WordPress's doing: its `capital_P_dangit` filter corrects
# "Wordpress" in titles and posts.)
#
# ### Where the release lives: a Secret per revision
#
# Helm keeps a record of each revision in the release's namespace, as a Secret of type
# `helm.sh/release.v1` named `sh.helm.release.v1.<release>.v<revision>`, labelled for
# `helm list` and `helm history` to find it:

# %%
# %%terminal
kubectl get secrets --namespace wordpress --field-selector type=helm.sh/release.v1 -L owner,name,version,status

# %% [markdown]
# Its key `release` is the whole record: base64 (every Secret's data is) of base64 of
# gzip-compressed JSON. Decoded, it holds the release's name, revision and status, the
# chart itself (templates, default values, schema), the values given by the user
# (`config`), the rendered `manifest`, and how it was applied — `ssa`, server-side apply,
# Helm 4's default:

# %%
# %%terminal
kubectl get secret sh.helm.release.v1.wordpress-1.v1 --namespace wordpress -o jsonpath='{.data.release}' | base64 -d | base64 -d | gunzip > release-v1.json
python3 -c 'import json; r = json.load(open("release-v1.json")); print(sorted(r)); print(r["name"], "revision", r["version"], r["info"]["status"], "·", r["chart"]["metadata"]["name"], r["chart"]["metadata"]["version"], "· applied:", r["apply_method"]); print(json.dumps(r["config"], indent=2))'

# %% [markdown]
# ### `helm test`
#
# A chart can carry tests: Pods annotated `helm.sh/hook: test`, which Helm runs only when
# asked, and deletes once they succeed (`hook-delete-policy`). Ours asks the site's
# Service for the home page and prints its title; `--logs` shows what it printed:

# %%
# %%terminal
cat charts/wordpress/templates/tests/test-connection.yaml
helm test wordpress-1 --namespace wordpress --logs --timeout 120s

# %% [markdown]
# ### A versioned release: upgrade, history, rollback
#
# `helm upgrade` applies a new chart version, or new values, as a new **revision**.
# `--reuse-values` keeps the values of the last revision and adds ours (without it, an
# upgrade given values starts again from the chart's defaults plus those: the Ingress would
# be gone). A new title:

# %%
# %%terminal
helm upgrade wordpress-1 course/wordpress --namespace wordpress --reuse-values --set wordpressBlogName='Hello Helm!' --wait --timeout 180s --hide-notes
kubectl rollout status deployment/wordpress-1 --namespace wordpress --timeout=120s
curl -sfLk --retry 20 --retry-all-errors --retry-delay 1 --resolve wordpress-1.default.weeble.tech:443:$(kubectl get service traefik -n traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}') https://wordpress-1.default.weeble.tech/ | grep -o '<title>.*</title>'

# %% [markdown]
# The new value changed the Deployment's Pod template (its `WORDPRESS_TITLE` variable),
# so the Deployment replaced its Pod (`kubectl rollout status` waits until the old one is
# gone), and the new Pod's entrypoint set the site's title. `helm history` lists the
# revisions; `helm get values` shows the values given to one, `helm get manifest` what it
# applied:

# %%
# %%terminal
helm history wordpress-1 --namespace wordpress
helm get values wordpress-1 --namespace wordpress --revision 1
helm get values wordpress-1 --namespace wordpress
helm get manifest wordpress-1 --namespace wordpress | grep -A1 'name: WORDPRESS_TITLE'

# %% [markdown]
# ### A failed upgrade, rolled back
#
# An upgrade to an image that does not exist (`wordpress:6.9`): the new Pod cannot pull
# it. With `--rollback-on-failure` (`--atomic` before Helm 4), Helm waits for the release to
# be ready, at most `--timeout`; when it is not, it marks the revision `failed` and rolls
# back to the last good one by itself. The Deployment's rolling update kept the old Pod
# serving meanwhile.

# %%
# %%terminal --allow-fail
helm upgrade wordpress-1 course/wordpress --namespace wordpress --reuse-values --set image.tag=6.9 --rollback-on-failure --timeout 30s --hide-notes

# %%
# %%terminal
helm history wordpress-1 --namespace wordpress
kubectl rollout status deployment/wordpress-1 --namespace wordpress --timeout=120s
kubectl get deployment wordpress-1 --namespace wordpress -o jsonpath='{.spec.template.spec.containers[0].image}{"\n"}'

# %% [markdown]
# Helm's message (logged first as a warning, then as the error) is how it saw the
# Deployment when time ran out: the new Pod never became ready (its image cannot be
# pulled), so the old one was still there, waiting to be replaced (`Pending termination:
# 1`: one Pod more than the Deployment wants). Revision 3 failed; revision 4 is revision 2
# again.
# A rollback can go further back — `helm rollback` to revision 1 brings back its values,
# so the first title:

# %%
# %%terminal
helm rollback wordpress-1 1 --namespace wordpress --wait --timeout 180s
kubectl rollout status deployment/wordpress-1 --namespace wordpress --timeout=120s
curl -sfLk --retry 20 --retry-all-errors --retry-delay 1 --resolve wordpress-1.default.weeble.tech:443:$(kubectl get service traefik -n traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}') https://wordpress-1.default.weeble.tech/ | grep -o '<title>.*</title>'

# %% [markdown]
# ### The release dashboard
#
# The course's **release history** shows the revisions — status, chart and app version,
# description — and, for two revisions you pick, what changed in the values given to
# them (`+` added, `-` removed, `~` changed).

# %% tags=["nbval-ignore-output"]
from labkit.widgets import ReleaseHistory

history = ReleaseHistory("wordpress-1", "wordpress")
history

# %%
print(history.summary())
print(history.log.table())
print(history.log.diff_text(1, 2))
print(history.log.diff_text(2, 3))
print(history.log.diff_text(4, 5))

# %% [markdown]
# ### Uninstalling (*… et suppression de sa `Release`*)
#
# One thing in the namespace was not made by Helm. The StatefulSet's `volumeClaimTemplates`
# asked the StatefulSet controller to make a claim per Pod, `data-wordpress-1-mariadb-0`:
# it is not in the release's manifest, and the StatefulSet's
# `persistentVolumeClaimRetentionPolicy` — `Retain` unless the chart says otherwise —
# keeps it when the StatefulSet goes:

# %%
# %%terminal
helm get manifest wordpress-1 --namespace wordpress | grep '^kind:' | sort | uniq -c
kubectl get statefulset wordpress-1-mariadb --namespace wordpress -o jsonpath='{.spec.persistentVolumeClaimRetentionPolicy}{"\n"}'

# %% [markdown]
# The deck's `helm delete --purge` is refused (`delete` is still an alias of `uninstall`,
# but `--purge` is gone: purging is the default). `helm uninstall` deletes the release's
# objects and its records. `--cascade foreground` deletes each object only once what it
# owns is gone (a Deployment after its ReplicaSets and their Pods), and `--wait=legacy`
# waits for that. (`--wait` alone means Helm 4's `watcher` strategy, which returns from an
# uninstall before everything is gone: Helm issue #31651, still seen with 4.3.1.)

# %%
# %%terminal --allow-fail
helm delete --purge wordpress-1

# %%
# %%terminal
helm uninstall wordpress-1 --namespace wordpress --cascade foreground --wait=legacy --timeout 120s
helm list --namespace wordpress
kubectl get all,ingress,secrets,pvc --namespace wordpress

# %% [markdown]
# The claim, and the database in it, survived — on purpose: a volume holds data, and
# deleting it is for a person to decide (a new release named `wordpress-1` would find it
# and use it again). It carries the template's labels, but no `managed-by: Helm` and no
# owner to be deleted with. The deck's last line, commented out there, deletes it:

# %%
# %%terminal
kubectl get pvc data-wordpress-1-mariadb-0 --namespace wordpress -o jsonpath='{.metadata.labels}{"\n"}{.metadata.ownerReferences}{"\n"}'
kubectl delete pvc data-wordpress-1-mariadb-0 --namespace wordpress --wait --timeout=60s
kubectl get pvc --namespace wordpress

# %% [markdown]
# ### Bad values, refused before anything is applied
#
# `values.schema.json` says what each value may hold. Helm checks the values against it
# before it renders a single template: a wrong type (a word for a number, `yes` for a
# boolean) or an unknown key (`ingress.host`, a typo for `ingress.hosts[0].name` that would
# otherwise be silently ignored) stops the install before anything is applied, and the
# error names the key:

# %%
# %%terminal --allow-fail
helm install wordpress-2 course/wordpress --namespace wordpress --set replicaCount=two
helm install wordpress-2 course/wordpress --namespace wordpress --set ingress.enabled=yes
helm install wordpress-2 course/wordpress --namespace wordpress --set ingress.host=wordpress-2.default.weeble.tech

# %% [markdown]
# Nothing was created — no release record, no object:

# %%
# %%terminal
helm list --namespace wordpress
kubectl get all,ingress,secrets,pvc --namespace wordpress

# %% [markdown]
# ### Installing from the OCI registry
#
# The schema travels inside the package, so the chart pulled from the OCI registry refuses
# bad values just the same — here a Service type that does not exist. With good ones,
# `helm install` takes the `oci://` reference and a version as it took `course/wordpress`:

# %%
# %%terminal --allow-fail
helm install wordpress-2 oci://localhost:5000/charts/wordpress --version 1.0.0 --plain-http --namespace wordpress --set serviceType=Ingress

# %%
# %%terminal
helm install wordpress-2 oci://localhost:5000/charts/wordpress --version 1.0.0 --plain-http --namespace wordpress --set serviceType=ClusterIP --wait --timeout 300s --hide-notes
helm list --namespace wordpress
helm uninstall wordpress-2 --namespace wordpress --cascade foreground --wait=legacy --timeout 120s
kubectl delete pvc data-wordpress-2-mariadb-0 --namespace wordpress --wait --timeout=60s

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a release of your own
#
# Install a release named **`blog`** of the chart `wordpress` — from the `course`
# repository or from the OCI registry — into the namespace **`ex14`** (it does not exist
# yet), with the title **`Exercise 14`** and a Service of type **`ClusterIP`** (no
# Ingress). The check asks the WordPress Pod for its home page.

# %%
# %%terminal
# your commands here

# %%
labkit.check("14.install")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 14.install
helm install blog oci://localhost:5000/charts/wordpress --version 1.0.0 --plain-http --namespace ex14 --create-namespace --set wordpressBlogName='Exercise 14' --set serviceType=ClusterIP --wait --timeout 300s --hide-notes

# %% [markdown]
# ### Exercise 2 — a new value
#
# Chapter 09 set requests and limits on containers; our chart cannot. In your copy
# (`charts/wordpress`), add a value **`resources`** (an object, empty by default): in
# `values.yaml`, in `values.schema.json` (type `object`), and in the Deployment's template
# (the container's `resources`). Make it chart version **1.1.0**, then upgrade `blog` to
# it, keeping its values, with a memory request of **128Mi**.

# %%
# %%terminal
# your commands here

# %%
labkit.check("14.schema")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 14.schema
sed -i 's/^version: 1.0.0$/version: 1.1.0/' charts/wordpress/Chart.yaml
printf '\n# Requests and limits of the WordPress container (chapter 09).\nresources: {}\n' >> charts/wordpress/values.yaml
python3 -c 'import json; p = "charts/wordpress/values.schema.json"; s = json.load(open(p)); s["properties"]["resources"] = {"type": "object"}; json.dump(s, open(p, "w"), indent=2)'
printf '          {{- with .Values.resources }}\n          resources:\n            {{- toYaml . | nindent 12 }}\n          {{- end }}\n' >> charts/wordpress/templates/deployment.yaml
helm lint charts/wordpress
helm upgrade blog charts/wordpress --namespace ex14 --reuse-values --set resources.requests.memory=128Mi --wait --timeout 180s --hide-notes

# %% [markdown]
# ### Exercise 3 — back to the first revision
#
# Roll `blog` back to its first revision, and look at its history.

# %%
# %%terminal
# your commands here

# %%
labkit.check("14.rollback")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 14.rollback
helm rollback blog 1 --namespace ex14 --wait --timeout 180s
helm history blog --namespace ex14

# %% [markdown]
# ### Cleaning up
#
# WordPress and MariaDB take memory on the cluster's nodes: the exercises' release goes,
# then its namespace, and with it the database's claim.

# %%
# %%terminal
helm uninstall blog --namespace ex14 --ignore-not-found --cascade foreground --wait=legacy --timeout 120s
kubectl delete namespace ex14 --ignore-not-found --timeout=120s

# %% [markdown]
# `labkit.finish` removes what is left of the chapter (its namespaces, the chart packages of
# the chart repository, the helm repository entry `course`), checks that nothing of it is
# left, and says what it removed:

# %%
labkit.finish("14")

# %% [markdown]
# ## Summary
#
# - A **chart** is a package of Kubernetes objects written as Go templates, with default
#   **values** (`values.yaml`), a **schema** for them, helpers, notes and tests;
#   `helm lint` checks it, `helm template` renders it.
# - Charts are published in a **chart repository** (`index.yaml` and packages over HTTP:
#   `helm package`, `helm repo index`, `helm repo add`, `helm search repo`) or in an
#   **OCI registry** (`helm push`, `oci://` references).
# - `helm install NAME CHART` makes a **release**; each install, upgrade or rollback is a
#   **revision**, recorded as a Secret `sh.helm.release.v1.NAME.vN` in the release's
#   namespace. `helm history`, `helm get values`, `helm get manifest` read them;
#   `helm rollback` brings one back; `--rollback-on-failure` undoes a failed upgrade.
# - Since Helm 3 there is no Tiller: `helm` talks to the API server with your own rights.
# - `helm uninstall` deletes what the release made — not the PersistentVolumeClaims a
#   StatefulSet made from its `volumeClaimTemplates`: delete those yourself, knowingly.
# - A **values schema** refuses wrong types and unknown keys before anything is applied.
#
# ## What's next
#
# Chapter 15 follows the deck's **Gitlab + Helm + k8s = CD**: a pipeline that builds an
# application, and deploys it with Helm, on every change.
