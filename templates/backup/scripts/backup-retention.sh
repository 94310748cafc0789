#!/usr/bin/env bash
# Grandfather-father-son retention of the backups of BACKUP_SOURCE: keeps the
# newest backup of each of the last BACKUP_KEEP_DAILY days, BACKUP_KEEP_WEEKLY
# ISO weeks and BACKUP_KEEP_MONTHLY months, and always the newest one.
# Deletes only objects whose manifest names this source and database; objects
# without a manifest (failed runs) are left for the storage's lifecycle rule.
# Run by backup.sh after each successful backup; safe to run on its own.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/backup-common.sh
. "$HERE/lib/backup-common.sh"

if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit 0
fi

require_env BACKUP_DESTINATION BACKUP_SOURCE BACKUP_DATABASE_URL
configure_storage
daily="${BACKUP_KEEP_DAILY:-7}"
weekly="${BACKUP_KEEP_WEEKLY:-4}"
monthly="${BACKUP_KEEP_MONTHLY:-12}"
for count in "$daily" "$weekly" "$monthly"; do
  case "$count" in '' | *[!0-9]*) die "BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY and BACKUP_KEEP_MONTHLY must be whole numbers" ;; esac
done
database="$(psql --dbname="$BACKUP_DATABASE_URL" --no-psqlrc --tuples-only --no-align --command='SELECT current_database()')"

expired="$(list_manifests | jq --raw-output --arg database "$database" \
  --argjson daily "$daily" --argjson weekly "$weekly" --argjson monthly "$monthly" '
  def newest_per(period; count):
    group_by(period) | map(max_by(.started_at)) | sort_by(.started_at) | reverse | .[0:count] | map(.object);
  map(select(.database == $database)) as $all
  | if ($all | length) == 0 then empty else
      ($all | newest_per(.started_at[0:10]; $daily)
        + newest_per(.started_at | strptime("%Y-%m-%dT%H:%M:%SZ") | mktime | strftime("%G-W%V"); $weekly)
        + newest_per(.started_at[0:7]; $monthly)
        + [max_by(.started_at).object]) as $keep
      | $all[] | select(.object as $object | $keep | index($object) | not) | .object
    end')"

for object in $expired; do
  log "retention: deleting $object"
  rclone deletefile "$(storage_path "${object%"$BACKUP_OBJECT_SUFFIX"}$BACKUP_MANIFEST_SUFFIX")"
  rclone deletefile "$(storage_path "$object")"
done
