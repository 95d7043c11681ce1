#!/bin/sh
# Rebuild k8s v1.34.4 binaries with proper version strings (uses warm cache in /tmp/k8s-warm)
set -e
cd /tmp/k8s-warm
V=v1.34.4
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $p.gitVersion=$V -X $p.gitMajor=1 -X $p.gitMinor=34 -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z -X $p.gitCommit=0000000000000000000000000000000000000000"
done
for c in kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
  s=$(date +%s)
  go build -ldflags "$LD" -o /tmp/kind-spike/bin/$c k8s.io/kubernetes/cmd/$c
  echo "$c $(( $(date +%s) - s )) s"
done
echo ALL DONE
