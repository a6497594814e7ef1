# Roost: take the host's deploy lock and report its state, then hold the lock while the controller
# sends a heartbeat line every few seconds: when stdin closes, or stays silent for 20 s (the
# controller died or the network went), the lock is released.
#   status HOLDER WITH_MANIFEST < needed object hashes, one per line, [want <id>], then "."
# Prints: "alive" at once (the controller's sign that the host answers), then "locked <holder>" and exits when another deploy holds the lock; otherwise "stale
# <holder>" (a holder that died), "current <id|->", "pending <new> <old>", "missing <hash>"…,
# "drift changed|missing <path>"…, "manifest <base64>" and "ready" (parsed by protocol.ts). A host
# already on the generation it is asked to want, with nothing missing, pending or drifted, has
# nothing to be locked for: it says "released" before "ready", and lets the lock go at once.
[ $# -eq 2 ] || die "usage: status HOLDER WITH_MANIFEST"
say alive
holder=${1//[[:cntrl:]]/?}
with_manifest=$2
valid bit "$with_manifest" || die "WITH_MANIFEST is 0 or 1"
[ ${#holder} -le 300 ] || die "the lock holder's description is too long"
for d in "$STORE" "$GENERATIONS" "$INCOMING" "$LOGS" "$PINS"; do [ -d "$d" ] || mkdir -p "$d"; done
exec 9>>"$LOCK"
if ! flock -n 9; then
  held=""
  IFS= read -r held 2>/dev/null < "$LOCK_INFO" || true
  say "locked ${held:-a deploy still reading the state of this host}"
  exit 0
fi
if [ -s "$LOCK_INFO" ]; then IFS= read -r stale < "$LOCK_INFO" || true; say "stale $stale"; fi
# The holder is written only for a lock kept past "ready" or through a wait for a switch: a settled
# host writes nothing (on ext4, emptying a file just written starts a flush of it).
claim() { printf '%s\n' "$holder" > "$LOCK_INFO"; }
# A switch still running (its controller gone) finishes before anything is reported.
exec 8>"$SWITCH_LOCK"
if ! flock -n 8; then
  claim
  flock -w 900 8 || { say "locked a switch that has run for 15 minutes"; exit 0; }
fi
exec 8>&-

current_generation
current=$CURRENT_ID
say "current ${current:--}"
pending=0
if [ -f "$PENDING_FILE" ] && read -r next previous < "$PENDING_FILE" && valid id "$next" && valid id "$previous"; then
  say "pending $next $previous"
  pending=1
fi
want=""
settled=1
while IFS= read -r h; do
  [ "$h" != . ] || break
  if [[ $h == "want "* ]]; then
    valid id "${h#want }" || die "not a generation id"
    want=${h#want }
    continue
  fi
  valid hash "$h" || die "not an object hash"
  [ -e "$STORE/$h" ] || { say "missing $h"; settled=0; }
done
[ "$pending" = 0 ] || settled=0

if [ -n "$current" ] && [ -f "$GENERATIONS/$current/files.tsv" ]; then
  report_drift "$GENERATIONS/$current/files.tsv"
  [ "$DRIFTED" = 0 ] || settled=0
  if [ "$with_manifest" = 1 ]; then say "manifest $(base64 -w0 < "$GENERATIONS/$current/manifest.json")"; fi
fi
if [ "$settled" = 1 ] && [ -n "$want" ] && [ "$want" = "$current" ]; then
  if [ -s "$LOCK_INFO" ]; then : > "$LOCK_INFO"; fi
  exec 9>&-
  say released
  say ready
  exit 0
fi
claim
say ready
# A controller that finishes says "done" (lock.info is emptied); one that dies or goes silent leaves its holder there,
# and the next deploy reports it as a stale lock.
while IFS= read -r -t 20 line; do
  if [ "$line" = done ]; then : > "$LOCK_INFO"; break; fi
done
exit 0
