# Roost: take the host's deploy lock and report its state, then hold the lock while the controller
# sends a heartbeat line every few seconds: when stdin closes, or stays silent for 20 s (the
# controller died or the network went), the lock is released.
#   status.sh HOLDER WITH_MANIFEST < needed object hashes, one per line, then "."
# Prints: "locked <holder>" and exits when another deploy holds the lock; otherwise "stale
# <holder>" (a holder that died), "current <id|->", "pending <new> <old>", "activating",
# "missing <hash>"…, "drift changed|missing <path>"…, "manifest <base64>" and "ready".
set -u
holder=$1
with_manifest=$2
R=/var/lib/roost
mkdir -p "$R/store" "$R/generations" "$R/incoming" "$R/log"
exec 9>>"$R/lock"
if ! flock -n 9; then
  echo "locked $(cat "$R/lock.info" 2>/dev/null || echo "an unknown holder")"
  exit 0
fi
if [ -s "$R/lock.info" ]; then echo "stale $(cat "$R/lock.info")"; fi
printf '%s\n' "$holder" > "$R/lock.info"
# A switch still running (its controller gone) finishes before anything is reported.
exec 8>"$R/switch.lock"
flock -w 900 8 || { echo "locked a switch that has run for 15 minutes"; exit 0; }
flock -u 8
current=$(readlink "$R/current" 2>/dev/null || true)
current=${current##*/}
echo "current ${current:--}"
if [ -f "$R/pending" ]; then echo "pending $(cat "$R/pending")"; fi
while read -r h; do
  [ "$h" = . ] && break
  [ -e "$R/store/$h" ] || echo "missing $h"
done
if [ -n "$current" ] && [ -f "$R/generations/$current/files.tsv" ]; then
  # One sha256sum over every managed file; awk compares with the manifest.
  cut -f1 "$R/generations/$current/files.tsv" | xargs -r -d '\n' sha256sum -- 2>/dev/null |
    awk -v tsv="$R/generations/$current/files.tsv" '
      BEGIN { FS = "\t"; while ((getline line < tsv) > 0) { split(line, f, "\t"); want[f[1]] = f[2] } FS = " " }
      { h = $1; sub(/^[^ ]+  /, ""); seen[$0] = 1; if (want[$0] != h) print "drift changed " $0 }
      END { for (p in want) if (!(p in seen)) print "drift missing " p }'

  if [ "$with_manifest" = 1 ]; then echo "manifest $(base64 -w0 < "$R/generations/$current/manifest.json")"; fi
fi
echo ready
# A controller that finishes says "done"; one that dies or goes silent leaves lock.info behind,
# and the next deploy reports it as a stale lock.
while IFS= read -r -t 20 line; do
  if [ "$line" = done ]; then rm -f "$R/lock.info"; break; fi
done
