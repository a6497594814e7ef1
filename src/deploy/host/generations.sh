# Roost: list the generations on this host: id, first activation, current, size in bytes.
#   generations
[ $# -eq 0 ] || die "usage: generations"
current=$(readlink "$CURRENT" 2>/dev/null || true)
current=${current##*/}
object_bytes() { # the store objects a generation's files use, in bytes
  local h total=0 size
  while IFS= read -r h; do
    if valid hash "$h" && [ -f "$STORE/$h" ]; then size=$(stat -c %s "$STORE/$h"); total=$((total + size)); fi
  done < <(cut -f2 "$1/files.tsv" 2>/dev/null | sort -u || true)
  echo "$total"
}
for g in "$GENERATIONS"/*; do
  [ -d "$g" ] || continue
  id=${g##*/}
  valid id "$id" || continue
  activated=-
  if [ -f "$g/activated" ]; then read -r activated < "$g/activated" || activated=-; fi
  [[ $activated =~ ^[0-9T:Z-]+$ ]] || activated=-
  printf '%s\t%s\t%s\t%s\n' "$id" "$activated" "$([ "$id" = "$current" ] && echo 1 || echo 0)" "$(object_bytes "$g")"
done
