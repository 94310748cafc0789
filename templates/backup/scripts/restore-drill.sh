#!/usr/bin/env bash
# Restore drill: restores the newest backup into a throwaway database,
# checks it against its manifest, reports the time it took (the measured
# RTO) as metrics, and drops the database.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/backup-common.sh
. "$HERE/lib/backup-common.sh"

usage() {
  cat << 'USAGE'
Usage: restore-drill.sh [--help]

Creates a throwaway database next to BACKUP_DRILL_DATABASE_URL, restores the
newest backup of BACKUP_SOURCE into it with restore.sh, then verifies: every
table of the manifest has the row count the manifest records, and the
migrations table BACKUP_DRILL_REQUIRED_TABLE exists. Pushes
backup_restore_drill_last_success_timestamp_seconds and
backup_restore_drill_duration_seconds, and drops the database whatever
the outcome.

Environment:
  BACKUP_DRILL_DATABASE_URL    postgres://.../<maintenance database> of a server where the
                               role may CREATE DATABASE (never the production server)
  BACKUP_DRILL_REQUIRED_TABLE  a table the restore must contain (default public.schema_migrations)
  BACKUP_AGE_IDENTITY_FILE, BACKUP_DESTINATION, BACKUP_SOURCE, BACKUP_S3_ENDPOINT,
  BACKUP_S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   as for restore.sh
  BACKUP_PUSHGATEWAY_URL, BACKUP_METRICS_FILE                  where metrics go (optional)
USAGE
}

only_help_option "$@"

require_env BACKUP_DRILL_DATABASE_URL BACKUP_AGE_IDENTITY_FILE BACKUP_DESTINATION BACKUP_SOURCE
require_commands psql jq
configure_storage
required_table="${BACKUP_DRILL_REQUIRED_TABLE:-public.schema_migrations}"

case "$BACKUP_DRILL_DATABASE_URL" in
  postgres://*/* | postgresql://*/*) ;;
  *) die "BACKUP_DRILL_DATABASE_URL must be a postgres:// URL that names a database" ;;
esac
started="$(utc_now)"
drill_database="drill_$(date -u -d "@$started" +%Y%m%d%H%M%S)_$$"
# The same URL with the throwaway database in place of the maintenance one.
query=""
case "$BACKUP_DRILL_DATABASE_URL" in *\?*) query="?${BACKUP_DRILL_DATABASE_URL#*\?}" ;; esac
base="${BACKUP_DRILL_DATABASE_URL%%\?*}"
drill_url="${base%/*}/$drill_database$query"

admin() { psql --dbname="$BACKUP_DRILL_DATABASE_URL" --no-psqlrc --set=ON_ERROR_STOP=1 --quiet --tuples-only --no-align "$@"; }
drop_drill_database() {
  local status=$?
  admin --command="DROP DATABASE IF EXISTS \"$drill_database\" WITH (FORCE)" > /dev/null 2>&1 || log "WARNING: could not drop the drill database $drill_database"
  exit "$status"
}

admin --command="CREATE DATABASE \"$drill_database\"" > /dev/null || die "cannot create the drill database on the drill server"
trap drop_drill_database EXIT
log "drill database $drill_database created"

object="$(RESTORE_DATABASE_URL="$drill_url" bash "$HERE/restore.sh")" || die "the restore failed"
manifest="$(list_manifests | jq --arg object "$object" '[.[] | select(.object == $object)] | last')"

failures=0
while IFS=$'\t' read -r table expected; do
  actual="$(psql --dbname="$drill_url" --no-psqlrc --tuples-only --no-align --command="SELECT count(*) FROM $table")" || actual="missing"
  if [ "$actual" != "$expected" ]; then
    log "FAIL: $table has $actual rows; the manifest records $expected"
    failures=$((failures + 1))
  fi
done < <(jq --raw-output '.tables | to_entries[] | "\(.key)\t\(.value)"' <<< "$manifest")
tables="$(jq '.tables | length' <<< "$manifest")"
# psql interpolates :'table' (quoted as a literal) only in what it reads, not in --command.
present="$(psql --dbname="$drill_url" --no-psqlrc --tuples-only --no-align --set=table="$required_table" <<< "SELECT to_regclass(:'table') IS NOT NULL")"
if [ "$present" != t ]; then
  log "FAIL: the restore has no table $required_table"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || die "drill of $object failed $failures verification(s)"

finished="$(utc_now)"
log "drill of $object passed: $tables tables match the manifest; restore and verification took $((finished - started)) s"
push_metrics backup_restore_drill << METRICS
# HELP backup_restore_drill_last_success_timestamp_seconds End of the last successful restore drill (Unix time).
# TYPE backup_restore_drill_last_success_timestamp_seconds gauge
backup_restore_drill_last_success_timestamp_seconds $finished
# HELP backup_restore_drill_duration_seconds Time to restore and verify the newest backup in the last drill (measured RTO).
# TYPE backup_restore_drill_duration_seconds gauge
backup_restore_drill_duration_seconds $((finished - started))
METRICS
