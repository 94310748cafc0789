#!/usr/bin/env bash
# Restores a backup into a database: the newest (or a named) backup of
# BACKUP_SOURCE, checksum verified against its manifest, decrypted with the
# age identity, restored with pg_restore in one transaction.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/lib/backup-common.sh
. "$HERE/lib/backup-common.sh"

usage() {
  cat << 'USAGE'
Usage: restore.sh [--backup OBJECT] [--clean] [--scrub FILE.sql] [--help]

Restores the newest backup of BACKUP_SOURCE (or OBJECT, a name listed under
BACKUP_DESTINATION) into RESTORE_DATABASE_URL: verifies the object's sha256
against its manifest, decrypts it with the age identity, and runs
pg_restore --exit-on-error --no-owner --single-transaction, so a failed
restore leaves the target as it was.

Options:
  --backup OBJECT   restore this backup instead of the newest
  --clean           the target may hold objects: drop them first (pg_restore --clean --if-exists)
  --scrub FILE.sql  run this SQL in the same database after the restore (e.g. anonymise
                    personal data before a restore into staging); stops on the first error

Environment:
  RESTORE_DATABASE_URL     postgres:// URL of the target database (it must exist)
  BACKUP_AGE_IDENTITY_FILE file holding the age private key (never stored beside the backups)
  BACKUP_DESTINATION, BACKUP_SOURCE, BACKUP_S3_ENDPOINT, BACKUP_S3_REGION,
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   as for backup.sh

A target that holds tables, views or sequences is refused without --clean.
USAGE
}

backup=""
clean=""
scrub=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --help | -h)
      usage
      exit 0
      ;;
    --backup)
      [ "$#" -ge 2 ] || die "--backup needs an object name"
      backup="$2"
      shift 2
      ;;
    --clean)
      clean=1
      shift
      ;;
    --scrub)
      [ "$#" -ge 2 ] || die "--scrub needs a file"
      scrub="$2"
      [ -r "$scrub" ] || die "cannot read the scrub file $scrub"
      shift 2
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
done

require_env RESTORE_DATABASE_URL BACKUP_AGE_IDENTITY_FILE BACKUP_DESTINATION BACKUP_SOURCE
require_commands pg_restore psql age rclone jq sha256sum
[ -r "$BACKUP_AGE_IDENTITY_FILE" ] || die "cannot read the age identity file $BACKUP_AGE_IDENTITY_FILE"
configure_storage
require_matching_major "$RESTORE_DATABASE_URL" pg_restore

manifests="$(list_manifests)" || die "cannot list the backups under $BACKUP_DESTINATION"
if [ -n "$backup" ]; then
  manifest="$(jq --arg object "$backup" '[.[] | select(.object == $object)] | last // empty' <<< "$manifests")"
  [ -n "$manifest" ] || die "no successful backup named $backup under $BACKUP_DESTINATION (a backup without a manifest did not complete)"
else
  manifest="$(jq 'last // empty' <<< "$manifests")"
  [ -n "$manifest" ] || die "no successful backup of $BACKUP_SOURCE under $BACKUP_DESTINATION"
fi
object="$(jq --raw-output .object <<< "$manifest")"
expected="$(jq --raw-output .sha256 <<< "$manifest")"

user_objects="$(psql --dbname="$RESTORE_DATABASE_URL" --no-psqlrc --tuples-only --no-align --command="
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'")"
if [ "$user_objects" -gt 0 ] && [ -z "$clean" ]; then
  die "the target database holds $user_objects tables, views or sequences: restore into an empty database, or pass --clean to replace them"
fi

log "verifying $object (sha256 $expected)"
actual="$(sha256_of_object "$(storage_path "$object")")" || die "cannot read $object"
if [ "$actual" != "$expected" ]; then die "checksum mismatch for $object: the manifest says $expected, the object is $actual; it was not restored"; fi

log "restoring $object into the target database"
restore_options=(--exit-on-error --no-owner --no-privileges --single-transaction --dbname="$RESTORE_DATABASE_URL")
if [ -n "$clean" ]; then restore_options+=(--clean --if-exists); fi
if ! rclone cat "$(storage_path "$object")" \
  | age --decrypt --identity "$BACKUP_AGE_IDENTITY_FILE" \
  | pg_restore "${restore_options[@]}"; then
  die "the restore of $object failed (wrong age identity, damaged object, or a database error above); the target is unchanged"
fi

if [ -n "$scrub" ]; then
  log "scrubbing with $scrub"
  psql --dbname="$RESTORE_DATABASE_URL" --no-psqlrc --set=ON_ERROR_STOP=1 --single-transaction --quiet --file="$scrub" > /dev/null || die "the scrub SQL $scrub failed"
fi
log "restored $object"
printf '%s\n' "$object"
