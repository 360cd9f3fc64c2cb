#!/usr/bin/env bash
# Installs the pinned kustomize (used by test/manifests.test.ts) into $(go env GOPATH)/bin.
# Idempotent: does nothing when that version is already there. Needs Go and the Go module proxy.
set -euo pipefail

# v5.8+ needs Go >= 1.27; v5.7.1 builds with the Go on our machines.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"

gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
bin="$gobin/kustomize"

if [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "${KUSTOMIZE_VERSION}"; then
  echo "kustomize ${KUSTOMIZE_VERSION} already installed at $bin"
  exit 0
fi

echo "installing kustomize ${KUSTOMIZE_VERSION} into $gobin"
GOTOOLCHAIN=local go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
"$bin" version
