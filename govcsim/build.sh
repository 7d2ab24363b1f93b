#!/usr/bin/env bash
# Builds govcsim/bin/govcsim from the Go sources next to this script, against Debian's packaged govmomi
# (GOPATH mode, no network). It rebuilds only when the sources or this script changed: the hash of both is
# stored beside the binary, so the common case costs a few milliseconds. `npm test` and `npm start` call it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/bin"
out="$bin/govcsim"
stamp="$bin/govcsim.sha256"
gocode=/usr/share/gocode

source_hash() {
  (cd "$here" && for f in $(LC_ALL=C ls -- *.go) build.sh; do printf '%s\0' "$f"; cat -- "$f"; done) |
    sha256sum | cut -d' ' -f1
}

up_to_date() {
  [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$1" ]
}

hash="$(source_hash)"
up_to_date "$hash" && exit 0

# Go and govmomi come from Debian; installing them is the only step that needs the network.
need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d "$gocode/src/github.com/vmware/govmomi/simulator" ] || need+=(golang-github-vmware-govmomi-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

mkdir -p "$bin/gopath"

# Test workers and `npm test` may call this at the same time: one builds, the others wait and re-check.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$bin/.build.lock"
  flock 9
  up_to_date "$hash" && exit 0
fi

# Without HOME the go command has no default build cache; keep one beside the binary then.
if [ -z "${GOCACHE:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ] && [ -z "${HOME:-}" ]; then
  export GOCACHE="$bin/.gocache"
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
if ! log="$(cd "$here" && GO111MODULE=off GOFLAGS= GOPATH="$bin/gopath:$gocode" go build -o "$tmp" . 2>&1)"; then
  printf 'govcsim build failed:\n%s\n' "$log" >&2
  exit 1
fi
mv -f "$tmp" "$out"
printf '%s\n' "$hash" >"$stamp"
