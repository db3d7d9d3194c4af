#!/usr/bin/env bash
# Provisions the binaries the test kit needs for a real Kubernetes API: etcd (Debian's etcd-server)
# and kube-apiserver v1.20 (built from Debian's kubernetes source package). The built binary is
# cached, so later runs take seconds. Prints the folder holding both binaries on its last line.
#
#   scripts/provision-envtest.sh            # build or reuse, print the assets folder
#   ENVTEST_CACHE=/some/dir scripts/...      # cache elsewhere (default ~/.cache/agentplane/envtest)
set -euo pipefail

CACHE="${ENVTEST_CACHE:-${HOME}/.cache/agentplane/envtest}"
mkdir -p "$CACHE"
APISERVER="$CACHE/kube-apiserver"
ETCD="$CACHE/etcd"

log() { printf '[provision-envtest] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq >&2; apt_updated=1; fi
}

# etcd ------------------------------------------------------------------------------------------
if [ ! -x "$ETCD" ]; then
  if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
    log "installing etcd-server from Debian"
    apt_update_once
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >&2
    # The package starts a system etcd on the default ports; tests start their own on free ports.
    as_root systemctl disable --now etcd >/dev/null 2>&1 || as_root pkill -x etcd >/dev/null 2>&1 || true
  fi
  ln -sf "$(command -v etcd || echo /usr/bin/etcd)" "$ETCD"
fi

# kube-apiserver --------------------------------------------------------------------------------
if [ ! -x "$APISERVER" ]; then
  log "building kube-apiserver from Debian's kubernetes source package (about 3-5 minutes)"
  if [ ! -f /etc/apt/sources.list.d/agentplane-src.sources ]; then
    # Same archive as the binary packages, source entries only.
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      | as_root tee /etc/apt/sources.list.d/agentplane-src.sources >/dev/null
    apt_updated=0
  fi
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    golang-go make rsync jq dpkg-dev openssl golang-github-modern-go-reflect2-dev >&2
  work="$(mktemp -d "${TMPDIR:-/tmp}/kube-src.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  (
    cd "$work"
    apt-get source -qq kubernetes >&2
    src="$(find . -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)"
    cd "$src"
    # The vendored reflect2 v1.0.1 crashes under Go >= 1.18 on the first custom object; Debian's copy works.
    rm -f vendor/github.com/modern-go/reflect2/*.go vendor/github.com/modern-go/reflect2/*.s
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go vendor/github.com/modern-go/reflect2/
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s vendor/github.com/modern-go/reflect2/ 2>/dev/null || true
    export GOCACHE="$work/gocache" GOPATH="$work/gopath"
    CGO_ENABLED=0 make WHAT=cmd/kube-apiserver >&2
    install -m 0755 _output/bin/kube-apiserver "$APISERVER.tmp"
  )
  mv "$APISERVER.tmp" "$APISERVER"
  log "kube-apiserver cached at $APISERVER"
fi

echo "$CACHE"
