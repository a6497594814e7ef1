# Roost: confirm a switch from a new connection, then collect old generations and unused objects.
#   confirm ID KEEP [wait]
# Exits 3 when the host is not on ID any more (the confirmation came too late). With "wait", the
# login is made ahead (once the activation has applied every change) and the confirmation waits
# for a "go" line on stdin: a controller that dies or decides otherwise closes stdin instead.
[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: confirm ID KEEP [wait]"
id=$1
keep=$2
valid id "$id" || die "not a generation id"
valid uint "$keep" && [ "$keep" -ge 1 ] || die "KEEP is a number of generations"
if [ $# -eq 3 ]; then
  [ "$3" = wait ] || die "the third argument is wait"
  say waiting
  read -r -t 900 go || go=""
  [ "$go" = go ] || { say "not confirmed: the controller did not say go"; exit 4; }
fi
exec 8>"$SWITCH_LOCK"
flock -w 900 8
current=$(readlink "$CURRENT" 2>/dev/null || true)
current=${current##*/}
if [ "$current" != "$id" ]; then
  valid id "$current" || current=-
  say "not-current $current"
  exit 3
fi
rm -f "$PENDING_FILE"
stop_rollback_timers
say confirmed

# Keep the current generation and the KEEP-1 newest others that were ever activated.
declare -A kept=([$id]=1)
mapfile -t others < <(
  for g in "$GENERATIONS"/*; do
    if [ "${g##*/}" != "$id" ] && [ -f "$g/activated" ] && read -r at < "$g/activated"; then printf '%s %s\n' "${at:0:40}" "${g##*/}"; fi
  done | sort -r
)
for ((i = 0; i < keep - 1 && i < ${#others[@]}; i++)); do kept[${others[$i]##* }]=1; done
for g in "$GENERATIONS"/*; do
  name=${g##*/}
  if [ -n "${kept[$name]:-}" ]; then continue; fi
  rm -rf -- "$g" "$LOGS/$name.log" "$LOGS/$name.rc"
  say "collected $name"
done

# Objects no generation uses go, unless a receive is unpacking some (its pin names its process).
receiving=0
for pin in "$PINS"/*; do
  if kill -0 "${pin##*/}" 2>/dev/null; then receiving=1; else rm -f -- "$pin"; fi
done
if [ $receiving = 1 ]; then
  say "kept the store: a receive is in progress"
  exit 0
fi
declare -A referenced=()
lists=("$GENERATIONS"/*/files.tsv)
if [ ${#lists[@]} -gt 0 ]; then
  while IFS= read -r h; do referenced[$h]=1; done < <(cut -f2 -- "${lists[@]}")
fi
for object in "$STORE"/*; do
  if [ -z "${referenced[${object##*/}]:-}" ]; then rm -f -- "$object"; fi
done
