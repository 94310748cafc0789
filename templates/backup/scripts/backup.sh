#!/usr/bin/env bash
# Backs up the database: pg_dump (custom format) streamed through age
# encryption to object storage, verified, described by a manifest, then
# grandfather-father-son retention. Nothing but small metadata touches the
# local disk; the private age key is never needed here.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/backup-common.sh
. "$HERE/lib/backup-common.sh"

usage() {
  cat << 'USAGE'
Usage: backup.sh [--help]

Dumps the database with pg_dump --format=custom, encrypts the stream with age
to BACKUP_AGE_RECIPIENT, uploads it to BACKUP_DESTINATION, verifies the dump
with pg_restore, writes <object>.manifest.json (size, sha256, row counts,
versions, start and end time), pushes metrics, and applies retention.
A backup counts as successful only once its manifest exists.

Environment:
  BACKUP_DATABASE_URL      postgres:// URL of the database (a read-only role is enough)
  BACKUP_AGE_RECIPIENT     age public key (age1...) the backups are encrypted to
  BACKUP_DESTINATION       "s3:<bucket>/<prefix>" or a directory
  BACKUP_SOURCE            name recorded in manifests; retention touches only its own backups
  BACKUP_S3_ENDPOINT, BACKUP_S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  BACKUP_KEEP_DAILY        newest backup of each of the last N days to keep (default 7)
  BACKUP_KEEP_WEEKLY       ... of each of the last N ISO weeks (default 4)
  BACKUP_KEEP_MONTHLY      ... of each of the last N months (default 12)
  BACKUP_PUSHGATEWAY_URL, BACKUP_METRICS_FILE   where metrics go (optional)

Exits non-zero on any failure; a failed run leaves no manifest.
USAGE
}

only_help_option "$@"

require_env BACKUP_DATABASE_URL BACKUP_AGE_RECIPIENT BACKUP_DESTINATION BACKUP_SOURCE
require_commands pg_dump pg_restore psql age rclone jq sha256sum
configure_storage

work="$(mktemp -d)"
object=""
uploaded=""
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -n "$uploaded" ]; then
    log "removing the incomplete object $object"
    rclone deletefile "$(storage_path "$object")" 2> /dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

started="$(utc_now)"
require_matching_major "$BACKUP_DATABASE_URL" pg_dump
server_version="$(psql --dbname="$BACKUP_DATABASE_URL" --no-psqlrc --tuples-only --no-align --command='SHOW server_version')"
database="$(psql --dbname="$BACKUP_DATABASE_URL" --no-psqlrc --tuples-only --no-align --command='SELECT current_database()')"
object="$BACKUP_SOURCE-$(date -u -d "@$started" +%Y%m%dT%H%M%SZ)$BACKUP_OBJECT_SUFFIX"
log "backing up database $database (PostgreSQL $server_version) to $(storage_path "$object")"

# The plaintext stream is read twice more: by pg_restore --list (the table of
# contents) and by pg_restore --data-only, which parses every block of the
# archive; the row counts of its COPY sections go into the manifest.
mkfifo "$work/plain" "$work/list" "$work/sum" "$work/size"
# pg_restore --list reads the header and table of contents; cat drains the rest.
{
  if pg_restore --list > "$work/toc"; then listed=0; else listed=1; fi
  cat > /dev/null
  exit "$listed"
} < "$work/list" &
list_pid=$!
pg_restore --data-only --file=- < "$work/plain" \
  | awk '/^COPY .* FROM stdin;$/ { table = $2; rows = 0; copying = 1; next }
         copying && $0 == "\\." { print table "\t" rows; copying = 0; next }
         copying { rows++ }' > "$work/rows.tsv" &
verify_pid=$!
sha256sum < "$work/sum" > "$work/sha256" &
sum_pid=$!
wc -c < "$work/size" > "$work/bytes" &
size_pid=$!

uploaded=1
if ! pg_dump --format=custom --dbname="$BACKUP_DATABASE_URL" \
  | tee "$work/plain" "$work/list" \
  | age --encrypt --recipient "$BACKUP_AGE_RECIPIENT" \
  | tee "$work/sum" "$work/size" \
  | rclone rcat "$(storage_path "$object")"; then
  die "the dump, its encryption or its upload failed"
fi
wait "$list_pid" || die "pg_restore --list could not read the dump's table of contents"
wait "$verify_pid" || die "pg_restore could not read the dump: it is not a valid archive"
grep -q ' TABLE DATA ' "$work/toc" || log "WARNING: the dump's table of contents lists no table data"
wait "$sum_pid" || die "could not checksum the encrypted stream"
wait "$size_pid" || die "could not measure the encrypted stream"

sha256="$(awk '{ print $1 }' "$work/sha256")"
size="$(tr -d ' ' < "$work/bytes")"
[ -s "$work/rows.tsv" ] || log "WARNING: the dump holds no table data"
stored="$(sha256_of_object "$(storage_path "$object")")" || die "cannot read back $object"
if [ "$stored" != "$sha256" ]; then die "the stored object's sha256 $stored differs from the uploaded stream's $sha256"; fi

finished="$(utc_now)"
jq --null-input \
  --arg source "$BACKUP_SOURCE" --arg database "$database" --arg object "$object" \
  --arg sha256 "$sha256" --argjson size "$size" \
  --arg started "$(iso_time "$started")" --arg finished "$(iso_time "$finished")" \
  --argjson duration "$((finished - started))" \
  --arg server "$server_version" --arg pg_dump "$(pg_dump --version)" \
  --arg age "$(age --version)" --arg rclone "$(rclone version | head -n 1)" \
  --arg recipient "$BACKUP_AGE_RECIPIENT" \
  --rawfile rows "$work/rows.tsv" \
  '{
    format: "backup-manifest/v1", source: $source, database: $database, object: $object,
    size_bytes: $size, sha256: $sha256, encryption: { tool: "age", recipient: $recipient },
    started_at: $started, finished_at: $finished, duration_seconds: $duration,
    versions: { postgres: $server, pg_dump: $pg_dump, age: $age, rclone: $rclone },
    tables: ($rows | split("\n") | map(select(. != "") | split("\t") | { key: .[0], value: (.[1] | tonumber) }) | from_entries)
  }' > "$work/manifest.json"
rclone copyto "$work/manifest.json" "$(storage_path "${object%"$BACKUP_OBJECT_SUFFIX"}$BACKUP_MANIFEST_SUFFIX")" || die "could not store the manifest"
uploaded=""
log "backup $object complete: $size bytes, sha256 $sha256, $((finished - started)) s"

push_metrics backup << METRICS
# HELP backup_last_success_timestamp_seconds End of the last successful backup (Unix time).
# TYPE backup_last_success_timestamp_seconds gauge
backup_last_success_timestamp_seconds $finished
# HELP backup_duration_seconds Duration of the last successful backup.
# TYPE backup_duration_seconds gauge
backup_duration_seconds $((finished - started))
# HELP backup_size_bytes Size of the last successful backup (encrypted).
# TYPE backup_size_bytes gauge
backup_size_bytes $size
METRICS

bash "$HERE/backup-retention.sh"
