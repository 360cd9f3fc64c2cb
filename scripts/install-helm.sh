#!/usr/bin/env bash
# Installs the pinned helm (for charts/gpu-hpa-webhook: `helm lint`, `helm template`, the chart tests)
# into ${GPU_HPA_CACHE:-~/.cache/gpu-hpa-webhook}/helm/<version>/helm, built from its Go module like
# scripts/install-kustomize.sh does for kustomize. Idempotent: does nothing when that version is there.
# Prints the binary's path on its last line (progress goes to stderr). Needs Go and the Go module proxy.
set -euo pipefail

# Helm 4 (v3 left security support in November 2026); v4.3.2's go.mod asks for Go 1.26.
HELM_VERSION="${HELM_VERSION:-v4.3.2}"

dir="${GPU_HPA_CACHE:-$HOME/.cache/gpu-hpa-webhook}/helm/${HELM_VERSION}"
bin="$dir/helm"

if [ -x "$bin" ] && "$bin" version --template '{{.Version}}' 2>/dev/null | grep -qx "${HELM_VERSION}"; then
  echo "$bin"
  exit 0
fi

echo "building helm ${HELM_VERSION} into $dir (first time only, a few minutes)" >&2
mkdir -p "$dir"
# -ldflags: the version `helm version` reports (a `go install` build otherwise says v4-unknown-dirty… )
GOTOOLCHAIN=local GOBIN="$dir" GOFLAGS=-mod=mod go install \
  -ldflags "-X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}" \
  "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}" >&2
"$bin" version >&2
echo "$bin"
