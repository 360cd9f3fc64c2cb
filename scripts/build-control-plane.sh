#!/usr/bin/env bash
# Builds the control plane for the e2e tests (test/e2e/cluster.ts): kube-apiserver and
# kube-controller-manager from k8s.io/kubernetes, etcd from go.etcd.io, at the versions pinned in
# test/cluster/go.mod. Binaries go to a folder keyed on those versions, outside the repo:
#   ${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/control-plane/<k8s>-etcd<etcd>/
# Idempotent: a binary already there is not rebuilt; Go's module and build caches make a rebuild cheap.
# Prints the folder on its last line (test/e2e reads it from GPU_HPA_CONTROL_PLANE or computes the same path).
set -euo pipefail
cd "$(dirname "$0")/../test/cluster"
export PATH="$PATH:/usr/local/go/bin"
# No toolchain download is possible here: the go directive must be met by the local Go.
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=readonly -trimpath"

k8s="$(go list -m -f '{{.Version}}' k8s.io/kubernetes)"
etcd="$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
out="${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/control-plane/${k8s}-etcd${etcd}"
mkdir -p "$out"

build() { # name package
  if [ -x "$out/$1" ]; then echo "$1: already built in $out"; return; fi
  echo "$1: building $2 ($(date -u +%T))"
  local t0=$SECONDS
  # nice: the build shares the machine with other test runs.
  nice -n 19 go build -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=${k8s} -X k8s.io/client-go/pkg/version.gitVersion=${k8s}" \
    -o "$out/$1.tmp" "$2"
  mv "$out/$1.tmp" "$out/$1"
  echo "$1: built in $((SECONDS - t0))s"
}

build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
echo "$out"
