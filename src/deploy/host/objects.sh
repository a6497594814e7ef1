# Roost: print store objects, one per line: "<hash> <base64 content>" ("<hash> -" when absent).
R=/var/lib/roost
for h in "$@"; do
  if [ -f "$R/store/$h" ]; then printf '%s %s\n' "$h" "$(base64 -w0 < "$R/store/$h")"; else printf '%s -\n' "$h"; fi
done
