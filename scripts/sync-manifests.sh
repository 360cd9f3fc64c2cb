#!/usr/bin/env bash
# Copies the files of policies/ that manifests/ ships into manifests/ (kustomize reads no file
# outside its folder, and a symlink out of it is refused). test/manifests.test.ts fails when they drift.
set -euo pipefail
cd "$(dirname "$0")/.."
cp policies/default.yaml manifests/policy.yaml
# the Helm chart reads its defaults from its own files/ (helm reads no file outside the chart)
cp policies/default.yaml charts/gpu-hpa-webhook/files/policy.yaml
cp policies/prometheus-adapter-rules.yaml charts/gpu-hpa-webhook/files/prometheus-adapter-rules.yaml
