# Roost: receive a generation (unless MODE is "switch-only") and switch to it.
#   receive ID CONFIRM_SECONDS MODE < tar of store/<hash>… and generation/…
# Objects are checked against their names before they enter the store, under a pin that keeps
# another deploy's collection away from them until the generation that uses them is in place. The
# activation runs as its own systemd unit, so a dropped connection never interrupts it; its log
# streams back here.
# Prints "timing unpack MS" and "timing launch MS" (host clock) for `roost deploy --timings`.
started_at=${EPOCHREALTIME/./}
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
objects=("$incoming"/store/*)
for f in "${objects[@]}"; do
  valid hash "${f##*/}" && [ -f "$f" ] && [ ! -L "$f" ] || die "the upload holds something that is not a store object"
done
if [ ${#objects[@]} -gt 0 ]; then
  # One sha256sum for every object (names are hashes: each line is "<hash>  <path>").
  declare -A actual=()
  while IFS= read -r line; do actual[${line#*  }]=${line%% *}; done < <(cd "$incoming/store" && sha256sum -- *)
  for f in "${objects[@]}"; do
    h=${f##*/}
    [ "${actual[$h]:-}" = "$h" ] || die "object $h arrived corrupted"
  done
  chmod 0600 -- "${objects[@]}"
  for f in "${objects[@]}"; do mv -Tf -- "$f" "$STORE/${f##*/}"; done
fi
if [ ! -d "$GENERATIONS/$id" ]; then
  [ -f "$incoming/generation/activate" ] && [ -z "$(find "$incoming/generation" -type l -print -quit)" ] || die "the upload's generation is not complete"
  chmod 755 "$incoming/generation/activate"
  mv -T -- "$incoming/generation" "$GENERATIONS/$id"
fi
rm -rf -- "$incoming" "$pin"

now=${EPOCHREALTIME/./}
say "timing unpack $(((now - started_at) / 1000))"
started_at=$now

log=$LOGS/$id.log
rc=$LOGS/$id.rc
rm -f "$rc"
: > "$log"
unit=roost-activate-${id:0:12}
activate() {
  systemd-run --quiet --unit="$unit" --collect --service-type=exec \
    /bin/bash -c 'bash "$1" --confirm-timeout "$2" >>"$3" 2>&1; echo $? > "$4.tmp"; mv -f "$4.tmp" "$4"' roost-activate \
    "$GENERATIONS/$id/activate" "$confirm" "$log" "$rc"
}
# A failed unit of an earlier try with this name is cleared only when it is in the way.
activate 2>/dev/null || { systemctl reset-failed "$unit" >/dev/null 2>&1 || true; activate; }
now=${EPOCHREALTIME/./}
say "timing launch $(((now - started_at) / 1000))"
# Stream the log as it grows, with builtins only (read -t on a private FIFO is the pause); the exit
# code file appears after the last line is written.
fifo=$(mktemp -u "$LOGS/.pause.XXXXXX")
mkfifo -m 0600 "$fifo"
exec 7<>"$fifo" 6<"$log"
rm -f "$fifo"
partial=""
polls=0
drain() {
  local line
  while IFS= read -r -u 6 line; do printf '%s\n' "$partial$line"; partial=""; done
  partial+=$line
}
while :; do
  finished=0
  if [ -f "$rc" ]; then finished=1; fi
  drain
  if [ $finished = 1 ]; then break; fi
  # Asking systemd costs a process: about once a second is enough to notice a unit that died.
  if [ $((++polls % 100)) = 0 ] && ! systemctl is-active --quiet "$unit" && [ ! -f "$rc" ]; then
    read -r -t 0.5 -u 7 _ || true
    [ -f "$rc" ] || die "the activation unit $unit ended without a result"
  fi
  read -r -t 0.01 -u 7 _ || true
done
if [ -n "$partial" ]; then printf '%s\n' "$partial"; fi
read -r code < "$rc" || code=1
valid uint "$code" || code=1
exit "$code"
