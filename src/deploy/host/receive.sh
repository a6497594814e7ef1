# Roost: receive a generation (unless MODE is "switch-only") and switch to it.
#   receive ID CONFIRM_SECONDS MODE < tar of store/<hash>… and generation/…
# Objects are checked against their names before they enter the store, under a pin that keeps
# another deploy's collection away from them until the generation that uses them is in place. The
# activation runs as its own systemd unit, so a dropped connection never interrupts it; its log
# streams back here.
[ $# -eq 3 ] || die "usage: receive ID CONFIRM_SECONDS MODE"
id=$1
confirm=$2
mode=$3
valid id "$id" || die "not a generation id"
valid uint "$confirm" || die "CONFIRM_SECONDS is a number"
[[ $mode =~ ^(upload|switch-only)$ ]] || die "MODE is upload or switch-only"
mkdir -p "$STORE" "$GENERATIONS" "$INCOMING" "$LOGS" "$PINS"
# What receives whose process is gone left behind.
for d in "$INCOMING"/* "$PINS"/*; do
  pid=${d##*[./]}
  if ! [[ $pid =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then rm -rf -- "$d"; fi
done
pin=$PINS/$$
incoming=$INCOMING/$id.$$
trap 'rm -rf -- "$incoming" "$pin"' EXIT
printf '%s\n' "$id" > "$pin"
mkdir -p "$incoming"
if [ "$mode" != switch-only ]; then tar -x --no-same-owner --no-same-permissions -C "$incoming"; fi
[ -d "$GENERATIONS/$id" ] || [ -d "$incoming/generation" ] || die "generation $id is not on this host"
for f in "$incoming"/store/*; do
  h=${f##*/}
  valid hash "$h" && [ -f "$f" ] && [ ! -L "$f" ] || die "the upload holds something that is not a store object"
  [ "$(sha256sum < "$f" | cut -c1-64)" = "$h" ] || die "object $h arrived corrupted"
  chmod 0600 "$f"
  mv -Tf -- "$f" "$STORE/$h"
done
if [ ! -d "$GENERATIONS/$id" ]; then
  [ -f "$incoming/generation/activate" ] && [ -z "$(find "$incoming/generation" -type l -print -quit)" ] || die "the upload's generation is not complete"
  chmod 755 "$incoming/generation/activate"
  mv -T -- "$incoming/generation" "$GENERATIONS/$id"
fi
rm -rf -- "$incoming" "$pin"

log=$LOGS/$id.log
rc=$LOGS/$id.rc
rm -f "$rc"
: > "$log"
unit=roost-activate-${id:0:12}
systemctl reset-failed "$unit" >/dev/null 2>&1 || true
systemd-run --quiet --unit="$unit" --collect --service-type=exec \
  /bin/bash -c 'bash "$1" --confirm-timeout "$2" >>"$3" 2>&1; echo $? > "$4.tmp"; mv -f "$4.tmp" "$4"' roost-activate \
  "$GENERATIONS/$id/activate" "$confirm" "$log" "$rc"
# Stream the log as it grows; the exit code file appears after the last line is written.
sent=0
while :; do
  finished=0
  if [ -f "$rc" ]; then finished=1; fi
  size=$(stat -c %s "$log")
  if [ "$size" -gt "$sent" ]; then
    tail -c +$((sent + 1)) "$log" | head -c $((size - sent)) || true
    sent=$size
  fi
  if [ $finished = 1 ]; then break; fi
  if ! systemctl is-active --quiet "$unit" && [ ! -f "$rc" ]; then
    sleep 0.5
    [ -f "$rc" ] || die "the activation unit $unit ended without a result"
  fi
  sleep 0.1
done
read -r code < "$rc" || code=1
valid uint "$code" || code=1
exit "$code"
