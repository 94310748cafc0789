# shellcheck shell=bash
# Functions shared by backup.sh, restore.sh and restore-drill.sh; sourced, never run.
#
# Settings come only from environment variables, with the same names on
# Kubernetes, Compose and a workstation (docs/disaster-recovery.md lists them):
#
#   BACKUP_DESTINATION    rclone path of the backups: "s3:<bucket>/<prefix>" or a directory
#   BACKUP_SOURCE         name of what is backed up; manifests carry it, retention and restore match it
#   BACKUP_S3_ENDPOINT    S3 endpoint URL (empty: AWS S3)
#   BACKUP_S3_REGION      S3 region (default us-east-1)
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   S3 credentials (secret)
#   BACKUP_PUSHGATEWAY_URL   Prometheus Pushgateway base URL for metrics (optional)
#   BACKUP_METRICS_FILE      node-exporter textfile for metrics instead (optional)
#
# The S3 client is rclone: one static binary that streams uploads of unknown
# length (rcat, multipart), speaks every S3-compatible store and local
# directories with the same paths.

readonly BACKUP_MANIFEST_SUFFIX=.manifest.json
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly BACKUP_OBJECT_SUFFIX=.dump.age

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# only_help_option "$@" : the scripts take no arguments but --help (-h), which prints
# the calling script's `usage` and exits; anything else is refused.
only_help_option() {
  case "${1:-}" in
    --help | -h)
      usage
      exit 0
      ;;
    '') ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
}

# require_env NAME... : fails naming every unset or empty variable.
require_env() {
  local name missing=()
  for name in "$@"; do
    if [ -z "${!name:-}" ]; then missing+=("$name"); fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then die "missing setting(s): ${missing[*]} (see --help)"; fi
}

# require_commands NAME... : fails naming every program not on PATH.
require_commands() {
  local name missing=()
  for name in "$@"; do
    if ! command -v "$name" > /dev/null 2>&1; then missing+=("$name"); fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then die "missing program(s): ${missing[*]}"; fi
}

# configure_storage: the "s3:" rclone remote from the environment. No
# config file is written; credentials stay in the environment.
configure_storage() {
  export RCLONE_CONFIG_S3_TYPE=s3
  export RCLONE_CONFIG_S3_PROVIDER=Other
  export RCLONE_CONFIG_S3_ENV_AUTH=true
  export RCLONE_CONFIG_S3_REGION="${BACKUP_S3_REGION:-us-east-1}"
  export RCLONE_CONFIG_S3_ENDPOINT="${BACKUP_S3_ENDPOINT:-}"
  # Buckets are created by whoever owns the storage, never by a backup job.
  export RCLONE_CONFIG_S3_NO_CHECK_BUCKET=true
  export RCLONE_RETRIES="${RCLONE_RETRIES:-3}"
  export RCLONE_LOW_LEVEL_RETRIES="${RCLONE_LOW_LEVEL_RETRIES:-3}"
}

# storage_path NAME: the rclone path of one object under BACKUP_DESTINATION.
storage_path() { printf '%s/%s' "${BACKUP_DESTINATION%/}" "$1"; }

# utc_now: seconds since the epoch.
utc_now() { date -u +%s; }
# iso_time SECONDS: RFC 3339 UTC.
iso_time() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# server_major URL: major version of the PostgreSQL server.
server_major() { psql --dbname="$1" --no-psqlrc --tuples-only --no-align --command='SHOW server_version_num' | awk '{ print int($1 / 10000) }'; }
# client_major PROGRAM: major version of pg_dump, pg_restore or psql.
client_major() { "$1" --version | awk '{ split($NF, v, "."); print v[1] }'; }

# require_matching_major URL PROGRAM: the client's major version must equal
# the server's: pg_dump cannot dump a newer server, and an older one would
# hide features the dump needs.
require_matching_major() {
  local server client
  server="$(server_major "$1")" || die "cannot connect to the database to read its version"
  client="$(client_major "$2")"
  if [ "$server" != "$client" ]; then die "$2 is PostgreSQL $client but the server is $server: use the backup image of the server's major version"; fi
}

# list_manifests: the manifests of BACKUP_SOURCE under BACKUP_DESTINATION as
# one JSON array, oldest first. Manifests of other sources are ignored.
list_manifests() {
  local name
  {
    rclone lsf --files-only --include "*$BACKUP_MANIFEST_SUFFIX" "${BACKUP_DESTINATION%/}" | while IFS= read -r name; do
      rclone cat "$(storage_path "$name")"
      printf '\n'
    done
  } | jq --slurp --arg source "$BACKUP_SOURCE" '[.[] | select(.source == $source and .format == "backup-manifest/v1")] | sort_by(.started_at)'
}

# push_metrics JOB < exposition: sends Prometheus text exposition to the
# Pushgateway (POST: replaces only the metrics sent) and/or writes it
# atomically to the textfile collector file. Metrics are best effort: a
# failed push is logged, and the alert on a stale timestamp catches it.
push_metrics() {
  local job="$1" body
  body="$(cat)"
  if [ -n "${BACKUP_PUSHGATEWAY_URL:-}" ]; then
    if ! printf '%s\n' "$body" | curl --silent --show-error --fail --max-time 10 --data-binary @- "${BACKUP_PUSHGATEWAY_URL%/}/metrics/job/$job/source/$BACKUP_SOURCE"; then
      log "WARNING: could not push metrics to $BACKUP_PUSHGATEWAY_URL"
    fi
  fi
  if [ -n "${BACKUP_METRICS_FILE:-}" ]; then
    printf '%s\n' "$body" > "$BACKUP_METRICS_FILE.$$" && mv "$BACKUP_METRICS_FILE.$$" "$BACKUP_METRICS_FILE"
  fi
}

# sha256_of_object PATH: sha256 of a stored object, streamed.
sha256_of_object() { rclone cat "$1" | sha256sum | awk '{ print $1 }'; }
