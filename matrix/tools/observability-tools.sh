#!/usr/bin/env bash
# Installs the tools of the observability checks into the tools cache,
# idempotently (a second run only verifies). Called by install.sh; runnable on its own:
#
#   bash matrix/tools/observability-tools.sh
#   PRODREADY_TOOLS_DIR=/path bash matrix/tools/observability-tools.sh
#
# - promtool (Debian package prometheus): check and unit-test rule files
# - amtool (Debian package prometheus-alertmanager): check configs, test routes
#
# Debian's builds install in seconds; the Go builds of the same tools take
# about 13 minutes (see the tools notes), which CI cannot afford.
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-${PRODREADY_CACHE:-$HOME/.cache/prodready}/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
APT_PACKAGES=(prometheus prometheus-alertmanager)

log() { printf '[observability-tools] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
link() { if [ "$(readlink "$BIN/$2" 2>/dev/null)" != "$1" ]; then ln -sfn "$1" "$BIN/$2"; fi; }

mkdir -p "$BIN" "$STAMPS"

install_apt() {
  local missing=() stamp="$STAMPS/observability-apt"
  # Installed before and still runnable: nothing to do.
  if [ -f "$stamp" ] && /usr/bin/promtool --version >/dev/null 2>&1 && /usr/bin/amtool --version >/dev/null 2>&1; then return 0; fi
  for package in "${APT_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]; then missing+=("$package"); fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then touch "$stamp"; return 0; fi
  log "apt: installing ${missing[*]}"
  as_root apt-get update -qq
  # Installing must not start the servers: checks only run the command-line tools.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created_policy=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -n "$created_policy" ] && as_root rm -f "$policy"
  touch "$stamp"
}

install_apt
link /usr/bin/promtool promtool
link /usr/bin/amtool amtool
for command in promtool amtool; do
  "$BIN/$command" --version >/dev/null 2>&1 || { log "$command does not run"; exit 1; }
done
