#!/usr/bin/env bash
# Builds the components of the real autoscaling loop (test/loop) that the control plane script does
# not: prometheus-adapter, KWOK (with its stage definitions) and kube-scheduler. Each is cached by
# version outside the repo:
#   ${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/loop/prometheus-adapter-<v>/adapter
#   ${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/loop/kwok-<v>/kwok  (+ stages/*.yaml: pass each with -c)
#   ${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/loop/kube-scheduler-<k8s>/kube-scheduler
# Idempotent: a binary already there is not rebuilt.
#
# Usage: scripts/build-loop-binaries.sh [adapter] [kwok] [scheduler]   (no argument: all three)
# Prints one stable line per product, read by test/loop (and anyone else):
#   adapter=<path>  kwok=<path>  kwok-stages=<dir>  kube-scheduler=<path>
#
# Why not `go install sigs.k8s.io/prometheus-adapter/cmd/adapter@v0.12.0`: the module proxy answers 403
# for that module's version list, which go install reads (for deprecation notices). `go mod download`
# of the exact version works, so the module is copied out of the module cache and built in place with
# its own go.mod/go.sum (the same dependency versions go install would use).
# kube-scheduler comes from the same pinned module set as the control plane (test/cluster/go.mod),
# with the same flags, so it shares scripts/build-control-plane.sh's build cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN=local
cache="${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/loop"
ADAPTER_VERSION=v0.12.0
KWOK_VERSION=v0.8.0

log() { echo "$*" >&2; }
src=""
trap '[ -z "$src" ] || rm -rf "$src"' EXIT

build_adapter() {
  local out="$cache/prometheus-adapter-$ADAPTER_VERSION"
  if [ ! -x "$out/adapter" ]; then
    log "adapter: building sigs.k8s.io/prometheus-adapter@$ADAPTER_VERSION ($(date -u +%T))"
    local t0=$SECONDS
    local dir
    dir="$(go mod download -json "sigs.k8s.io/prometheus-adapter@$ADAPTER_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$dir" ] || { log "adapter: go mod download gave no directory"; exit 1; }
    src="$(mktemp -d)"
    cp -r "$dir/." "$src/"
    chmod -R u+w "$src"
    mkdir -p "$out"
    (cd "$src" && nice -n 19 go build -mod=readonly -trimpath -ldflags "-s -w" -o "$out/adapter.tmp" ./cmd/adapter)
    mv "$out/adapter.tmp" "$out/adapter"
    rm -rf "$src"; src=""
    log "adapter: built in $((SECONDS - t0))s"
  fi
  echo "adapter=$out/adapter"
}

build_kwok() {
  local out="$cache/kwok-$KWOK_VERSION"
  if [ ! -x "$out/kwok" ] || [ ! -f "$out/stages/pod-ready.yaml" ]; then
    log "kwok: building sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION ($(date -u +%T))"
    local t0=$SECONDS
    mkdir -p "$out/stages"
    GOBIN="$out" GOFLAGS=-trimpath nice -n 19 go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    # A kwok binary has no stages built in (kwokctl passes them): take them from the same module.
    local dir
    dir="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
    # (install -m: the module cache's files are read-only)
    install -m 0644 "$dir/kustomize/stage/node/fast/node-initialize.yaml" "$dir/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
      "$dir"/kustomize/stage/pod/fast/pod-*.yaml "$out/stages/"
    log "kwok: built in $((SECONDS - t0))s"
  fi
  echo "kwok=$out/kwok"
  echo "kwok-stages=$out/stages"
}

build_scheduler() {
  cd "$root/test/cluster"
  local k8s
  k8s="$(GOFLAGS=-mod=readonly go list -m -f '{{.Version}}' k8s.io/kubernetes)"
  local out="$cache/kube-scheduler-$k8s"
  if [ ! -x "$out/kube-scheduler" ]; then
    log "kube-scheduler: building k8s.io/kubernetes/cmd/kube-scheduler@$k8s ($(date -u +%T))"
    local t0=$SECONDS
    mkdir -p "$out"
    # The same flags as scripts/build-control-plane.sh, so the build cache is shared.
    GOFLAGS="${GOFLAGS:-} -mod=readonly -trimpath" nice -n 19 go build \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=${k8s} -X k8s.io/client-go/pkg/version.gitVersion=${k8s}" \
      -o "$out/kube-scheduler.tmp" k8s.io/kubernetes/cmd/kube-scheduler
    mv "$out/kube-scheduler.tmp" "$out/kube-scheduler"
    log "kube-scheduler: built in $((SECONDS - t0))s"
  fi
  echo "kube-scheduler=$out/kube-scheduler"
}

what=("$@")
[ ${#what[@]} -eq 0 ] && what=(adapter kwok scheduler)
for w in "${what[@]}"; do
  case "$w" in
    adapter) build_adapter ;;
    kwok) build_kwok ;;
    scheduler) build_scheduler ;;
    *) log "unknown component '$w' (expected adapter, kwok or scheduler)"; exit 2 ;;
  esac
done
