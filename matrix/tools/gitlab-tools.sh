#!/usr/bin/env bash
# Installs the tools of the GitLab pipeline check into the tools cache,
# idempotently (a second run only verifies). Called by install.sh; runnable on its own:
#
#   bash matrix/tools/gitlab-tools.sh
#   PRODREADY_TOOLS_DIR=/path bash matrix/tools/gitlab-tools.sh
#
# - gitlab-ci-local (npm): lists a .gitlab-ci.yml (schema, include:, extends:,
#   rules:) and runs its jobs with the shell executor
# - Node.js 22 (npm package node@22): gitlab-ci-local 4.75.1 crashes under
#   Node 20 ("kW.union is not a function")
# - rsync (Debian): gitlab-ci-local copies the project into its build directory with it
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-${PRODREADY_CACHE:-$HOME/.cache/prodready}/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"

NPM_PACKAGES=(gitlab-ci-local@4.75.1 node@22.23.3)
APT_PACKAGES=(rsync)

log() { printf '[gitlab-tools] %s\n' "$*" >&2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=matrix/tools/lib.sh
source "$HERE/lib.sh"

mkdir -p "$BIN" "$STAMPS"

install_npm() {
  local prefix="$TOOLS_DIR/npm-gitlab" spec stamp
  spec="$(printf '%s\n' "${NPM_PACKAGES[@]}")"
  stamp="$STAMPS/gitlab-npm-$(printf '%s' "$spec" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ ! -x "$prefix/node_modules/node/bin/node" ] || [ ! -f "$prefix/node_modules/gitlab-ci-local/package.json" ]; then
    log "npm: installing ${NPM_PACKAGES[*]}"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --no-save "${NPM_PACKAGES[@]}" >&2
    rm -f "$STAMPS"/gitlab-npm-*
    touch "$stamp"
  fi
  link "$prefix/node_modules/node/bin/node" node22
  # gitlab-ci-local started by Node 22 whatever node is first on PATH.
  local launcher="$BIN/gitlab-ci-local"
  local body
  body="$(printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$prefix/node_modules/node/bin/node" "$prefix/node_modules/gitlab-ci-local/dist/index.js")"
  if [ -L "$launcher" ] || [ "$(cat "$launcher" 2>/dev/null)" != "$body" ]; then
    rm -f "$launcher"
    printf '%s\n' "$body" >"$launcher"
    chmod +x "$launcher"
  fi
}

install_apt_packages "${APT_PACKAGES[@]}"
install_npm
"$BIN/gitlab-ci-local" --version >/dev/null 2>&1 || { log "gitlab-ci-local does not run"; exit 1; }
command -v rsync >/dev/null || { log "rsync is not available"; exit 1; }
