#!/bin/bash
# Stage 2 (like kind's nodeimage builder): import component images into the node's containerd, then docker commit.
set -e
BASE=kind-spike/node-base:v1.34.4
OUT=${1:-kind-spike/node:v1.34.4}
ID=kind-build-$$
docker run -d --entrypoint=sleep --name=$ID --security-opt seccomp=unconfined $BASE infinity
trap "docker rm -f -v $ID >/dev/null" EXIT
docker exec $ID bash -c 'nohup containerd > /tmp/containerd.log 2>&1 &'
docker exec $ID bash -c 'for i in $(seq 20); do [ -S /run/containerd/containerd.sock ] && break; sleep 0.5; done; ctr version >/dev/null'
docker exec -i $ID ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests - < /tmp/kind-spike/node/images/all.tar
docker exec $ID ctr --namespace=k8s.io images list -q
docker exec $ID pkill containerd || true
sleep 2
docker commit \
  --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' \
  --change 'ENV HTTP_PROXY="" HTTPS_PROXY="" NO_PROXY=""' \
  $ID $OUT
docker images $OUT
