#!/usr/bin/env bash
# Installs the tools of the observability checks into the tools cache,
# idempotently (a second run only verifies). Called by install.sh; runnable on its own:
#
#   bash matrix/tools/observability-tools.sh
#   PRODREADY_TOOLS_DIR=/path bash matrix/tools/observability-tools.sh
#
# - promtool (Debian package prometheus): check and unit-test rule files
# - amtool (Debian package prometheus-alertmanager): check configs, test routes
# - prometheus (Debian package prometheus): the server of the alert drill
#
# Debian's builds install in seconds; the Go builds of the same tools take
# about 13 minutes (see the tools notes), which CI cannot afford.
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-${PRODREADY_CACHE:-$HOME/.cache/prodready}/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
APT_PACKAGES=(prometheus prometheus-alertmanager)

log() { printf '[observability-tools] %s\n' "$*" >&2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=matrix/tools/lib.sh
source "$HERE/lib.sh"

mkdir -p "$BIN" "$STAMPS"

install_apt() {
  local stamp="$STAMPS/observability-apt"
  # Installed before and still runnable: nothing to do.
  if [ -f "$stamp" ] && /usr/bin/promtool --version >/dev/null 2>&1 && /usr/bin/amtool --version >/dev/null 2>&1 && /usr/bin/prometheus --version >/dev/null 2>&1; then return 0; fi
  install_apt_packages "${APT_PACKAGES[@]}"
  touch "$stamp"
}

install_apt
link /usr/bin/promtool promtool
link /usr/bin/amtool amtool
# The server, for the alert drill of service-proof (a throwaway Prometheus scraping the running app).
link /usr/bin/prometheus prometheus
for command in promtool amtool prometheus; do
  "$BIN/$command" --version >/dev/null 2>&1 || { log "$command does not run"; exit 1; }
done
