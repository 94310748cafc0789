#!/usr/bin/env bash
# Installs the tools of the backup checks into the tools cache, idempotently
# (a second run only verifies). Called by install.sh; runnable on its own:
#
#   bash matrix/tools/backup-tools.sh
#   PRODREADY_TOOLS_DIR=/path bash matrix/tools/backup-tools.sh
#
# - shfmt (Go, about 6 s to build): formatting of the generated scripts
# - age, rclone (Debian): the encryption and S3 client the backup scripts use
# - faketime (Debian): runs the backup script on simulated days in the drill
# - promtool (Debian package prometheus): checks and unit-tests the backup alerts
# - moto[server] (PyPI): an S3-compatible server on loopback for the restore drill
#   (MinIO is AGPL-3.0 and is not used)
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-${PRODREADY_CACHE:-$HOME/.cache/prodready}/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"

SHFMT=mvdan.cc/sh/v3/cmd/shfmt@v3.14.1
MOTO='moto[server]==5.2.5'
APT_PACKAGES=(age rclone prometheus faketime)

log() { printf '[backup-tools] %s\n' "$*" >&2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=matrix/tools/lib.sh
source "$HERE/lib.sh"

mkdir -p "$BIN" "$STAMPS"

install_apt() { install_apt_packages "${APT_PACKAGES[@]}"; }

install_shfmt() {
  local stamp="$STAMPS/go-shfmt"
  if [ -x "$BIN/shfmt" ] && [ "$(cat "$stamp" 2> /dev/null)" = "$SHFMT" ]; then return 0; fi
  log "go: installing $SHFMT"
  GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath "$SHFMT"
  printf '%s' "$SHFMT" > "$stamp"
}

install_moto() {
  local venv="$TOOLS_DIR/venv-backup" stamp
  stamp="$STAMPS/backup-pip-$(printf '%s' "$MOTO" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ ! -x "$venv/bin/python" ]; then
    log "python: installing $MOTO"
    python_venv_install "$venv" "$MOTO"
    rm -f "$STAMPS"/backup-pip-*
    touch "$stamp"
  fi
  link "$venv/bin/moto_server" moto_server
}

install_apt
# The checks look for promtool in the tools directory first; keep a newer one that is already there.
if [ ! -e "$BIN/promtool" ]; then link /usr/bin/promtool promtool; fi
install_shfmt
install_moto
