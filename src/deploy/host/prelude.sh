# Roost host prelude: prepended to every host script, after the layout variables (protocol.ts).
# Everything a script reads from the controller or a generation goes through `row` or `valid`
# before use: data is never spliced into code, arithmetic or eval unchecked.
set -euo pipefail
shopt -s nullglob
export LC_ALL=C

# Every line the controller reads is one line: control characters in a message become "?".
say() {
  local text="$*"
  printf '%s\n' "${text//[[:cntrl:]]/?}"
}
die() {
  say "error $*"
  exit 1
}

# Field types of host data. Free text and paths are percent-encoded by the controller (host-data.ts):
# "%", "\" and control characters as %XX. `valid TYPE VALUE` decodes into FIELD, or fails.
readonly RE_ENCODED='^([^%\[:cntrl:]]|%[0-9A-F]{2})*$'
readonly RE_NAME='^[a-z_][a-z0-9_-]{0,30}[$]?$'
readonly RE_UNIT='^[A-Za-z0-9:_.\@-]+$'
readonly RE_PATH='^/[^[:cntrl:]\]*$'
readonly RE_URL='^https?://[^[:space:][:cntrl:]'\''"\`$]+$'
readonly RE_NAMES='^[a-z_][a-z0-9_-]{0,30}[$]?(,[a-z_][a-z0-9_-]{0,30}[$]?)*$'
readonly RE_UNITS='^[A-Za-z0-9:_.\@-]+(,[A-Za-z0-9:_.\@-]+)*$'
readonly RE_CHECK='^[A-Za-z0-9][A-Za-z0-9_.@:-]*$'
readonly RE_SECRET='^[A-Za-z0-9][A-Za-z0-9_.@-]*$'
readonly RE_ENV='^[A-Za-z_][A-Za-z0-9_]*$'
readonly RE_UINT='^(0|[1-9][0-9]{0,9})$'
readonly RE_ARGV='^/([^% [:cntrl:]]|%[0-9A-F]{2})*( ([^% [:cntrl:]]|%[0-9A-F]{2})+)*$'
# The words of an argv field (host-data.ts `argv`) into ARGV, each decoded.
decode_argv() {
  local word
  local -a words
  ARGV=()
  read -r -a words <<< "$1"
  for word in "${words[@]}"; do
    decode "$word" || return 1
    ARGV+=("$FIELD")
  done
}
decode() {
  [[ $1 =~ $RE_ENCODED ]] && [[ $1 != *%00* ]] || return 1
  printf -v FIELD '%b' "${1//%/\\x}"
}
valid() { # type value → FIELD
  FIELD=$2
  case $1 in
    uint) [[ $2 =~ $RE_UINT ]] ;;
    'uint?') [ "$2" = - ] || [[ $2 =~ $RE_UINT ]] ;;
    port) [[ $2 =~ $RE_UINT ]] && [ "$2" -le 65535 ] ;;
    status) [[ $2 =~ ^[1-5][0-9][0-9]$ ]] ;;
    bit) [[ $2 =~ ^[01]$ ]] ;;
    hash) [[ $2 =~ ^[0-9a-f]{64}$ ]] ;;
    'hash?') [ "$2" = - ] || [[ $2 =~ ^[0-9a-f]{64}$ ]] ;;
    id) [[ $2 =~ ^[0-9a-f]{32}$ ]] ;;
    mode) [[ $2 =~ ^[0-7]?[0-7]{3}$ ]] ;;
    name) [[ $2 =~ $RE_NAME ]] ;;
    names) [ "$2" = - ] || [[ $2 =~ $RE_NAMES ]] ;;
    'name?') [ "$2" = - ] || [[ $2 =~ $RE_NAME ]] ;;
    argv) [[ $2 =~ $RE_ARGV ]] ;;
    unit) [[ $2 =~ $RE_UNIT ]] ;;
    units) [ "$2" = - ] || [[ $2 =~ $RE_UNITS ]] ;;
    pkg) [[ $2 =~ ^[a-z0-9][a-z0-9+.-]+$ ]] ;;
    check) [[ $2 =~ $RE_CHECK ]] ;;
    secret) [[ $2 =~ $RE_SECRET ]] ;;
    env) [[ $2 =~ $RE_ENV ]] ;;
    host) [[ $2 =~ ^[A-Za-z0-9.:-]+$ ]] ;;
    kind) [[ $2 =~ ^(raw|env|template)$ ]] ;;
    text) decode "$2" ;;
    path) decode "$2" && [[ $FIELD =~ $RE_PATH ]] && [[ "$FIELD/" != */../* ]] ;;
    url) decode "$2" && [[ $FIELD =~ $RE_URL ]] ;;
    =*) [ "$2" = "${1#=}" ] ;;
    *) return 1 ;;
  esac
}

# The columns of each kind of row, by field type. A row with another number of fields, or a field
# that is not of its type, stops the script before anything reads it.
declare -A ROW_TYPES=(
  [files]="path hash mode name name"
  [units]="unit hash hash? bit units"
  [groups]="name uint? bit"
  [users]="name uint? name names path bit path bit text bit bit"
  [health-unit]="check =unit uint unit"
  [health-tcp]="check =tcp uint host port"
  [health-http]="check =http uint url status text"
  [health-command]="check =command uint uint name? argv"
  [secrets]="secret path mode name name kind"
  [secret-env]="env secret"
  [downloads]="hash url"
)
# Split a tab-separated line of the given kind into ROW (decoded, validated), or die (with
# ROW_SOFT=1: return 1, for reports that skip what they cannot read).
row_fail() {
  if [ "${ROW_SOFT:-0}" = 1 ]; then return 1; fi
  die "$@"
}
row() { # kind line
  local kind=$1 line=$2 i
  local -a raw=() types
  while [[ $line == *$'\t'* ]]; do raw+=("${line%%$'\t'*}"); line=${line#*$'\t'}; done
  raw+=("$line")
  if [ "$kind" = health ]; then
    [[ ${raw[1]:-} =~ ^(unit|tcp|http|command)$ ]] || { row_fail "host data: a health check of an unknown type"; return 1; }
    kind=health-${raw[1]}
  fi
  read -r -a types <<< "${ROW_TYPES[$kind]}"
  [ ${#raw[@]} -eq ${#types[@]} ] || { row_fail "host data: a $kind row has ${#raw[@]} fields, not ${#types[@]}"; return 1; }
  ROW=()
  for i in "${!types[@]}"; do
    valid "${types[$i]}" "${raw[$i]}" || { row_fail "host data: field $((i + 1)) of a $kind row is not a valid ${types[$i]}"; return 1; }
    ROW+=("$FIELD")
  done
}

# The lines of a generation's data file (nothing when it does not exist).
rows() { if [ -n "$1" ] && [ -f "$1" ]; then cat -- "$1"; fi; }

# The directory of a file Roost writes, created if missing; no component may be a symlink (a
# user who owns ~/.ssh must not be able to point Roost's root writes elsewhere).
check_dir() {
  local dir=$1 part="" c
  local IFS=/
  for c in ${dir#/}; do
    part="$part/$c"
    if [ -L "$part" ]; then die "refusing to write under $dir: $part is a symbolic link"; fi
    if [ -e "$part" ] && [ ! -d "$part" ]; then die "refusing to write under $dir: $part is not a directory"; fi
  done
}
safe_dir() {
  check_dir "$1"
  mkdir -p -- "$1"
}
# A file Roost writes must be a file: renaming onto a directory or a symlink would put it elsewhere.
check_target() {
  check_dir "${1%/*}"
  if [ -L "$1" ]; then die "refusing to write $1: it is a symbolic link"; fi
  if [ -d "$1" ]; then die "refusing to write $1: it is a directory"; fi
}

# Stop the confirmation's rollback timers; asking systemd only when one exists (transient units
# live in /run/systemd/transient).
stop_rollback_timers() {
  local timers=(/run/systemd/transient/roost-rollback-*.timer)
  if [ ${#timers[@]} -gt 0 ]; then systemctl stop 'roost-rollback-*.timer' >/dev/null 2>&1 || true; fi
}

# Stage a file beside its target (mktemp: a new file, never through a link), then rename it over.
stage() { # target source owner group mode
  local dir=${1%/*} tmp
  dir=${dir:-/}
  check_target "$1"
  safe_dir "$dir"
  tmp=$(mktemp "$dir/.roost-new.XXXXXX")
  cat -- "$2" > "$tmp"
  chown -h -- "$3:$4" "$tmp"
  chmod -- "$5" "$tmp"
  mv -Tf -- "$tmp" "$1"
}
