# Roost: what `roost status` shows, read without taking the deploy lock: the current generation and
# when the host last switched to it, a switch waiting for confirmation, units that are down, each
# health check of the current generation run once, and drift.
#   report
# Prints "current <id|->", "activated <time>", "pending <new> <old>", "down <unit> <state>"…,
# "check ok|failed|skipped <name> [<why>]"… and "drift changed|missing <path>"… (protocol.ts).
[ $# -eq 0 ] || die "usage: report"

current_generation
current=$CURRENT_ID
say "current ${current:--}"
gen=$GENERATIONS/$current
if [ -n "$current" ]; then
  # The last switch to it (a rollback makes an older generation current again), else its first.
  activated=$(awk -v id="$current" '$2 == id { t = $1 } END { print t }' "$HISTORY" 2>/dev/null || true)
  if [ -z "$activated" ] && [ -f "$gen/activated" ]; then read -r activated < "$gen/activated" || true; fi
  if [[ $activated =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z$ ]]; then say "activated $activated"; fi
fi
if [ -f "$PENDING_FILE" ] && read -r next previous < "$PENDING_FILE" && valid id "$next" && valid id "$previous"; then
  say "pending $next $previous"
fi

# Units down: every failed unit of the host, and each unit of the generation that something wants
# but that is not running (a oneshot that ran and finished, or whose condition skipped it, is fine).
declare -A down=()
while read -r -a fields; do
  # UNIT LOAD ACTIVE SUB DESCRIPTION…, after a status mark on some versions
  if [[ ${fields[0]:-} != [A-Za-z0-9]* ]]; then fields=("${fields[@]:1}"); fi
  unit=${fields[0]:-} active=${fields[2]:-failed}
  if valid unit "$unit" && [ -z "${down[$unit]:-}" ]; then down[$unit]=$active; say "down $unit $active"; fi
done < <(systemctl list-units --state=failed --plain --no-legend --no-pager 2>/dev/null || true)
wanted=()
if [ -n "$current" ]; then
  while IFS= read -r line; do
    if ROW_SOFT=1 row units "$line" && [ "${ROW[4]}" != - ] && [[ ${ROW[0]} != *@.* ]]; then wanted+=("${ROW[0]}"); fi
  done < <(rows "$gen/units.tsv")
fi
if [ ${#wanted[@]} -gt 0 ]; then
  unit="" active="" sub="" type="" result="" condition=""
  unit_state() {
    [ -n "$unit" ] && [ -z "${down[$unit]:-}" ] || return 0
    case $active in
      active | reloading) [ "$sub" != auto-restart ] || say "down $unit $active/$sub" ;;
      inactive) [ "$condition" = no ] || { [ "$type" = oneshot ] && [ "$result" = success ]; } || say "down $unit inactive" ;;
      *) say "down $unit ${active:-unknown}${sub:+/$sub}" ;;
    esac
  }
  while IFS= read -r line; do
    case $line in
      Id=*) unit=${line#Id=} ;;
      ActiveState=*) active=${line#*=} ;;
      SubState=*) sub=${line#*=} ;;
      Type=*) type=${line#*=} ;;
      Result=*) result=${line#*=} ;;
      ConditionResult=*) condition=${line#*=} ;;
      "") unit_state; unit="" active="" sub="" type="" result="" condition="" ;;
    esac
  done < <(systemctl show -p Id,ActiveState,SubState,Type,Result,ConditionResult --no-pager -- "${wanted[@]}" 2>/dev/null; echo)
fi

if [ -n "$current" ]; then
  while IFS= read -r line; do
    name=${line%%$'\t'*}
    if ! ROW_SOFT=1 row health "$line"; then
      if valid check "$name"; then say "check skipped $name this version of Roost cannot read it"; fi
      continue
    fi
    name=${ROW[0]} type=${ROW[1]} a=${ROW[3]} b=${ROW[4]:-} c=${ROW[5]:-}
    LAST=""
    if check_once "$type" "$a" "$b" "$c"; then say "check ok $name"; else say "check failed $name $(check_failure "$type" "$a" "$b")"; fi
  done < <(rows "$gen/health.tsv")
  if [ -f "$gen/files.tsv" ]; then report_drift "$gen/files.tsv"; fi
fi
