# Roost's current generation and its drift (managed files edited or deleted on the host since the
# deploy), for status and report; both run on every deploy, so neither forks more than it must.

# The current generation's id into CURRENT_ID ("" when there is none): cd resolves the link
# without a fork; a link to a generation that is gone is read as it is.
current_generation() {
  local here=$PWD
  CURRENT_ID=""
  if cd -P -- "$CURRENT" 2>/dev/null; then
    CURRENT_ID=${PWD##*/}
    cd -- "$here"
  elif [ -L "$CURRENT" ]; then
    CURRENT_ID=$(readlink "$CURRENT")
    CURRENT_ID=${CURRENT_ID##*/}
  fi
  valid id "$CURRENT_ID" || CURRENT_ID=""
}

#   report_drift FILES_TSV prints "drift changed|missing <path>" per file (protocol.ts), and counts
# them in DRIFTED; it reads only the two fields it needs of each row, each validated.
report_drift() {
  local tsv=$1 line h p
  local -A want=() seen=()
  DRIFTED=0
  # A row whose path or hash this version cannot read (a generation written by another) is left out.
  while IFS=$'\t' read -r p h _; do
    valid hash "$h" && valid path "$p" || continue
    want[$FIELD]=$h
  done < "$tsv"
  [ ${#want[@]} -gt 0 ] || return 0
  # One sha256sum over every managed file (paths hold no newline or backslash: sha256sum prints
  # them as they are); through xargs only when the paths would not fit one command line.
  local all="${!want[*]}"
  local -a sums=()
  if [ ${#all} -lt 65536 ]; then
    mapfile -t sums < <(sha256sum -- "${!want[@]}" 2>/dev/null || true)
  else
    mapfile -t sums < <(printf '%s\0' "${!want[@]}" | xargs -0 -r sha256sum -- 2>/dev/null || true)
  fi
  for line in "${sums[@]}"; do
    h=${line%% *}
    p=${line#*  }
    seen[$p]=1
    if [ "${want[$p]:-}" != "$h" ]; then say "drift changed $p"; DRIFTED=$((DRIFTED + 1)); fi
  done
  for p in "${!want[@]}"; do
    if [ -z "${seen[$p]:-}" ]; then say "drift missing $p"; DRIFTED=$((DRIFTED + 1)); fi
  done
}
