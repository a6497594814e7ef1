# Roost drift: managed files edited or deleted on the host since the deploy, for status and report.
#   report_drift FILES_TSV prints "drift changed|missing <path>" per file (protocol.ts).
report_drift() {
  local tsv=$1 line h p
  local -A want=() seen=()
  # A row this version cannot read (a generation written by another) is left out of the report.
  while IFS= read -r line; do
    if ROW_SOFT=1 row files "$line"; then want[${ROW[0]}]=${ROW[1]}; fi
  done < "$tsv"
  [ ${#want[@]} -gt 0 ] || return 0
  # One sha256sum over every managed file (paths hold no newline or backslash: sha256sum prints them as they are).
  while IFS= read -r line; do
    h=${line%% *}
    p=${line#*  }
    seen[$p]=1
    if [ "${want[$p]:-}" != "$h" ]; then say "drift changed $p"; fi
  done < <(printf '%s\0' "${!want[@]}" | xargs -0 -r sha256sum -- 2>/dev/null || true)
  for p in "${!want[@]}"; do
    if [ -z "${seen[$p]:-}" ]; then say "drift missing $p"; fi
  done
}
