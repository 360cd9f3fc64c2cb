//go:build tools

// Package tools pins the commands scripts/build-control-plane.sh (and build-loop-binaries.sh) build, so that `go mod tidy`
// keeps their dependencies in go.sum. Never compiled (build tag), since main packages cannot be imported.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler" // scripts/build-loop-binaries.sh (test/loop)
)
