# Roost: list the generations on this host: id, first activation, current, size in bytes.
set -eu
R=/var/lib/roost
current=$(readlink "$R/current" 2>/dev/null || true)
current=${current##*/}
for g in "$R"/generations/*; do
  [ -d "$g" ] || continue
  id=${g##*/}
  activated=$(cat "$g/activated" 2>/dev/null || echo -)
  size=$(cut -f2 "$g/files.tsv" | sort -u | sed "s#^#$R/store/#" | xargs -r du -cb 2>/dev/null | tail -n1 | cut -f1)
  printf '%s\t%s\t%s\t%s\n' "$id" "$activated" "$([ "$id" = "$current" ] && echo 1 || echo 0)" "${size:-0}"
done
