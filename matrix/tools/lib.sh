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

# The Python installer: uv, pinned, bootstrapped once with pip into its own
# environment. pip took minutes on checkov alone (its resolver walks the
# dependency tree one package at a time); uv resolves and downloads in
# parallel and installs the same pinned requirements in seconds.
UV_VERSION=0.13.8

# uv_command: prints the path of the pinned uv, installing it first when needed.
uv_command() {
  local home="$TOOLS_DIR/uv-$UV_VERSION"
  (
    flock 9
    if [ ! -x "$home/bin/uv" ]; then
      rm -rf "$home"
      python3 -m venv "$home"
      "$home/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
  ) 9>"$TOOLS_DIR/.uv.lock"
  printf '%s\n' "$home/bin/uv"
}

# python_venv_install VENV REQUIREMENT...: a virtual environment at VENV (made
# when missing, with the system python3) holding these requirements. uv reads
# no pip configuration, so pip's index, extra wheels and CA bundle from the
# environment are passed on; the system certificate store is used for TLS, as
# pip uses the machine's bundle here.
python_venv_install() {
  local venv="$1" uv
  shift
  uv="$(uv_command)"
  [ -x "$venv/bin/python" ] || "$uv" venv --quiet --python "$(command -v python3)" "$venv"
  env UV_CACHE_DIR="$TOOLS_DIR/uv-cache" UV_NATIVE_TLS=1 UV_NO_PROGRESS=1 \
    ${PIP_INDEX_URL:+UV_DEFAULT_INDEX="$PIP_INDEX_URL"} \
    ${PIP_FIND_LINKS:+UV_FIND_LINKS="$PIP_FIND_LINKS"} \
    ${PIP_CERT:+SSL_CERT_FILE="$PIP_CERT"} \
    "$uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" "$@"
}
