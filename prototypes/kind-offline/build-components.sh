#!/bin/bash
# Build static binaries for the component images: etcd, coredns, kindnetd, local-path-provisioner
set -e
OUT=/tmp/kind-spike/components; mkdir -p $OUT
export CGO_ENABLED=0 GOFLAGS=-mod=mod
S=/tmp/kind-spike/src
wrap() { # wrap <dir> <module@version>
  mkdir -p $S/$1; cd $S/$1
  [ -f go.mod ] || go mod init $1-wrap >/dev/null 2>&1
  go get $2
}
t() { local s=$(date +%s); "$@"; echo "TIME $* : $(( $(date +%s)-s )) s"; }
t wrap etcd go.etcd.io/etcd/server/v3@v3.6.5
cd $S/etcd && t go build -ldflags "-s -w" -o $OUT/etcd go.etcd.io/etcd/server/v3
t wrap lpp github.com/rancher/local-path-provisioner@v0.0.30
cd $S/lpp && t go build -ldflags "-s -w" -o $OUT/local-path-provisioner github.com/rancher/local-path-provisioner
cd $S/images/kindnetd && t go build -ldflags "-s -w" -o $OUT/kindnetd ./cmd/kindnetd
t wrap coredns github.com/coredns/coredns@v1.12.1
cd $S/coredns && t go build -ldflags "-s -w" -o $OUT/coredns github.com/coredns/coredns
echo ALL DONE
ls -la $OUT
