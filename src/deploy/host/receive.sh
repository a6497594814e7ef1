# Roost: receive a generation (unless MODE is "switch-only") and switch to it.
#   receive.sh ID CONFIRM_SECONDS MODE < tar of store/<hash>… and generation/…
# Objects are checked against their names before they enter the store. The activation runs as its
# own systemd unit, so a dropped connection never interrupts it; its log streams back here.
set -eu
id=$1
confirm=$2
mode=$3
R=/var/lib/roost
incoming=$R/incoming/$id.$$
rm -rf "$R"/incoming/*
mkdir -p "$incoming"
if [ "$mode" != switch-only ]; then tar -x -C "$incoming"; fi
[ -d "$R/generations/$id" ] || [ -d "$incoming/generation" ] || { echo "error generation $id is not on this host"; exit 1; }
if [ -d "$incoming/store" ]; then
  for f in "$incoming"/store/*; do
    h=${f##*/}
    [ "$(sha256sum < "$f" | cut -c1-64)" = "$h" ] || { echo "error object $h arrived corrupted"; exit 1; }
    mv -f "$f" "$R/store/$h"
  done
fi
if [ ! -d "$R/generations/$id" ]; then
  chmod 755 "$incoming/generation/activate"
  mv "$incoming/generation" "$R/generations/$id"
fi
rm -rf "$incoming"
log=$R/log/$id.log
rc=$R/log/$id.rc
rm -f "$rc"
: > "$log"
unit=roost-activate-$(printf '%s' "$id" | cut -c1-12)
systemctl reset-failed "$unit" >/dev/null 2>&1 || true
systemd-run --quiet --unit="$unit" --collect --service-type=exec \
  /bin/bash -c 'bash "$1" --confirm-timeout "$2" >>"$3" 2>&1; echo $? > "$4.tmp"; mv -f "$4.tmp" "$4"' roost-activate \
  "$R/generations/$id/activate" "$confirm" "$log" "$rc"
# Stream the log as it grows; the exit code file appears after the last line is written.
sent=0
while :; do
  done=0
  [ -f "$rc" ] && done=1
  size=$(stat -c %s "$log")
  if [ "$size" -gt "$sent" ]; then
    tail -c +$((sent + 1)) "$log" | head -c $((size - sent))
    sent=$size
  fi
  [ $done = 1 ] && break
  if ! systemctl is-active --quiet "$unit" && [ ! -f "$rc" ]; then
    sleep 0.5
    [ -f "$rc" ] || { echo "error the activation unit $unit ended without a result"; exit 1; }
  fi
  sleep 0.1
done
exit "$(cat "$rc")"
