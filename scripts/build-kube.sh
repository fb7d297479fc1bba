#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from the Go module proxy
# (the recipe module in tools/kube) and caches them by version outside the
# work tree, so a second `make test` does not rebuild. Prints the directory
# holding the binaries. Cold: about 8 minutes on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="$(awk '/k8s.io\/kubernetes v/ { for (i = 1; i <= NF; i++) if ($i ~ /^v[0-9]/) { print $i; exit } }' "$here/tools/kube/go.mod")"
[ -n "$version" ] || { echo "build-kube: no k8s.io/kubernetes version in tools/kube/go.mod" >&2; exit 1; }
minor="$(echo "$version" | cut -d. -f2)"
cache="${FLOCK_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flock/kube}/$version"
bins=(kube-apiserver kube-controller-manager)
ok=1
for b in "${bins[@]}"; do [ -x "$cache/$b" ] || ok=0; done
if [ "$ok" = 1 ]; then
  echo "$cache"
  exit 0
fi
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
echo "build-kube: building ${bins[*]} $version into $cache (several minutes, once)" >&2
pkgs=()
for b in "${bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
# One go build for both: their shared packages compile once, in parallel.
# GOWORK=off: the recipe module is not in the repository's go.work (its
# k8s.io replaces would apply to the whole workspace).
(cd "$here/tools/kube" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}" >&2)
for b in "${bins[@]}"; do mv "$tmp/$b" "$cache/$b"; done
echo "$cache"
