#!/bin/sh
# restart-dockerd.sh <daemon.json source>  -- installs it and restarts dockerd like labkit does
set -e
cp "$1" /root/.cache/labkit/daemon.json
PID=$(pgrep -x dockerd || true)
if [ -n "$PID" ]; then kill $PID; while kill -0 $PID 2>/dev/null; do sleep 0.5; done; fi
setsid nohup dockerd --config-file /root/.cache/labkit/daemon.json >> /root/.cache/labkit/dockerd.log 2>&1 &
for i in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
sleep 2
docker ps --format '{{.Names}} {{.Status}}'
