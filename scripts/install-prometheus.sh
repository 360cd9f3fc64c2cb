#!/usr/bin/env bash
# Prometheus for `npm run test:prometheus`: Debian's package (the suite runs the binary itself on loopback,
# with a temporary storage path; no systemd needed). Idempotent: nothing to do when it is installed.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1 && prometheus --version >/dev/null 2>&1; then
  prometheus --version 2>&1 | head -n1
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
prometheus --version 2>&1 | head -n1
