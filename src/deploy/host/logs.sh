# Roost: the host's journal, for `roost logs`.
#   logs UNIT|- SINCE|- LINES|- FOLLOW OUTPUT [FLEET]
# UNIT a unit name; SINCE "-<n><s|min|m|h|d|w>" or "YYYY-MM-DD[ HH:MM[:SS]]"; LINES a number;
# FOLLOW 0|1; OUTPUT a journalctl output mode (RE_OUTPUT, from protocol.ts). The controller checks
# each first, and so does this script. A follow ends when the controller closes stdin (it stopped,
# or its connection went). FLEET (on the monitoring server): "-" this host's own journal, "*" the
# journals every host shipped here, or one host's name: the directory its authenticated uploads go to.
usage() {
  echo "roost-host logs: $*" >&2
  exit 2
}
[ $# -eq 5 ] || [ $# -eq 6 ] || usage "usage: logs UNIT|- SINCE|- LINES|- FOLLOW OUTPUT [FLEET]"
unit=$1 since=$2 lines=$3 follow=$4 output=$5 fleet=${6:--}
args=(--no-pager)
remote=/var/log/journal/remote
if [ "$fleet" = "*" ]; then
  compgen -G "$remote/*/*.journal" > /dev/null || usage "no host's journal has arrived in $remote (is this the monitoring server?)"
  args+=("--file=$remote/*/*.journal")
elif [ "$fleet" != - ]; then
  [[ $fleet =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || usage "FLEET is not a host name"
  compgen -G "$remote/$fleet/*.journal" > /dev/null || usage "no journal of $fleet has arrived in $remote/$fleet"
  args+=("--file=$remote/$fleet/*.journal")
fi
if [ "$unit" != - ]; then
  valid unit "$unit" && [[ $unit == [A-Za-z0-9]* ]] || usage "not a unit name"
  args+=("--unit=$unit")
fi
if [ "$since" != - ]; then
  [[ $since =~ ^(-[1-9][0-9]{0,8}(s|min|m|h|d|w)|[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?)$ ]] || usage "SINCE is not a duration or a time"
  args+=("--since=$since")
fi
if [ "$lines" != - ]; then
  valid uint "$lines" || usage "LINES is not a number"
  args+=("--lines=$lines")
fi
valid bit "$follow" || usage "FOLLOW is 0 or 1"
[[ $output =~ $RE_OUTPUT ]] || usage "not an output mode"
args+=("--output=$output")
if [ "$follow" = 0 ]; then exec journalctl "${args[@]}"; fi

exec 3<&0
journalctl "${args[@]}" --follow < /dev/null &
journal=$!
{ cat <&3 > /dev/null; kill "$journal" 2>/dev/null; } &
watcher=$!
exec 3<&-
wait "$journal" || true
kill "$watcher" 2>/dev/null || true
exit 0
