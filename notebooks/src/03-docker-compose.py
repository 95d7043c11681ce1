# %% [markdown]
# # 03 · docker-compose
#
# This chapter follows the deck's slides **« `docker-compose` »**: *`docker-compose`* (what
# the tool is), *La spécification, au format YAML, plus connue sous le nom de compose file*,
# and *Par exemple avec dockersamples/example-voting-app* — five containers started,
# stopped and removed with one command each.
#
# **What you will learn**
# - what Compose describes: services, networks and volumes, grouped in one *project*;
# - how to read and validate a compose file, and what was wrong with the deck's;
# - how to run a multi-container app: start it and wait until it is healthy, list its
#   containers, networks and volume, read its logs, run commands inside its services;
# - how to stop it and remove everything it created.
#
# **Prerequisites**: chapter 02 (images, `docker run -d -p`, `docker ps`, `docker logs`).

# %%
import labkit

labkit.chapter("03-docker-compose")

# %% [markdown]
# ## What Compose is (*`docker-compose`*)
#
# A real application is rarely one container. The deck's voting app has five: two web
# front ends, a queue, a worker and a database. Starting them with `docker run` means
# creating the networks and the volume first, then running each container with the right
# name, network, environment and ports, in the right order — and doing it again, exactly the
# same, on every machine.
#
# **Compose** writes all of that down once, in a YAML file, the *compose file*:
#
# - **services** — one per kind of container: its image (or how to build it), ports,
#   environment, volumes, the services it depends on;
# - **networks** — the private networks the services share; on a network, each service is
#   reachable by its *name* (`redis`, `db`) through Docker's DNS;
# - **volumes** — named volumes that keep data when containers are removed.
#
# Everything started from one file forms a **project**. Compose names each object after
# the project and labels it `com.docker.compose.project=NAME`, so it finds the project's
# objects again for `ps`, `logs`, `stop` or `down`.
#
# ![One compose file and one command, or four docker commands: the same network, volume and two containers](../images/compose-vs-docker.svg)
#
# As the deck says, the subcommands of `docker compose` mirror those of `docker`, but act on
# the services of a project instead of single containers:

# %%
# %%terminal
docker compose version
docker compose --help | grep -E '^  (up|ps|logs|exec|stop|start|rm|down) '

# %% [markdown]
# `up` is the compose side of `docker run` (plus `docker network create` and `docker volume
# create`); `down` has no single `docker` twin: it removes the containers *and* the
# networks of a project (and its volumes with `-v`).
#
# > 📝 **Deck note** — the deck types **`docker-compose`**, with a dash: Compose v1, a
# > separate Python program, which reached its end of life in 2023. Compose **v2** was
# > rewritten in Go and ships as a plugin of the Docker CLI, typed **`docker compose`**, with
# > a space. It reads the same files and has the same subcommands; containers are now named
# > `project-service-1` instead of `project_service_1`. `labkit up` built Docker's client
# > from its Go sources (chapter 00), and with it Compose v2 (the version printed above) and
# > buildx; both are plugins in `~/.docker/cli-plugins/`. The deck's
# > file also starts with `version: "3"`: the
# > **Compose Specification**, which merged the old 2.x and 3.x formats, makes that key
# > obsolete — Compose v2 ignores it with a warning, so the course's files leave it out.

# %% [markdown]
# ## The compose file (*La spécification … compose file*)
#
# Here is the deck's compose file, as printed on the slide: a Tomcat application `app`
# published on port 8080, which depends on a Postgres database `db`; both on the network
# `my-app`; the database's data in the volume `pgdata`.

# %%
# %%terminal
cat ../deck-compose.yml

# %% [markdown]
# `docker compose config` reads a compose file, checks it against the Compose
# Specification, and prints it in its complete, canonical form. On the deck's file it
# refuses:

# %%
# %%terminal --allow-fail
docker compose -f ../deck-compose.yml config

# %% [markdown]
# The message points at `services.db.volumes`: the schema wants a **list** (an *array*),
# one `- volume:path` item per mount, but the slide has the bare string
# `pgdata:/var/lib/postgresql/data postgres` — no `-` in front, and a stray `postgres` at
# the end (probably the image name, pasted on the wrong line). YAML itself is happy with it
# (it is a valid string); only the compose schema catches it, which is why running
# `docker compose config` on a file before using it is a good habit.
#
# The course's corrected file fixes that line, drops `version:`, and uses `postgres:15`
# with the password the image requires (`postgres:10.6` has had no security fixes since
# 2022). The differences (`diff -u`, minus its two header lines, which hold the files' dates):

# %%
# %%terminal
diff -u ../deck-compose.yml ../deck-compose-fixed.yml | tail -n +3

# %% [markdown]
# This one validates. Its canonical form shows what Compose fills in for you: the project's
# name (the folder's name, `03-docker-compose`, as the file has no `name:`), the real names
# of the network and volume (prefixed with the project's name), and the long form of
# `depends_on` and `ports`:

# %%
# %%terminal
docker compose -f ../deck-compose-fixed.yml config

# %% [markdown]
# We do not start it: `my-tomcat:9.0` stands for *your* application's image, and no
# registry has it (`up` would stop, unable to pull it). The next slide's app is
# complete, so that is the one we run.

# %% [markdown]
# ## The voting app (*Par exemple avec dockersamples/example-voting-app*)
#
# > 📝 **Deck note** — the deck runs `git clone` of
# > [dockersamples/example-voting-app](https://github.com/dockersamples/example-voting-app),
# > then `docker-compose up -d`. That repository cannot be reached offline, and its images
# > (Python, Node.js and .NET) are not in the course's mirror. The course ships a small Python
# > version with the same architecture in `notebooks/03-docker-compose/` (one folder per
# > service, and a `README.md`); `labkit up` built its three images from Debian packages.
#
# ![The voting app: the browser votes on vote, vote pushes the ballot to redis, worker moves it to db, result reads db](../images/voting-app.svg)
#
# 1. **vote** (Flask, port 8080) shows "Cats vs Dogs!" and pushes each ballot on the Redis
#    list `votes`;
# 2. **redis** is the queue;
# 3. **worker** pops the ballots and writes them to Postgres — one row per voter, so a voter
#    who votes again changes their vote;
# 4. **db** (Postgres) keeps the votes in the volume `db-data`;
# 5. **result** (Flask, port 8081) reads the counts from the database.
#
# Here is its compose file (it is `../docker-compose.yml` from the work folder):

# %%
# %%terminal
cat ../docker-compose.yml

# %% [markdown]
# What to notice:
#
# - `name: voting-app` names the project, whatever the folder is called.
# - `build:` + `image:` — Compose can build `vote`, `result` and `worker` from their folders
#   (`docker compose build`); `labkit up` did it already, so `up` uses the tagged images.
# - `"${VOTE_PORT:-8080}:80"` — Compose substitutes environment variables, with defaults:
#   `VOTE_PORT=9080 docker compose up -d` would publish vote on port 9080.
# - `depends_on` with `condition: service_healthy` — Compose starts `vote` only once
#   `redis`'s **healthcheck** passes (here `redis-cli ping`), and `worker` once both `redis`
#   and `db` are healthy. A plain `depends_on: [db]`, as in the deck, only waits for the
#   container to *start*, not for the database to accept connections.
# - Two networks: `front-tier` for the web front ends, `back-tier` for everything that
#   talks to redis and db. `redis`, `worker` and `db` publish no port: the host's ports
#   lead only to `vote` and `result`.
# - The volume `db-data` holds Postgres's files, so the votes survive a removed container.
#
# Compose looks for `compose.yaml` or `docker-compose.yml` in the current folder, then in
# its parents. Our commands run in `notebooks/03-docker-compose/work/`, so every
# `docker compose` below finds `../docker-compose.yml` — as it would in the deck's
# `example-voting-app/` folder (`-f FILE` names a file explicitly). Which services it found:

# %%
# %%terminal
docker compose config --services | sort

# %% [markdown]
# ### Starting it
#
# The project uses five images: two come from a registry, three are built from the app's
# folders.

# %%
# %%terminal
docker compose config --images | sort

# %% [markdown]
# `docker compose pull` fetches the images of the services; `--ignore-buildable` skips the
# three that are built locally, and the global option `--progress quiet` keeps it silent
# (it prints nothing when all goes well). Then `up -d` creates the networks, the volume and
# the containers, in the order of `depends_on`. With **`--wait`** it also waits until every
# service is running and its healthcheck (if it has one) passes, and gives up after
# `--wait-timeout` seconds: when the command returns, the app answers.

# %%
# %%terminal
docker compose --progress quiet pull --ignore-buildable
docker compose up -d --wait --wait-timeout 120

# %% [markdown]
# > 📝 **Deck note** — the deck's `docker-compose up -d` returns as soon as the containers
# > are *started*, before Postgres or the web servers accept connections; `--wait` is what
# > makes the next command reliable. Compose prints its progress as it goes; the notebook
# > shows the last state of each object.
#
# `docker compose ps` lists the project's containers (`--format` picks the columns):

# %%
# %%terminal
docker compose ps --format 'table {{.Service}}\t{{.Image}}\t{{.Status}}\t{{.Ports}}'

# %% [markdown]
# `up --wait` printed *Healthy* for every container it waited for, `worker` included: for a
# service with a healthcheck that means the check passed; for one without — `worker` has
# none — Compose waits only until it runs. `docker compose ps` tells them apart: `worker` is
# just "Up", the others "Up … (healthy)". Only `vote` and `result` publish ports on the host.
#
# The same file, drawn as a graph, each service coloured by its container's state (the
# Refresh button reads the engine again). This is a Python cell: it starts in the same
# `work/` folder as the terminal (chapter 00), so the file is `../docker-compose.yml` here
# too:

# %% tags=["nbval-ignore-output"]
from labkit.widgets import ComposeGraph

ComposeGraph("../docker-compose.yml")

# %% [markdown]
# The project's networks and volume carry its label; their names start with the project's
# name:

# %%
# %%terminal
docker network ls --filter label=com.docker.compose.project=voting-app --format 'table {{.Name}}\t{{.Driver}}'
docker volume ls --filter label=com.docker.compose.project=voting-app

# %% [markdown]
# Each service is attached to the networks the file gives it, and on each network Docker's
# DNS answers the service's name. `vote` is on both networks; `worker` only on `back-tier`,
# where it finds `redis` and `db` by name:

# %%
# %%terminal
docker inspect voting-app-vote-1 --format '{{range $name, $net := .NetworkSettings.Networks}}{{$name}} {{end}}'
docker inspect voting-app-worker-1 --format '{{range $name, $net := .NetworkSettings.Networks}}{{$name}} {{end}}'
docker compose exec worker getent hosts db redis

# %% [markdown]
# ### Voting
#
# A browser would open http://localhost:8080 and click a button; the button posts a form
# with `vote=a` (Cats) or `vote=b` (Dogs), which `curl` can do too. The result's page,
# http://localhost:8081, reloads itself every two seconds; its JSON API
# `/api/results` is easier to read here. Nobody has voted yet:

# %%
# %%terminal
curl -s http://localhost:8081/api/results

# %% [markdown]
# Three voters (each `curl` without a cookie is a new voter): two for Cats, one for Dogs.
# `-o /dev/null -w '%{http_code}\n'` prints only the HTTP status:

# %%
# %%terminal
for vote in a a b; do curl -s -X POST -d vote=$vote http://localhost:8080/ -o /dev/null -w '%{http_code}\n'; done

# %% [markdown]
# The vote page answered as soon as the ballot was in Redis; the worker stores it in
# Postgres a moment later — the app is **asynchronous**. So we poll the result, at most 30
# times a second apart, until it counts three votes:

# %%
# %%terminal
for i in $(seq 30); do curl -s http://localhost:8081/api/results | grep -q '"total":3' && break; sleep 1; done
curl -s http://localhost:8081/api/results

# %% [markdown]
# `docker compose logs SERVICE` shows what a service's containers printed, each line
# prefixed with the container's name minus the project's (`worker-1`; `-f` would follow the
# log, like `tail -f`). The worker logs one line per ballot; the voter ids are random
# cookies, so `sed` masks them here:

# %%
# %%terminal
docker compose logs worker | grep Processing | sed -E "s/'[0-9a-f]{16}'/'<voter_id>'/"

# %% [markdown]
# A voter is identified by the `voter_id` cookie the vote page sets. With a **cookie jar**
# (`-c` saves cookies, `-b` sends them), `curl` is one voter who votes for Cats, then
# changes their mind:

# %%
# %%terminal
curl -s -c voter.txt -b voter.txt -X POST -d vote=a http://localhost:8080/ | grep -o 'You voted for [A-Za-z]*'
curl -s -c voter.txt -b voter.txt -X POST -d vote=b http://localhost:8080/ | grep -o 'You voted for [A-Za-z]*'

# %% [markdown]
# The worker *upserts* one row per voter, so this voter counts once, for Dogs: Cats 2,
# Dogs 2.

# %%
# %%terminal
for i in $(seq 30); do curl -s http://localhost:8081/api/results | grep -q '"a":2,"b":2' && break; sleep 1; done
curl -s http://localhost:8081/api/results

# %% [markdown]
# A vote for an option that does not exist is refused with *400 Bad Request*, and never
# reaches the queue:

# %%
# %%terminal
curl -s -X POST -d vote=c http://localhost:8080/ -w '%{http_code}\n'

# %% [markdown]
# ### Inside the services
#
# `docker compose exec SERVICE COMMAND` runs a command in a service's running container,
# like `docker exec` but by service name. To watch the queue at work, stop the worker (the
# other services keep running), vote, and look at the Redis list `votes`:

# %%
# %%terminal
docker compose stop worker
curl -s -X POST -d vote=b http://localhost:8080/ -o /dev/null -w '%{http_code}\n'
docker compose exec redis redis-cli llen votes
curl -s http://localhost:8081/api/results

# %% [markdown]
# The ballot waits in Redis, and the result has not changed. Start the worker again (`start`
# first checks the services it depends on: the two *Healthy* lines); it empties the queue,
# and the vote is counted.

# %%
# %%terminal
docker compose start worker
for i in $(seq 30); do curl -s http://localhost:8081/api/results | grep -q '"total":5' && break; sleep 1; done
docker compose exec redis redis-cli llen votes
curl -s http://localhost:8081/api/results

# %% [markdown]
# And the table the result reads, straight from Postgres:

# %%
# %%terminal
docker compose exec db psql -U postgres -c 'select vote, count(*) from votes group by vote order by vote'

# %% [markdown]
# ## Stopping and removing
#
# The deck ends with `docker-compose stop && docker-compose rm -Rf`. `stop` stops every
# container of the project (in the reverse order of `depends_on`) and keeps them:

# %%
# %%terminal
docker compose stop
docker compose ps -a --format 'table {{.Service}}\t{{.State}}\t{{.Status}}'

# %% [markdown]
# > 📝 **Deck note** — `rm -Rf` is not a valid flag combination: `docker compose rm` (and
# > v1's `docker-compose rm`) has `-f` (*force*: do not ask for confirmation), `-s` (stop
# > first) and `-v` (remove anonymous volumes), but no `-R`:

# %%
# %%terminal --allow-fail
docker compose rm -Rf

# %% [markdown]
# `rm -f` removes the stopped containers:

# %%
# %%terminal
docker compose rm -f
docker compose ps -a

# %% [markdown]
# The containers are gone, but not the networks nor the volume — and the volume still holds
# the votes:

# %%
# %%terminal
docker network ls --filter label=com.docker.compose.project=voting-app --format '{{.Name}}'
docker volume ls --filter label=com.docker.compose.project=voting-app --format '{{.Name}}'

# %% [markdown]
# Today one command does it all: **`docker compose down`** stops and removes the containers
# and the networks; **`down -v`** removes the named volumes too (and with them the data:
# leave out `-v` to keep it for the next `up`). The deck's two commands become:
#
# ```bash
# docker compose up -d --wait   # Hello
# docker compose down -v        # Bye
# ```

# %%
# %%terminal
docker compose down -v

# %% [markdown]
# Nothing of the project is left: no container, network or volume carries its label.

# %%
# %%terminal
docker ps -a --filter label=com.docker.compose.project=voting-app --format '{{.Names}}'
docker network ls --filter label=com.docker.compose.project=voting-app --format '{{.Name}}'
docker volume ls --filter label=com.docker.compose.project=voting-app --format '{{.Name}}'
echo "voting-app: nothing left"

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — your own compose file
#
# In the work folder, write `ex03/compose.yaml` with two services:
#
# - `web`: the image `nginx`, publishing the host's port **8083** on the container's port
#   80 (`"8083:80"`), and depending on `cache`;
# - `cache`: the image `redis:7`.
#
# Start it as the project **`ex03`** (`-p ex03`; without it Compose would name the project
# after the folder, `ex03` too). `docker compose -f ex03/compose.yaml config` tells you
# whether the file is valid; the check says so too, naming the key that is wrong.

# %%
# %%terminal
# your commands here

# %%
labkit.check("03.compose-file")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 03.compose-file
mkdir -p ex03
cat > ex03/compose.yaml <<EOF
services:
  web:
    image: nginx
    ports:
      - "8083:80"
    depends_on:
      - cache
  cache:
    image: redis:7
EOF
docker compose -p ex03 -f ex03/compose.yaml --progress quiet pull
docker compose -p ex03 -f ex03/compose.yaml up -d --wait

# %% [markdown]
# ### Exercise 2 — Cats 1, Dogs 3
#
# The voting app was removed, with its volume, in *Stopping and removing*. Start it again, and
# vote so that the result reads **Cats 1, Dogs 3**
# (`curl -s http://localhost:8081/api/results` says `{"a":1,"b":3,"total":4}`). Remember
# that the worker is asynchronous: the check waits a few seconds for it.

# %%
# %%terminal
# your commands here

# %%
labkit.check("03.votes")

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# %%terminal --check 03.votes
# Start from an empty ballot box (down -v removes the volume, so earlier tries are gone).
docker compose down -v
docker compose up -d --wait --wait-timeout 120
for vote in a b b b; do curl -s -X POST -d vote=$vote http://localhost:8080/ -o /dev/null -w '%{http_code}\n'; done

# %% [markdown]
# ## Clean up
#
# `labkit.finish` takes both projects down — `docker compose -p ex03 down -v` and
# `docker compose -p voting-app down -v`, containers, networks and volumes — checks that
# nothing of them is left, and says what it removed:

# %%
labkit.finish("03")

# %% [markdown]
# ## Summary
#
# - A **compose file** describes an application as services, networks and volumes;
#   `docker compose config` validates it and shows its canonical form. The `version:` key is
#   obsolete; lists (`ports`, `volumes`, `networks`) are YAML lists.
# - `docker compose up -d --wait` creates a **project**'s networks, volumes and containers
#   in the order of `depends_on`, and returns once the healthchecks pass.
# - `ps`, `logs`, `exec`, `stop`, `start`, `rm` mirror the `docker` commands, by service
#   name; services find each other by name on their networks.
# - `docker compose down` removes the containers and networks; `down -v` also the volumes
#   (and the data in them).
#
# ## What's next
#
# Compose runs an application on *one* Docker host. Chapter 04 starts the deck's
# **orchestration** part (*Orchestration de conteneurs*): running containers on a cluster
# of machines, keeping them alive and scaling them — the job of Kubernetes.
