#!/bin/bash
# Build component images with the exact names kubeadm 1.34.4 / kind v0.30.0 expect, then docker save them.
set -e
I=/tmp/kind-spike/images; C=/tmp/kind-spike/components; B=/tmp/kind-spike/bin
cp $C/etcd $I/etcd/; cp $C/coredns $I/coredns/; cp $C/kindnetd $I/kindnetd/; cp $C/local-path-provisioner $I/lpp/
cp $B/kube-apiserver $B/kube-controller-manager $B/kube-scheduler $I/kube/; cp $B/kube-proxy $I/kube-proxy/
V=v1.34.4
docker build -q -t registry.k8s.io/pause:3.10.1 -t registry.k8s.io/pause:3.10 $I/pause
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  docker build -q --build-arg BIN=$c -t registry.k8s.io/$c:$V $I/kube
done
docker build -q -t registry.k8s.io/kube-proxy:$V $I/kube-proxy
docker build -q -t registry.k8s.io/etcd:3.6.5-0 $I/etcd
docker build -q -t registry.k8s.io/coredns/coredns:v1.12.1 $I/coredns
docker build -q -t docker.io/kindest/kindnetd:v20250512-df8de77b $I/kindnetd
docker build -q -t docker.io/kindest/local-path-provisioner:v20250214-acbabc1a $I/lpp
docker build -q -t docker.io/kindest/local-path-helper:v20241212-8ac705d0 $I/lph
mkdir -p /tmp/kind-spike/node/images
docker save -o /tmp/kind-spike/node/images/all.tar \
  registry.k8s.io/pause:3.10.1 registry.k8s.io/pause:3.10 \
  registry.k8s.io/kube-apiserver:$V registry.k8s.io/kube-controller-manager:$V registry.k8s.io/kube-scheduler:$V \
  registry.k8s.io/kube-proxy:$V registry.k8s.io/etcd:3.6.5-0 registry.k8s.io/coredns/coredns:v1.12.1 \
  kindest/kindnetd:v20250512-df8de77b kindest/local-path-provisioner:v20250214-acbabc1a kindest/local-path-helper:v20241212-8ac705d0
ls -la /tmp/kind-spike/node/images
