#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH. When the machine's Node is
# older than the generator supports, Node 24 is installed once from the npm
# package node@24 into a cache outside the repository.
set -euo pipefail

NODE_CACHE="${PRODREADY_CACHE:-$HOME/.cache/prodready}/node24"

node_is_supported() {
  command -v node >/dev/null 2>&1 || return 1
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit((major === 22 && minor >= 18) || (major === 24 && minor >= 11) || major >= 25 ? 0 : 1);
  '
}

if ! node_is_supported; then
  node_bin="$NODE_CACHE/node_modules/node/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "Installing Node.js 24 (npm package node@24) into $NODE_CACHE" >&2
    mkdir -p "$NODE_CACHE"
    npm install --prefix "$NODE_CACHE" --no-audit --no-fund --no-save node@24 >&2
  fi
  export PATH="$node_bin:$PATH"
fi

exec "$@"
