# Roost: print store objects, one per line: "<hash> <base64 content>" ("<hash> -" when absent).
#   objects HASH…
for h in "$@"; do
  valid hash "$h" || die "not an object hash"
  if [ -f "$STORE/$h" ]; then printf '%s %s\n' "$h" "$(base64 -w0 < "$STORE/$h")"; else printf '%s -\n' "$h"; fi
done
