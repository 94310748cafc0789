#!/usr/bin/env bash
# Installs the tools of the Kubernetes checks into the tools cache,
# idempotently (a second run only verifies). Called by install.sh (which also
# builds kubeconform and kube-score); runnable on its own:
#
#   bash matrix/tools/kubernetes-tools.sh
#   PRODREADY_TOOLS_DIR=/path bash matrix/tools/kubernetes-tools.sh
#
# - kustomize: `kubectl kustomize` when kubectl is on PATH and embeds
#   kustomize v5; otherwise kustomize from the Go module proxy (bin/kustomize,
#   which the checks then prefer)
# - strict Kubernetes JSON schemas for kubeconform, from the PyPI package
#   kubernetes-validate, for the Kubernetes version generators/core/versions.json
#   pins (kubernetes.version), into kubernetes/schemas/
# - kubeconform schemas of the custom resources generated projects use
#   (cert-manager, Prometheus Operator, External Secrets Operator), converted
#   from the CRD YAML in each project's Go module, into kubernetes/crd-schemas/
# - pod-security-check (matrix/tools/pod-security): the Pod Security Standards
#   engine of the kube-apiserver's PodSecurity admission plugin
#   (k8s.io/pod-security-admission) behind a small CLI, built with Go; it
#   builds in about a minute, where the kyverno CLI (the same library inside a
#   policy engine) took 10 to 20 minutes on a fresh two-core machine
# - checkov, from PyPI
#
# kubernetes/schemas.json records what was installed; the checks report it as
# their tool version.
set -euo pipefail

TOOLS_DIR="${PRODREADY_TOOLS_DIR:-${PRODREADY_CACHE:-$HOME/.cache/prodready}/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSIONS="$HERE/../../generators/core/versions.json"
CONVERTER="$HERE/kubernetes-schemas.py"
K8S_DIR="$TOOLS_DIR/kubernetes"

KUBERNETES_VALIDATE=kubernetes-validate==1.37.0
CHECKOV=checkov==3.3.30
POD_SECURITY_SOURCE="$HERE/pod-security"
KUSTOMIZE_MODULE=sigs.k8s.io/kustomize/kustomize/v5
# v5.8.3 needs Go 1.27.
KUSTOMIZE_VERSION=v5.8.2

# CRD sources: module@version, then the CRD files inside the module.
CRD_MODULES=(
  "github.com/cert-manager/cert-manager@v1.21.2 deploy/crds/cert-manager.io_certificates.yaml deploy/crds/cert-manager.io_clusterissuers.yaml deploy/crds/cert-manager.io_issuers.yaml"
  "github.com/prometheus-operator/prometheus-operator@v0.85.0 example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"
  "github.com/external-secrets/external-secrets@v1.3.2 config/crds/bases/external-secrets.io_externalsecrets.yaml config/crds/bases/external-secrets.io_secretstores.yaml config/crds/bases/external-secrets.io_clustersecretstores.yaml"
)

log() { printf '[kubernetes-tools] %s\n' "$*" >&2; }
# shellcheck source=matrix/tools/lib.sh
source "$HERE/lib.sh"
# Seconds since a start time, for the log.
took() { printf '%ss' "$(($(date +%s) - $1))"; }
kubernetes_version() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["kubernetes"]["version"])' "$VERSIONS"; }
converter_hash() { sha256sum "$CONVERTER" | cut -c1-16; }

mkdir -p "$BIN" "$STAMPS" "$K8S_DIR"

# A kustomization with a Component: what the checks build.
kustomize_works() {
  local work rc=0
  work="$(mktemp -d)"
  mkdir -p "$work/base" "$work/component"
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  a: "1"\n' >"$work/base/cm.yaml"
  printf 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs:\n      probe: "yes"\n' >"$work/component/kustomization.yaml"
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cm.yaml\ncomponents:\n  - ../component\n' >"$work/base/kustomization.yaml"
  "$@" "$work/base" 2>/dev/null | grep -q 'probe: "yes"' || rc=1
  rm -rf "$work"
  return "$rc"
}

install_kustomize() {
  local stamp="$STAMPS/kubernetes-kustomize" embedded
  if command -v kubectl >/dev/null; then
    embedded="$( (kubectl version --client 2>/dev/null || true) | sed -n 's/^Kustomize Version: //p')"
    if [[ "$embedded" == v5.* ]] && kustomize_works kubectl kustomize; then
      # A kustomize this script installed earlier would take precedence: drop it.
      if [ -f "$stamp" ]; then rm -f "$BIN/kustomize" "$stamp"; fi
      return 0
    fi
    log "kubectl kustomize (${embedded:-no kustomize version}) does not build a kustomization with components: installing kustomize $KUSTOMIZE_VERSION"
  fi
  if [ -x "$BIN/kustomize" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$KUSTOMIZE_VERSION" ]; then return 0; fi
  command -v go >/dev/null || { log "go is required to install kustomize $KUSTOMIZE_VERSION"; return 1; }
  local start
  start="$(date +%s)"
  GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath -ldflags="-s -w" "$KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION"
  kustomize_works "$BIN/kustomize" build || { log "kustomize $KUSTOMIZE_VERSION does not build a kustomization with components"; return 1; }
  printf '%s' "$KUSTOMIZE_VERSION" >"$stamp"
  log "kustomize $KUSTOMIZE_VERSION installed in $(took "$start")"
}

install_python_tools() {
  local venv name spec start
  for entry in "venv-kubernetes $KUBERNETES_VALIDATE" "venv-checkov $CHECKOV"; do
    read -r name spec <<<"$entry"
    venv="$TOOLS_DIR/$name"
    if [ -f "$STAMPS/kubernetes-pip-$name" ] && [ "$(cat "$STAMPS/kubernetes-pip-$name")" = "$spec" ] && [ -x "$venv/bin/python" ]; then continue; fi
    start="$(date +%s)"
    log "python: installing $spec"
    python_venv_install "$venv" "$spec"
    printf '%s' "$spec" >"$STAMPS/kubernetes-pip-$name"
    log "$spec installed in $(took "$start")"
  done
  link "$TOOLS_DIR/venv-checkov/bin/checkov" checkov
}

install_kubernetes_schemas() {
  local version stamp_value stamp="$STAMPS/kubernetes-schemas" target="$K8S_DIR/schemas"
  version="$(kubernetes_version)"
  stamp_value="$KUBERNETES_VALIDATE $version $(converter_hash)"
  if [ -f "$target/v$version-local-strict/deployment-apps-v1.json" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$stamp_value" ]; then return 0; fi
  log "schemas: Kubernetes $version from $KUBERNETES_VALIDATE"
  rm -rf "$target.new"
  "$TOOLS_DIR/venv-kubernetes/bin/python" "$CONVERTER" kubernetes "$version" "$target.new"
  rm -rf "$target"
  mv "$target.new" "$target"
  printf '%s' "$stamp_value" >"$stamp"
}

install_crd_schemas() {
  local stamp="$STAMPS/kubernetes-crd-schemas" target="$K8S_DIR/crd-schemas" stamp_value entry module rest dir files=() file
  stamp_value="$(printf '%s\n' "${CRD_MODULES[@]}") $(converter_hash)"
  if [ -d "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$stamp_value" ]; then return 0; fi
  command -v go >/dev/null || { log "go is required to download the CRD modules"; return 1; }
  for entry in "${CRD_MODULES[@]}"; do
    read -r module rest <<<"$entry"
    log "CRDs: $module"
    dir="$(GOFLAGS=-mod=mod go mod download -json "$module" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
    for file in $rest; do
      [ -f "$dir/$file" ] || { log "$module has no $file"; return 1; }
      files+=("$dir/$file")
    done
  done
  rm -rf "$target.new"
  "$TOOLS_DIR/venv-kubernetes/bin/python" "$CONVERTER" crds "$target.new" "${files[@]}"
  rm -rf "$target"
  mv "$target.new" "$target"
  printf '%s' "$stamp_value" >"$stamp"
}

# The stamp is the hash of the CLI's source and module files, so an edit or a
# library update rebuilds it.
install_pod_security_check() {
  local stamp="$STAMPS/kubernetes-pod-security-check" digest start
  digest="$(cat "$POD_SECURITY_SOURCE"/go.mod "$POD_SECURITY_SOURCE"/go.sum "$POD_SECURITY_SOURCE"/*.go | sha256sum | cut -c1-16)"
  if [ -x "$BIN/pod-security-check" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then return 0; fi
  command -v go >/dev/null || { log "go is required to build pod-security-check"; return 1; }
  start="$(date +%s)"
  log "go: building pod-security-check ($(grep -o 'k8s.io/pod-security-admission v[^ ]*' "$POD_SECURITY_SOURCE/go.mod"))"
  (cd "$POD_SECURITY_SOURCE" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o "$BIN/pod-security-check" .)
  printf '%s' "$digest" >"$stamp"
  log "pod-security-check built in $(took "$start")"
}

write_manifest() {
  local version manifest="$K8S_DIR/schemas.json" tmp
  version="$(kubernetes_version)"
  tmp="$(mktemp)"
  python3 - "$tmp" "$version" "${KUBERNETES_VALIDATE#*==}" "$(converter_hash)" "${CRD_MODULES[@]}" <<'PY'
import json, sys
path, version, validate, converter, *modules = sys.argv[1:]
json.dump({
    "kubernetesVersion": version,
    "kubernetesValidate": validate,
    "converter": converter,
    "crdModules": [entry.split()[0] for entry in modules],
}, open(path, "w"), indent=2)
PY
  if ! cmp -s "$tmp" "$manifest"; then mv "$tmp" "$manifest"; else rm -f "$tmp"; fi
}

# The Go build runs while pip installs (network- and disk-bound).
install_pod_security_check &
pod_security_pid=$!
install_kustomize
install_python_tools
install_kubernetes_schemas
install_crd_schemas
write_manifest
wait "$pod_security_pid"

for command in pod-security-check checkov; do
  [ -x "$BIN/$command" ] || { log "$command is not available after install"; exit 1; }
done
[ -x "$BIN/kustomize" ] || kustomize_works kubectl kustomize || { log "no working kustomize after install"; exit 1; }
log "ready: $BIN, schemas in $K8S_DIR"
