# Roost: confirm a switch from a new connection, then collect old generations.
#   confirm.sh ID KEEP
# Exits 3 when the host is not on ID any more (the confirmation came too late).
set -eu
id=$1
keep=$2
R=/var/lib/roost
exec 8>"$R/switch.lock"
flock -w 900 8
current=$(readlink "$R/current" 2>/dev/null || true)
current=${current##*/}
if [ "$current" != "$id" ]; then
  echo "not-current ${current:--}"
  exit 3
fi
rm -f "$R/pending"
systemctl stop 'roost-rollback-*.timer' >/dev/null 2>&1 || true
echo confirmed
# Keep the current generation and the KEEP-1 newest others that were ever activated.
kept=$(for g in "$R"/generations/*; do [ -f "$g/activated" ] && [ "${g##*/}" != "$id" ] && echo "$(cat "$g/activated") ${g##*/}"; done | sort -r | head -n $((keep - 1)) | cut -d' ' -f2)
for g in "$R"/generations/*; do
  name=${g##*/}
  [ "$name" = "$id" ] && continue
  case " $(echo $kept) " in *" $name "*) continue ;; esac
  rm -rf "$g" "$R/log/$name.log" "$R/log/$name.rc"
  echo "collected $name"
done
cat "$R"/generations/*/files.tsv 2>/dev/null | cut -f2 | sort -u > "$R/incoming/referenced"
ls "$R/store" | sort > "$R/incoming/stored"
comm -23 "$R/incoming/stored" "$R/incoming/referenced" | while read -r h; do rm -f "$R/store/$h"; done
rm -f "$R/incoming/referenced" "$R/incoming/stored"
