# Roost: the host's restic backups, for `roost backup`.
#   backup list|run|restore JOB|- SNAPSHOT|- TARGET|-
# JOB a backup job's name; SNAPSHOT a snapshot id (8 to 64 hex digits); TARGET an absolute path,
# percent-encoded. The controller checks each first, and so does this script; the work is done by
# the runner the backup module ships in the host's generation, which checks them once more.
usage() {
  echo "roost-host backup: $*" >&2
  exit 2
}
[ $# -eq 4 ] || usage "usage: backup list|run|restore JOB|- SNAPSHOT|- TARGET|-"
action=$1 job=$2 snapshot=$3 target=$4
[ "$job" = - ] || [[ $job =~ ^[a-z0-9][a-z0-9_-]{0,47}$ ]] || usage "not a job name"
[ "$snapshot" = - ] || [[ $snapshot =~ ^[0-9a-f]{8,64}$ ]] || usage "not a snapshot id"
if [ "$target" != - ]; then
  valid path "$target" || usage "TARGET is not an absolute path"
  target=$FIELD
fi
readonly RUNNER=/etc/roost/backup/roost-backup
[ -x "$RUNNER" ] || die "this host has no backups (services.backup is not enabled)"
case $action in
  list)
    [ "$snapshot" = - ] && [ "$target" = - ] || usage "list takes a job only"
    exec "$RUNNER" list "$job"
    ;;
  run)
    [ "$snapshot" = - ] && [ "$target" = - ] || usage "run takes a job only"
    exec "$RUNNER" start "$job"
    ;;
  restore)
    [ "$job" != - ] || usage "restore needs a job"
    exec "$RUNNER" restore "$job" "$snapshot" "$target"
    ;;
  *) usage "unknown action" ;;
esac
