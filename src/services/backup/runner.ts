// The program the backup units and `roost backup` run on a host, shipped as a file of the generation
// with no value in it: it reads every setting from the job's and the repository's JSON file.

export const runnerPath = "/etc/roost/backup/roost-backup";

export const runnerScript = `#!/bin/bash
# roost-backup: what the backup units and \`roost backup\` run on a host. Every setting comes from the
# JSON files beside it (one per job, one per repository), read with jq; no value is spliced into code.
#   run JOB                 back up (files, then each database streamed into restic), forget, prune
#   check REPOSITORY        restic check
#   list JOB|-              snapshots, one line each: snapshot JOB ID TIME RUN KIND NAME
#   start JOB|-             run the job units now and wait: ran JOB ok|failed
#   restore JOB SNAPSHOT|- TARGET|-
#                           files back in place (or under TARGET), dumps back into their databases
#                           (or as files under TARGET); SNAPSHOT picks the run it belongs to
set -euo pipefail
shopt -s nullglob
export LC_ALL=C
readonly CONF=/etc/roost/backup
readonly RE_NAME='^[a-z0-9][a-z0-9_-]{0,47}$'
umask 077

die() {
  echo "roost-backup: $*" >&2
  exit 1
}
usage() {
  echo "roost-backup: $*" >&2
  exit 2
}
# A job's or repository's settings file, after checking the name.
settings() {
  [[ $2 =~ $RE_NAME ]] || usage "not a $1 name"
  local file="$CONF/\${1/%y/ie}s/$2.json"
  [ -f "$file" ] || die "there is no $1 $2 on this host"
  printf '%s' "$file"
}
# The jobs named by $1 (one, or - for all) into JOBS; an unknown one stops the script.
select_jobs() {
  JOBS=()
  if [ "$1" != - ]; then
    settings job "$1" > /dev/null
    JOBS=("$1")
    return
  fi
  local f
  for f in "$CONF"/jobs/*.json; do JOBS+=("$(basename "$f" .json)"); done
  [ "\${#JOBS[@]}" -gt 0 ] || die "there are no backup jobs on this host"
}
# The repository's environment (no secret in it: passwords and keys are files under /run) and the
# options every restic call gets, from the settings file $1, into RESTIC_ARGS.
use_repository() {
  local kv
  while IFS= read -r -d '' kv; do export "$kv"; done < <(jq -j '.restic.environment | to_entries[] | "\\(.key)=\\(.value)\\u0000"' "$1")
  mapfile -d '' -t RESTIC_ARGS < <(jq -j '.restic.options[] | . + "\\u0000"' "$1")
  mkdir -p -m 0700 "$RESTIC_CACHE_DIR"
}
restic_() { restic "\${RESTIC_ARGS[@]}" "$@"; }
lock_repository() {
  local lock
  lock=$(jq -r .lock "$1")
  mkdir -p -m 0700 "$(dirname "$lock")"
  exec 9> "$lock"
  flock 9
}
ensure_repository() {
  local err
  err=$(restic_ cat config 2>&1 > /dev/null) && return 0
  [ "$(jq -r .restic.initialize "$1")" = true ] || die "cannot open the repository, and initialize is off: $err"
  echo "cannot open the repository ($err): initialising it"
  restic_ init
}
# Write a node_exporter textfile atomically: $1 the file, the rest lines of it.
write_metrics() {
  local file=$1
  shift
  mkdir -p "$(dirname "$file")"
  local tmp
  tmp=$(mktemp "$file.XXXXXX")
  printf '%s\\n' "$@" > "$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$file"
}
# The value of a sample in a textfile written before, or 0.
previous_sample() {
  local line
  [ -f "$2" ] || { echo 0; return; }
  line=$(grep -m1 "^$1[{ ]" "$2" || true)
  [[ \${line##* } =~ ^[0-9]+$ ]] && echo "\${line##* }" || echo 0
}

# The dump of one database to stdout, $1 its entry (JSON). Each is consistent: one transaction or
# the server's own snapshot, never a copy of a live file.
dump_database() {
  local type name path container socket port password
  type=$(jq -r .type <<< "$1")
  name=$(jq -r '.name // ""' <<< "$1")
  path=$(jq -r '.path // ""' <<< "$1")
  container=$(jq -r '.container // ""' <<< "$1")
  local -a exec=()
  [ -z "$container" ] || exec=("$(jq -r .runtime <<< "$1")" exec -i "$container")
  case $type in
    postgresql)
      port=$(jq -r '.port // 5432' <<< "$1")
      if [ -n "$container" ]; then
        "\${exec[@]}" pg_dump -U postgres --clean --if-exists -d "$name"
      else
        (cd /tmp && runuser -u postgres -- pg_dump -p "$port" --clean --if-exists -d "$name")
      fi
      ;;
    mysql) "\${exec[@]}" mariadb-dump --single-transaction --routines --triggers --events --databases "$name" ;;
    redis)
      socket=$(jq -r '.socket // ""' <<< "$1")
      port=$(jq -r '.port // 6379' <<< "$1")
      password=$(jq -r '.passwordFile // ""' <<< "$1")
      # redis-cli reads the password from its environment: never an argument.
      [ -z "$password" ] || export REDISCLI_AUTH="$(cat -- "$password")"
      if [ -n "$socket" ]; then "\${exec[@]}" redis-cli -s "$socket" --rdb -; else "\${exec[@]}" redis-cli -h 127.0.0.1 -p "$port" --rdb -; fi
      ;;
    # As the file's owner: a WAL database gets its -wal and -shm files created by whoever opens it,
    # and a read-only open may not see what is still in the WAL.
    sqlite)
      if [ -n "$container" ]; then
        "\${exec[@]}" sqlite3 "$path" .dump
      else
        (cd /tmp && runuser -u "$(stat -c %U -- "$path")" -- sqlite3 -cmd ".timeout 10000" "$path" .dump)
      fi
      ;;
    *) die "unknown database type $type" ;;
  esac
}

# Read a dump on stdin back into its database, $1 its entry (JSON).
restore_database() {
  local type name path owner container unit rdb port
  type=$(jq -r .type <<< "$1")
  name=$(jq -r '.name // ""' <<< "$1")
  container=$(jq -r '.container // ""' <<< "$1")
  local -a exec=()
  [ -z "$container" ] || exec=("$(jq -r .runtime <<< "$1")" exec -i "$container")
  case $type in
    postgresql)
      if [ -n "$container" ]; then
        "\${exec[@]}" psql -U postgres -X -q -d postgres -c "CREATE DATABASE \\"$name\\"" > /dev/null 2>&1 || true
        "\${exec[@]}" psql -U postgres -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$name" > /dev/null
      else
        port=$(jq -r '.port // 5432' <<< "$1")
        cd /tmp
        runuser -u postgres -- psql -p "$port" -X -q -d "$name" -c '' > /dev/null 2>&1 || runuser -u postgres -- createdb -p "$port" -- "$name"
        runuser -u postgres -- psql -p "$port" -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$name" > /dev/null
      fi
      ;;
    mysql) "\${exec[@]}" mariadb ;;
    redis)
      unit=$(jq -r '.unit // ""' <<< "$1")
      rdb=$(jq -r '.rdb // ""' <<< "$1")
      [ -n "$unit" ] && [ -n "$rdb" ] || die "redis $name: its server is not a services.redis entry; restore with --to DIR and put the RDB file in place by hand"
      systemctl stop "$unit"
      install -m 0600 -o "$(stat -c %U "$(dirname "$rdb")")" /dev/stdin "$rdb.restore"
      mv -f "$rdb.restore" "$rdb"
      systemctl start "$unit"
      ;;
    sqlite)
      path=$(jq -r .path <<< "$1")
      owner=$(jq -r '.owner // "root"' <<< "$1")
      [ -z "$container" ] || die "sqlite $path: a database inside a container is restored with --to DIR"
      local tmp
      tmp=$(mktemp "$path.restore.XXXXXX")
      sqlite3 -bail "$tmp" > /dev/null || { rm -f "$tmp"; return 1; }
      chown "$owner:" "$tmp"
      chmod 0640 "$tmp"
      rm -f "$path-wal" "$path-shm" "$path-journal"
      mv -f "$tmp" "$path"
      ;;
  esac
}

# The run's state, global: the EXIT trap reads it after run_job has returned.
JOB= JOB_FILE= METRICS= STARTED=0 ADDED=0
finish_run() {
  local rc=$? post ended success labels
  post=$(jq -r '.postHook // ""' "$JOB_FILE")
  if [ -n "$post" ]; then /bin/bash -e "$post" || { echo "the post hook failed" >&2; [ "$rc" != 0 ] || rc=1; }; fi
  ended=$(date +%s)
  success=$(previous_sample restic_last_success_timestamp_seconds "$METRICS")
  [ "$rc" != 0 ] || success=$ended
  labels="backup=\\"$JOB\\",repository=\\"$(jq -r .repository "$JOB_FILE")\\""
  write_metrics "$METRICS" \\
    "# HELP restic_last_run_timestamp_seconds When the last run of this backup ended." \\
    "# TYPE restic_last_run_timestamp_seconds gauge" \\
    "restic_last_run_timestamp_seconds{$labels} $ended" \\
    "# HELP restic_last_success_timestamp_seconds When the last successful run of this backup ended (0: never)." \\
    "# TYPE restic_last_success_timestamp_seconds gauge" \\
    "restic_last_success_timestamp_seconds{$labels} $success" \\
    "# HELP restic_last_run_duration_seconds How long the last run took." \\
    "# TYPE restic_last_run_duration_seconds gauge" \\
    "restic_last_run_duration_seconds{$labels} $((ended - STARTED))" \\
    "# HELP restic_last_run_added_bytes Bytes the last run added to the repository." \\
    "# TYPE restic_last_run_added_bytes gauge" \\
    "restic_last_run_added_bytes{$labels} $ADDED" \\
    "# HELP restic_last_run_exit_code The exit code of the last run (0: success)." \\
    "# TYPE restic_last_run_exit_code gauge" \\
    "restic_last_run_exit_code{$labels} $rc" \\
    "# HELP restic_max_age_seconds The age of the last success at which the backup counts as too old." \\
    "# TYPE restic_max_age_seconds gauge" \\
    "restic_max_age_seconds{$labels} $(jq -r .maxAge "$JOB_FILE")"
  echo "finished: exit $rc, $ADDED bytes added, $((ended - STARTED)) s"
  exit "$rc"
}
# The summary of \`restic backup --json\`: "ID BYTES-ADDED".
summary() { jq -r 'select(.message_type == "summary") | "\\(.snapshot_id) \\(.data_added)"' <<< "$1"; }

run_job() {
  JOB=$1
  JOB_FILE=$(settings job "$JOB")
  STARTED=$(date +%s)
  METRICS=$(jq -r .metrics "$JOB_FILE")
  trap finish_run EXIT
  use_repository "$JOB_FILE"
  lock_repository "$JOB_FILE"
  local pre
  pre=$(jq -r '.preHook // ""' "$JOB_FILE")
  if [ -n "$pre" ]; then /bin/bash -e "$pre"; fi
  ensure_repository "$JOB_FILE"
  local run out id bytes
  run=$(date -u +%Y%m%dT%H%M%SZ)
  local -a tags=(--tag "job:$JOB" --tag "run:$run")
  local -a paths excludes
  mapfile -d '' -t paths < <(jq -j '.paths[] | . + "\\u0000"' "$JOB_FILE")
  mapfile -d '' -t excludes < <(jq -j '.exclude[] | "--exclude=" + . + "\\u0000"' "$JOB_FILE")
  if [ "\${#paths[@]}" -gt 0 ]; then
    out=$(restic_ backup --json --quiet "\${tags[@]}" --tag files "\${excludes[@]}" -- "\${paths[@]}")
    read -r id bytes < <(summary "$out")
    echo "files: snapshot \${id:0:8}, $bytes bytes added"
    ADDED=$((ADDED + bytes))
  fi
  local db n i kind label
  n=$(jq '.databases | length' "$JOB_FILE")
  for ((i = 0; i < n; i++)); do
    db=$(jq -c ".databases[$i]" "$JOB_FILE")
    kind=$(jq -r .type <<< "$db")
    label=$(jq -r .label <<< "$db")
    # restic 0.14 cannot run the dump itself: a dump that fails still ends restic's input cleanly,
    # so pipefail finds it, and the snapshot restic made of the partial dump is removed.
    if ! out=$(dump_database "$db" | restic_ backup --json --quiet "\${tags[@]}" --tag "db:$kind:$label" --stdin --stdin-filename "$(jq -r .file <<< "$db")"); then
      id=$(summary "$out" 2> /dev/null || true)
      [ -z "$id" ] || restic_ forget --quiet "\${id%% *}" || true
      die "$kind $label: the dump failed; no snapshot of it is kept"
    fi
    read -r id bytes < <(summary "$out")
    echo "$kind $label: snapshot \${id:0:8}, $bytes bytes added"
    ADDED=$((ADDED + bytes))
  done
  local -a forget
  mapfile -d '' -t forget < <(jq -j '.forget[] | . + "\\u0000"' "$JOB_FILE")
  restic_ forget --quiet --prune --tag "job:$JOB" --group-by host,paths "\${forget[@]}"
}

REPO=
finish_check() {
  local rc=$? ended success
  ended=$(date +%s)
  success=$(previous_sample restic_check_last_success_timestamp_seconds "$METRICS")
  [ "$rc" != 0 ] || success=$ended
  write_metrics "$METRICS" \\
    "# HELP restic_check_last_run_timestamp_seconds When the last restic check of this repository ended." \\
    "# TYPE restic_check_last_run_timestamp_seconds gauge" \\
    "restic_check_last_run_timestamp_seconds{repository=\\"$REPO\\"} $ended" \\
    "# HELP restic_check_last_success_timestamp_seconds When the last restic check that found no error ended (0: never)." \\
    "# TYPE restic_check_last_success_timestamp_seconds gauge" \\
    "restic_check_last_success_timestamp_seconds{repository=\\"$REPO\\"} $success" \\
    "# HELP restic_check_last_run_exit_code The exit code of the last check (0: no error)." \\
    "# TYPE restic_check_last_run_exit_code gauge" \\
    "restic_check_last_run_exit_code{repository=\\"$REPO\\"} $rc"
  exit "$rc"
}

check_repository() {
  REPO=$1
  local file
  file=$(settings repository "$REPO")
  METRICS=$(jq -r .metrics "$file")
  trap finish_check EXIT
  use_repository "$file"
  lock_repository "$file"
  local subset
  subset=$(jq -r '.readData // ""' "$file")
  if [ -n "$subset" ]; then restic_ check "--read-data-subset=$subset"; else restic_ check; fi
}

list_snapshots() {
  local job file
  select_jobs "$1"
  for job in "\${JOBS[@]}"; do
    file=$(settings job "$job")
    (
      use_repository "$file"
      restic_ snapshots --json --tag "job:$job" | jq -r --arg job "$job" '
      .[] | (.tags // []) as $t
      | ($t | map(select(startswith("run:")))[0] // "run:-" | ltrimstr("run:")) as $run
      | ($t | map(select(startswith("db:")))[0] // "files") as $what
      | "snapshot \\($job) \\(.id) \\(.time[0:19])Z \\($run) \\(if $what == "files" then "files -" else ($what | ltrimstr("db:") | sub(":"; " ")) end)"'
    )
  done
}

start_jobs() {
  local job rc=0
  select_jobs "$1"
  for job in "\${JOBS[@]}"; do
    if systemctl start "roost-backup-$job.service"; then
      echo "ran $job ok"
    else
      echo "ran $job failed"
      journalctl --no-pager -o cat -n 8 -u "roost-backup-$job.service" | sed 's/^/log /'
      rc=1
    fi
  done
  return "$rc"
}

restore_job() {
  local job=$1 snapshot=$2 target=$3 file
  file=$(settings job "$job")
  [ "$snapshot" = - ] || [[ $snapshot =~ ^[0-9a-f]{8,64}$ ]] || usage "not a snapshot id"
  if [ "$target" != - ]; then
    [[ $target == /* ]] && [[ "$target/" != */../* ]] || usage "TARGET is not an absolute path"
  fi
  use_repository "$file"
  # The run to restore: the one SNAPSHOT belongs to, or the latest run of the job.
  local snapshots run
  snapshots=$(restic_ snapshots --json --tag "job:$job")
  if [ "$snapshot" = - ]; then
    run=$(jq -r '[.[] | (.tags // [])[] | select(startswith("run:"))] | sort | last // ""' <<< "$snapshots")
  else
    run=$(jq -r --arg s "$snapshot" '[.[] | select(.id | startswith($s)) | (.tags // [])[] | select(startswith("run:"))] | first // ""' <<< "$snapshots")
  fi
  [ -n "$run" ] || die "job $job has no such snapshot"
  echo "restoring run \${run#run:} of job $job"
  local id
  id=$(jq -r --arg run "$run" '[.[] | select((.tags // []) | index("files")) | select((.tags // []) | index($run))][0].id // ""' <<< "$snapshots")
  if [ -n "$id" ]; then
    if [ "$target" = - ]; then
      restic_ restore --quiet "$id" --target /
    else
      mkdir -p "$target"
      restic_ restore --quiet "$id" --target "$target"
    fi
    echo "restored files \${id:0:8}"
  fi
  local n i db kind label tag
  n=$(jq '.databases | length' "$file")
  for ((i = 0; i < n; i++)); do
    db=$(jq -c ".databases[$i]" "$file")
    kind=$(jq -r .type <<< "$db")
    label=$(jq -r .label <<< "$db")
    tag="db:$kind:$label"
    id=$(jq -r --arg run "$run" --arg tag "$tag" '[.[] | select((.tags // []) | index($tag)) | select((.tags // []) | index($run))][0].id // ""' <<< "$snapshots")
    [ -n "$id" ] || { echo "no dump of $kind $label in this run" >&2; continue; }
    if [ "$target" = - ]; then
      restic_ dump --quiet "$id" "/$(jq -r .file <<< "$db")" | restore_database "$db"
      echo "restored $kind $label \${id:0:8} into the database"
    else
      mkdir -p "$target"
      restic_ dump --quiet "$id" "/$(jq -r .file <<< "$db")" > "$target/$(jq -r .file <<< "$db")"
      echo "restored $kind $label \${id:0:8} to $target/$(jq -r .file <<< "$db")"
    fi
  done
}

[ $# -ge 1 ] || usage "usage: roost-backup run|check|list|start|restore …"
action=$1
shift
case $action in
  run) [ $# -eq 1 ] || usage "usage: run JOB"; run_job "$1" ;;
  check) [ $# -eq 1 ] || usage "usage: check REPOSITORY"; check_repository "$1" ;;
  list) [ $# -eq 1 ] || usage "usage: list JOB|-"; list_snapshots "$1" ;;
  start) [ $# -eq 1 ] || usage "usage: start JOB|-"; start_jobs "$1" ;;
  restore) [ $# -eq 3 ] || usage "usage: restore JOB SNAPSHOT|- TARGET|-"; restore_job "$1" "$2" "$3" ;;
  *) usage "unknown action $action" ;;
esac
`;
