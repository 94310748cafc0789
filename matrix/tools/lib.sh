# shellcheck shell=bash
# Functions the tool install scripts share; sourced, never run. The sourcing
# script defines `log` (its own prefix) and BIN.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# link TARGET NAME: BIN/NAME points at TARGET (replaced only when it differs).
link() { if [ "$(readlink "$BIN/$2" 2>/dev/null)" != "$1" ]; then ln -sfn "$1" "$BIN/$2"; fi; }

# install_apt_packages PACKAGE...: installs the Debian packages not installed yet,
# without starting any service they ship (checks start their own throwaway servers).
# The tool scripts run side by side (install.sh); apt and dpkg take one caller at a
# time, so the whole step holds a lock.
install_apt_packages() {
  (
    flock 9
    install_apt_packages_locked "$@"
  ) 9>"${TMPDIR:-/tmp}/prodready-apt.lock"
}

install_apt_packages_locked() {
  local missing=() package
  for package in "$@"; do
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]; then missing+=("$package"); fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "apt: installing ${missing[*]}"
  as_root apt-get update -qq
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created_policy=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -n "$created_policy" ] && as_root rm -f "$policy"
  return 0
}
