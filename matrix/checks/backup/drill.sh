#!/usr/bin/env bash
# A real backup and restore drill of a generated project's scripts/, against
# a throwaway PostgreSQL database, an S3 server on loopback (moto) and a
# fresh age key pair. Prints one "FAIL: ..." line per broken promise and
# exits 0 when it could run (findings are the FAIL lines), 2 when it could not.
#
#   drill.sh <scripts-dir> <server-url> <work-dir>
#
# <server-url> is postgres://superuser@127.0.0.1:port/postgres; the drill
# creates and drops its own databases there.
set -uo pipefail

scripts="$1"
server="$2"
work="$3"
base="${server%/*}"
bucket=backups
source_name=drill-source
fail() { printf 'FAIL: %s\n' "$*"; }
setup() { "$@" > "$work/setup.log" 2>&1 || {
  printf 'cannot set up the drill: %s\n' "$*" >&2
  cat "$work/setup.log" >&2
  exit 2
}; }
sql() { psql --dbname="$1" --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 --command="$2"; }

# rclone refuses every S3 request while AWS_CA_BUNDLE is set.
unset AWS_CA_BUNDLE
export RCLONE_RETRIES=1 RCLONE_LOW_LEVEL_RETRIES=1 RCLONE_CONTIMEOUT=3s RCLONE_TIMEOUT=10s

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto_pid=$!
databases=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  kill "$moto_pid" 2> /dev/null
  wait "$moto_pid" 2> /dev/null
  for database in "${databases[@]}"; do sql "$server" "DROP DATABASE IF EXISTS $database WITH (FORCE)" > /dev/null 2>&1; done
}
trap cleanup EXIT
for _ in $(seq 50); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2> /dev/null; then break; fi
  sleep 0.2
done

export AWS_ACCESS_KEY_ID=drill AWS_SECRET_ACCESS_KEY=drill-secret
export BACKUP_S3_ENDPOINT="http://127.0.0.1:$port" BACKUP_DESTINATION="s3:$bucket/nightly" BACKUP_SOURCE="$source_name"
export BACKUP_METRICS_FILE="$work/backup.prom"
# The drill's own view of the bucket, configured as the scripts configure it.
export RCLONE_CONFIG_S3_TYPE=s3 RCLONE_CONFIG_S3_PROVIDER=Other RCLONE_CONFIG_S3_ENV_AUTH=true RCLONE_CONFIG_S3_ENDPOINT="$BACKUP_S3_ENDPOINT" RCLONE_CONFIG_S3_REGION=us-east-1
setup rclone mkdir "s3:$bucket"
setup age-keygen -o "$work/identity.txt"
setup age-keygen -o "$work/wrong-identity.txt"
export BACKUP_AGE_RECIPIENT
BACKUP_AGE_RECIPIENT="$(age-keygen -y "$work/identity.txt")"

suffix="$$_$RANDOM"
source_db="drill_source_$suffix"
databases+=("$source_db")
setup sql "$server" "CREATE DATABASE $source_db"
export BACKUP_DATABASE_URL="$base/$source_db"
setup sql "$BACKUP_DATABASE_URL" "
  CREATE TABLE schema_migrations (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
  INSERT INTO schema_migrations (id, checksum) VALUES ('0001_items', 'a1'), ('0002_orders', 'b2');
  CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, note text);
  INSERT INTO items (name, note) SELECT 'item ' || n, CASE WHEN n % 7 = 0 THEN E'line one\nline two\ttab' END FROM generate_series(1, 500) n;
  CREATE SCHEMA billing;
  CREATE TABLE billing.\"Invoice\" (id int PRIMARY KEY, item_id bigint REFERENCES items (id), amount numeric(12, 2) NOT NULL, payload jsonb);
  INSERT INTO billing.\"Invoice\" SELECT n, n, n * 1.25, jsonb_build_object('n', n) FROM generate_series(1, 200) n;
  CREATE TABLE empty_table (id int);"

objects() { rclone lsf --files-only "$BACKUP_DESTINATION" 2> /dev/null | sort; }
count_manifests() { objects | grep -c '\.manifest\.json$'; }
run_script() { # name, then the command; output kept for messages
  local name="$1"
  shift
  "$@" > "$work/$name.out" 2> "$work/$name.err"
}

# Three nights: two backups on the first day (the older one expires: one per day
# is kept with BACKUP_KEEP_DAILY=2), one on each of the next two days.
export BACKUP_KEEP_DAILY=2 BACKUP_KEEP_WEEKLY=1 BACKUP_KEEP_MONTHLY=1
for day in '2026-03-01 01:00:00' '2026-03-01 02:00:00' '2026-03-02 01:00:00' '2026-03-03 01:00:00'; do
  sql "$BACKUP_DATABASE_URL" "INSERT INTO items (name) VALUES ('added $day')" > /dev/null
  if ! run_script backup faketime -f "@$day" bash "$scripts/backup.sh"; then
    fail "backup.sh on $day exited non-zero: $(tail -n 3 "$work/backup.err")"
  fi
done
grep -q '^backup_last_success_timestamp_seconds [0-9]' "$BACKUP_METRICS_FILE" 2> /dev/null || fail "backup.sh wrote no backup_last_success_timestamp_seconds metric"
expected_names="drill-source-20260302T010000Z.dump.age drill-source-20260302T010000Z.manifest.json drill-source-20260303T010000Z.dump.age drill-source-20260303T010000Z.manifest.json"
actual_names="$(objects | tr '\n' ' ' | sed 's/ $//')"
# Day 1 is outside the 2 daily slots; it is the newest of week 9 but week 10 holds the newest backups.
[ "$actual_names" = "$expected_names" ] || fail "after retention (keep 2 daily, 1 weekly, 1 monthly) the bucket holds [$actual_names], expected [$expected_names]"
manifest="$(rclone cat "$BACKUP_DESTINATION/drill-source-20260303T010000Z.manifest.json" 2> /dev/null)"
for field in sha256 size_bytes started_at finished_at versions.postgres versions.pg_dump versions.age; do
  [ "$(jq -r ".$field // empty" <<< "$manifest")" != "" ] || fail "the manifest has no $field"
done
[ "$(jq -r '.tables["billing.\"Invoice\""]' <<< "$manifest")" = 200 ] || fail "the manifest does not record 200 rows of billing.\"Invoice\": $(jq -c .tables <<< "$manifest")"
# Another source's backups are never touched by retention.
other_day="$(mktemp -p "$work")"
printf '{"format":"backup-manifest/v1","source":"another-service","database":"x","object":"another-service-20200101T000000Z.dump.age","started_at":"2020-01-01T00:00:00Z"}' > "$other_day"
rclone copyto "$other_day" "$BACKUP_DESTINATION/another-service-20200101T000000Z.manifest.json" > /dev/null 2>&1
run_script retention bash "$scripts/backup-retention.sh" || fail "backup-retention.sh exited non-zero: $(tail -n 3 "$work/retention.err")"
objects | grep -q '^another-service-' || fail "retention deleted a backup of another source"

# Drill into a throwaway database.
drill_admin="$base/postgres"
export BACKUP_AGE_IDENTITY_FILE="$work/identity.txt" BACKUP_DRILL_DATABASE_URL="$drill_admin"
if run_script drill bash "$scripts/restore-drill.sh"; then
  grep -q '^backup_restore_drill_duration_seconds [0-9]' "$BACKUP_METRICS_FILE" || fail "restore-drill.sh wrote no backup_restore_drill_duration_seconds metric"
else
  fail "restore-drill.sh exited non-zero: $(tail -n 3 "$work/drill.err")"
fi
# The drill names its database in its log; other drills may run on the same server at the same time.
drill_database="$(grep -o 'drill database drill_[0-9_]*' "$work/drill.err" | head -n 1 | cut -d' ' -f3)"
[ -n "$drill_database" ] || fail "restore-drill.sh did not log the name of its drill database"
[ -z "$drill_database" ] || [ "$(sql "$server" "SELECT count(*) FROM pg_database WHERE datname = '$drill_database'")" = 0 ] || fail "restore-drill.sh left its throwaway database $drill_database behind"

# Restore into a fresh database and compare every table with the source.
target="drill_target_$suffix"
databases+=("$target")
setup sql "$server" "CREATE DATABASE $target"
export RESTORE_DATABASE_URL="$base/$target"
if run_script restore bash "$scripts/restore.sh"; then
  for table in schema_migrations items 'billing."Invoice"' empty_table; do
    ordered="SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM $table t"
    want="$(sql "$base/$source_db" "$ordered")"
    got="$(sql "$RESTORE_DATABASE_URL" "$ordered" 2>&1)"
    [ "$want" = "$got" ] || fail "restored table $table differs from the source"
  done
else
  fail "restore.sh into an empty database exited non-zero: $(tail -n 3 "$work/restore.err")"
fi
# A second restore into the now non-empty target is refused without --clean.
if run_script refuse bash "$scripts/restore.sh"; then fail "restore.sh restored into a non-empty database without --clean"; fi
grep -q -- '--clean' "$work/refuse.err" || fail "restore.sh refused a non-empty target without naming --clean: $(tail -n 1 "$work/refuse.err")"
# With --clean and a scrub file, the target is replaced and scrubbed.
printf "UPDATE items SET name = 'scrubbed';\n" > "$work/scrub.sql"
if run_script clean bash "$scripts/restore.sh" --clean --scrub "$work/scrub.sql"; then
  [ "$(sql "$RESTORE_DATABASE_URL" "SELECT count(DISTINCT name) FROM items")" = 1 ] || fail "restore.sh --scrub did not apply the scrub SQL"
else
  fail "restore.sh --clean --scrub exited non-zero: $(tail -n 3 "$work/clean.err")"
fi

# Failure paths: each exits non-zero with a clear message and adds no manifest.
fresh="drill_fresh_$suffix"
databases+=("$fresh")
setup sql "$server" "CREATE DATABASE $fresh"
expect_failure() { # name, message pattern, command...
  local name="$1" pattern="$2"
  shift 2
  local before
  before="$(count_manifests)"
  if run_script "$name" "$@"; then
    fail "$name: exited 0"
  elif ! grep -Eq "$pattern" "$work/$name.err"; then
    fail "$name: no clear message (expected /$pattern/): $(tail -n 2 "$work/$name.err")"
  fi
  [ "$(count_manifests)" = "$before" ] || fail "$name: a manifest was added by a failed run"
}
expect_failure wrong-key 'restore of .* failed' env RESTORE_DATABASE_URL="$base/$fresh" BACKUP_AGE_IDENTITY_FILE="$work/wrong-identity.txt" bash "$scripts/restore.sh"
[ "$(sql "$base/$fresh" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] || fail "wrong-key: the failed restore left tables in the target"
newest="drill-source-20260303T010000Z.dump.age"
rclone cat "$BACKUP_DESTINATION/$newest" > "$work/object" 2> /dev/null
printf 'x' | dd of="$work/object" bs=1 seek=200 conv=notrunc status=none
rclone copyto "$work/object" "$BACKUP_DESTINATION/$newest" > /dev/null 2>&1
expect_failure corrupted 'checksum mismatch' env RESTORE_DATABASE_URL="$base/$fresh" bash "$scripts/restore.sh"
expect_failure unreachable-database 'cannot connect' env BACKUP_DATABASE_URL="postgres://nobody@127.0.0.1:9/none?connect_timeout=2" bash "$scripts/backup.sh"
objects_before="$(objects | wc -l)"
expect_failure unreachable-storage 'upload failed|could not' env BACKUP_S3_ENDPOINT="http://127.0.0.1:9" bash "$scripts/backup.sh"
# A full destination: a directory where no file may grow past 2 KiB (RLIMIT_FSIZE: writes fail with EFBIG).
mkdir -p "$work/full"
expect_failure full-destination 'upload failed' bash -c 'ulimit -f 2 && exec "$@"' full-destination env BACKUP_DESTINATION="$work/full" bash "$scripts/backup.sh"
[ -z "$(find "$work/full" -name '*.manifest.json')" ] || fail "full-destination: a manifest was written"
[ "$(objects | wc -l)" = "$objects_before" ] || fail "a failed backup left objects in the bucket"
exit 0
