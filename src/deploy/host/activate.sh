# Roost activation. Shipped in every generation, run on the host as root; needs only Debian's
# essential packages and systemd.
#
#   activate [--from DIR] [--confirm-timeout SECONDS] [--rollback [--if-pending]] | --secrets-only
#
# Switches the host to the generation this script belongs to, from the one in DIR (default: the
# current one): apt sources and packages, groups and users, files (each staged, then renamed into
# place), tmpfiles, systemd units (only changed ones restart), then health checks. Everything it
# reads is validated first, and a switch it must refuse (an account Roost does not own, a file
# target that is a link) changes nothing. On a failure after that it switches back to DIR and exits
# non-zero. Lines starting with "step", "error" and "done" are read by the controller (protocol.ts).
set -E
export DEBIAN_FRONTEND=noninteractive

TARGET=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
TARGET_ID=${TARGET##*/}
FROM=""
CONFIRM=0
ROLLBACK=0
IF_PENDING=0
SECRETS_ONLY=0
# Set once the host starts changing: from then on a failure rolls back.
CHANGING=0
PENDING=0
STEP=load
HOST_KEY=/etc/ssh/ssh_host_ed25519_key

# Each step ends with "timing STEP MILLISECONDS [skipped]" (host clock), for `roost deploy --timings`.
STEP_AT=${EPOCHREALTIME/./}
SKIPPED=""
step() { step_done; STEP=$1; say "step $1"; }
step_done() {
  local now=${EPOCHREALTIME/./}
  say "timing $STEP $(((now - STEP_AT) / 1000))${SKIPPED:+ skipped}"
  STEP_AT=$now SKIPPED=""
}

rollback() {
  trap - ERR
  if [ $ROLLBACK = 0 ] && [ -n "$FROM" ] && [ "$FROM" != "$TARGET" ]; then
    say "rollback to ${FROM##*/}"
    if "$FROM/activate" --from "$TARGET" --rollback; then say "rolled-back ${FROM##*/}"; else say "error the rollback failed too"; fi
  fi
  if [ $PENDING = 1 ] || [ $ROLLBACK = 1 ]; then
    stop_rollback_timers
    rm -f "$PENDING_FILE"
  fi
}
die() {
  say "error $*"
  if [ $CHANGING = 1 ]; then rollback; fi
  exit 1
}
on_error() {
  local rc=$?
  # set -E also fires this in $(…) and <(…): there, only fail; the main shell decides.
  [ "$BASHPID" = "$$" ] || exit 1
  say "error step $STEP failed (exit $rc)"
  if [ $CHANGING = 1 ]; then rollback; fi
  exit 1
}

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --secrets-only) SECRETS_ONLY=1; shift ;;
      --from) [ $# -ge 2 ] || die "--from needs a directory"; FROM=$2; shift 2 ;;
      --confirm-timeout) [ $# -ge 2 ] && valid uint "$2" || die "--confirm-timeout needs a number of seconds"; CONFIRM=$2; shift 2 ;;
      --rollback) ROLLBACK=1; shift ;;
      --if-pending) IF_PENDING=1; shift ;;
      *) die "unknown argument $1" ;;
    esac
  done
}

# One switch at a time: activations, timer rollbacks and confirmations queue on switch.lock. A
# rollback run by a failing activation inherits its lock; rewriting secrets (roost-secrets.service,
# which an activation may itself start) needs none. Where we come from is read only under the lock.
take_switch_lock() {
  if { [ $ROLLBACK = 0 ] && [ $SECRETS_ONLY = 0 ]; } || [ $IF_PENDING = 1 ]; then
    exec 8>"$SWITCH_LOCK"
    flock -w 900 8
  fi
  if [ -z "$FROM" ] && [ -e "$CURRENT" ]; then FROM=$(readlink -f "$CURRENT"); fi
  if [ -n "$FROM" ] && [ ! -d "$FROM" ]; then FROM=""; fi
  return 0
}

# A rollback started by the confirmation timer or at boot acts only if the switch it guards is
# still unconfirmed.
still_pending() {
  local pending_new pending_old
  read -r pending_new pending_old < "$PENDING_FILE" 2>/dev/null || return 1
  [ "$pending_old" = "$TARGET_ID" ] && [ "$pending_new" = "${FROM##*/}" ] || return 1
  say "rollback: generation $pending_new was not confirmed"
}

# ---- the generation's data, read and validated before anything changes ------------------------
declare -A want_hash want_mode want_owner want_group old_hash
UNITS_NEW=()
UNITS_OLD=()
USERS=()
GROUPS_ROWS=()
HEALTH=()
PACKAGES=()
UNIT_ACTIONS=()
# The lines of a data file into LINES, without a process (nothing when it does not exist).
lines_of() { LINES=(); if [ -n "$1" ] && [ -f "$1" ]; then mapfile -t LINES < "$1"; fi; }
# Whether a data file of the generation we come from has the same content (unchecked: only compared).
same_as_from() {
  local name=$1 a b
  [ -n "$FROM" ] && [ -f "$FROM/$name" ] || return 1
  lines_of "$FROM/$name"; a="${LINES[*]}"
  lines_of "$TARGET/$name"; b="${LINES[*]}"
  [ "$a" = "$b" ]
}
load_data() {
  local line p
  lines_of "$TARGET/files.tsv"
  for line in "${LINES[@]}"; do
    row files "$line"; p=${ROW[0]}
    want_hash[$p]=${ROW[1]}; want_mode[$p]=${ROW[2]}; want_owner[$p]=${ROW[3]}; want_group[$p]=${ROW[4]}
  done
  if [ -n "$FROM" ]; then
    lines_of "$FROM/files.tsv"
    for line in "${LINES[@]}"; do row files "$line"; old_hash[${ROW[0]}]=${ROW[1]}; done
    lines_of "$FROM/units.tsv"
    for line in "${LINES[@]}"; do row units "$line"; UNITS_OLD+=("$line"); done
  fi
  lines_of "$TARGET/units.tsv"
  for line in "${LINES[@]}"; do row units "$line"; UNITS_NEW+=("$line"); done
  lines_of "$TARGET/users.tsv"
  for line in "${LINES[@]}"; do row users "$line"; USERS+=("$line"); done
  lines_of "$TARGET/groups.tsv"
  for line in "${LINES[@]}"; do row groups "$line"; GROUPS_ROWS+=("$line"); done
  lines_of "$TARGET/health.tsv"
  for line in "${LINES[@]}"; do row health "$line"; HEALTH+=("$line"); done
  lines_of "$TARGET/packages.txt"
  for line in "${LINES[@]}"; do
    [ -n "$line" ] || continue
    valid pkg "$line" || die "host data: a package name is not valid"
    PACKAGES+=("$line")
  done
  mapfile -t UNIT_ACTIONS < <(unit_actions)
}

# The decision for every unit, from the old and new units.tsv (unit-actions.awk).
unit_actions() {
  local line
  { for line in "${UNITS_OLD[@]}"; do printf 'old\t%s\n' "$line"; done
    for line in "${UNITS_NEW[@]}"; do printf 'new\t%s\n' "$line"; done; } | awk "$UNIT_ACTIONS_AWK"
}

# ---- accounts: Roost changes only those it created (recorded in $ACCOUNTS) ---------------------
owns_account() { grep -qxF -- "$1 $2" "$ACCOUNTS" 2>/dev/null; }
record_account() { owns_account "$1" "$2" || printf '%s %s\n' "$1" "$2" >> "$ACCOUNTS"; }
# Hosts deployed before accounts were recorded: the users the current generation declares are Roost's.
seed_accounts() {
  local line name kind
  [ ! -e "$ACCOUNTS" ] || return 0
  : > "$ACCOUNTS.new"
  for kind in users groups; do
    while IFS= read -r line; do
      name=${line%%$'\t'*}
      if valid name "$name"; then printf '%s %s\n' "${kind%s}" "$name" >> "$ACCOUNTS.new"; fi
    done < <(rows "${FROM:+$FROM/$kind.tsv}")
  done
  mv -Tf "$ACCOUNTS.new" "$ACCOUNTS"
}

# ---- refusals: checked before the host changes, so a refused switch leaves it as it was --------
preflight() {
  local line p
  step check
  seed_accounts
  for line in "${USERS[@]}"; do
    row users "$line"
    local name=${ROW[0]} description=${ROW[8]} existing=${ROW[9]}
    if getent passwd "$name" >/dev/null; then
      if [ "$existing" = 0 ] && ! owns_account user "$name"; then
        die "users.users.$name: the account $name already exists on this host and Roost did not create it; set users.users.$name.existing = true to manage only its authorizedKeys"
      fi
    elif [ "$existing" = 1 ]; then
      die "users.users.$name.existing is set, but this host has no account $name"
    fi
    if [ "${ROW[10]}" = 1 ]; then
      existing_home "$name"
      [ -d "$HOME_DIR" ] || die "users.users.$name.authorizedKeys: the home of $name, $HOME_DIR, does not exist"
      check_target "$HOME_DIR/.ssh/authorized_keys"
    fi
    [[ $description != *[:[:cntrl:]]* ]] || die "users.users.$name.description: the GECOS field cannot hold ':' or control characters"
  done
  for p in "${!want_hash[@]}"; do check_target "$p"; done
}

# A switch is pending until the controller confirms it from a new connection.
mark_pending() {
  if [ $ROLLBACK = 0 ] && [ -n "$FROM" ] && [ "$FROM" != "$TARGET" ] && [ "$CONFIRM" -gt 0 ]; then
    PENDING=1
    stop_rollback_timers
    printf '%s %s\n' "$TARGET_ID" "${FROM##*/}" > "$PENDING_FILE"
  fi
}

# ---- files ---------------------------------------------------------------------------------------
CHANGED=()
disk_hash() { if [ -f "$1" ] && [ ! -L "$1" ]; then sha256sum < "$1" | cut -c1-64; fi; }
# What is on disk at the given paths, with one stat and one sha256sum for all of them: disk_sha
# and disk_meta ("mode owner group") for each regular file; nothing for others.
declare -A disk_sha=() disk_meta=()
scan_disk() {
  local line meta p
  local -a regular=()
  [ $# -gt 0 ] || return 0
  disk_sha=() disk_meta=()
  # Paths hold no newline or backslash (host data), so each output line is "<fields>/<path>".
  while IFS= read -r line; do
    meta=${line%%/*} p=/${line#*/}
    case $meta in "regular file|"* | "regular empty file|"*) disk_meta[$p]=${meta#*|}; regular+=("$p") ;; esac
  done < <(stat -c '%F|%a %U %G%n' -- "$@" 2>/dev/null || true)
  [ ${#regular[@]} -gt 0 ] || return 0
  while IFS= read -r line; do disk_sha[${line#*  }]=${line%% *}; done < <(sha256sum -- "${regular[@]}" 2>/dev/null || true)
}

# An operator's edit of a managed file is kept under drift/ before Roost overwrites or removes it.
keep_drift() {
  local p=$1 on_disk=$2
  if [ -n "$on_disk" ] && [ -n "${old_hash[$p]:-}" ] && [ "$on_disk" != "${old_hash[$p]}" ]; then
    mkdir -p "$DRIFT/$TARGET_ID$(dirname -- "$p")"
    cp -p -- "$p" "$DRIFT/$TARGET_ID$p"
    say "drift kept $p"
  fi
}

install_file() {
  local p=$1 h=${want_hash[$1]} m=${want_mode[$1]} o=${want_owner[$1]} g=${want_group[$1]}
  local on_disk=${disk_sha[$p]:-} meta
  printf -v meta '%o %s %s' "$((8#$m))" "$o" "$g"
  if [ "$on_disk" = "$h" ] && [ "${disk_meta[$p]:-}" = "$meta" ]; then return 0; fi
  [ -f "$STORE/$h" ] || die "object $h of $p is missing from the store"
  [ "$on_disk" = "$h" ] || keep_drift "$p" "$on_disk"
  stage "$p" "$STORE/$h" "$o" "$g" "$m"
  disk_sha[$p]=$h disk_meta[$p]=$meta
  CHANGED+=("$p")
}

# Every package has its file list in dpkg's database: what the previous generation installed is still there.
all_listed() {
  local pkg
  local -a lists
  for pkg in "${PACKAGES[@]}"; do
    [ ! -e "/var/lib/dpkg/info/$pkg.list" ] || continue
    lists=(/var/lib/dpkg/info/"$pkg":*.list)
    [ ${#lists[@]} -gt 0 ] || return 1
  done
}

phase_packages() {
  local p n pkg name state sources_changed=0
  local -a missing=() apt_files=()
  local -A installed=()
  step packages
  for p in "${!want_hash[@]}"; do case $p in /etc/apt/*) apt_files+=("$p") ;; esac; done
  scan_disk "${apt_files[@]}"
  for p in "${apt_files[@]}"; do
    n=${#CHANGED[@]}
    install_file "$p"
    if [ ${#CHANGED[@]} -gt "$n" ]; then sources_changed=1; fi
  done
  for p in "${!old_hash[@]}"; do
    case $p in /etc/apt/*)
      if [ -z "${want_hash[$p]:-}" ]; then rm -f -- "$p"; sources_changed=1; fi ;;
    esac
  done
  # Sources and packages as the previous generation left them, all still installed: nothing to ask apt.
  if [ $sources_changed = 0 ] && same_as_from packages.txt && all_listed; then
    SKIPPED=1
    return 0
  fi
  if [ ${#PACKAGES[@]} -gt 0 ]; then
    while IFS=$'\t' read -r name state; do
      if [ "$state" = "install ok installed" ]; then installed[${name%%:*}]=1; fi
    done < <(dpkg-query -W -f='${Package}\t${Status}\n' -- "${PACKAGES[@]}" 2>/dev/null || true)
  fi
  for pkg in "${PACKAGES[@]}"; do
    [ -n "${installed[$pkg]:-}" ] || missing+=("$pkg")
  done
  if [ $sources_changed = 1 ] || { [ ${#missing[@]} -gt 0 ] && [ -z "$(ls /var/lib/apt/lists/ | grep -v -e lock -e partial || true)" ]; }; then
    apt-get update -qq || die "apt-get update failed"
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    say "install ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
      die "apt-get install ${missing[*]} failed"
  fi
}

# An existing account (users.users.<name>.existing): only its authorized_keys, in the home its
# passwd entry names.
existing_home() { # name → HOME_DIR, HOME_GID from its passwd entry
  local entry
  entry=$(getent passwd "$1")
  IFS=: read -r _ _ _ HOME_GID _ HOME_DIR _ <<< "$entry"
  valid uint "$HOME_GID" && [[ $HOME_DIR =~ $RE_PATH ]] || die "the passwd entry of $1 is not usable"
}
install_existing_keys() {
  local name=$1 gid home
  existing_home "$name"
  gid=$HOME_GID home=$HOME_DIR
  check_dir "$home/.ssh"
  if [ ! -d "$home/.ssh" ]; then
    mkdir -m 0700 -- "$home/.ssh"
    chown -h -- "$name:$gid" "$home/.ssh"
  fi
  if [ "$(disk_hash "$home/.ssh/authorized_keys")" != "$(sha256sum < "$TARGET/users/$name.keys" | cut -c1-64)" ]; then
    stage "$home/.ssh/authorized_keys" "$TARGET/users/$name.keys" "$name" "$gid" 0600
    say "changed $home/.ssh/authorized_keys"
  fi
}

phase_users() {
  local line
  local -a args
  step users
  # Accounts as the previous generation declared them: only an existing account's keys can need work.
  if same_as_from users.tsv && same_as_from groups.tsv; then
    SKIPPED=1
    for line in "${USERS[@]}"; do
      row users "$line"
      if [ "${ROW[9]}" = 1 ] && [ "${ROW[10]}" = 1 ]; then install_existing_keys "${ROW[0]}"; fi
    done
    return 0
  fi
  ACCOUNTS_CHANGED=1
  for line in "${GROUPS_ROWS[@]}"; do
    row groups "$line"
    local name=${ROW[0]} gid=${ROW[1]} system=${ROW[2]}
    if getent group "$name" >/dev/null; then continue; fi
    args=()
    if [ "$system" = 1 ]; then args+=(--system); fi
    if [ "$gid" != - ]; then args+=(--gid "$gid"); fi
    groupadd "${args[@]}" -- "$name"
    record_account group "$name"
    say "group $name"
  done
  for line in "${USERS[@]}"; do
    row users "$line"
    local name=${ROW[0]} uid=${ROW[1]} group=${ROW[2]} extra=${ROW[3]} home=${ROW[4]} create=${ROW[5]} shell=${ROW[6]}
    local system=${ROW[7]} description=${ROW[8]} existing=${ROW[9]} keys=${ROW[10]}
    if [ "$extra" = - ]; then extra=""; fi
    if [ "$existing" = 1 ]; then
      if [ "$keys" = 1 ]; then install_existing_keys "$name"; fi
    elif getent passwd "$name" >/dev/null; then
      usermod --gid "$group" --groups "$extra" --shell "$shell" --home "$home" --comment "$description" -- "$name"
    else
      args=(--gid "$group" --shell "$shell" --home-dir "$home" --comment "$description")
      if [ -n "$extra" ]; then args+=(--groups "$extra"); fi
      if [ "$system" = 1 ]; then args+=(--system); fi
      if [ "$uid" != - ]; then args+=(--uid "$uid"); fi
      if [ "$create" = 1 ]; then args+=(--create-home); else args+=(--no-create-home); fi
      useradd "${args[@]}" -- "$name"
      record_account user "$name"
      say "user $name"
    fi
  done
}

# Units that go away stop while their unit files still exist.
phase_stop() {
  local action n
  step stop
  for line in "${UNIT_ACTIONS[@]}"; do
    read -r action n <<< "$line"
    [ "$action" = stop ] || continue
    case $n in *@.*) ;; *) systemctl stop -- "$n" >/dev/null 2>&1 || true ;; esac
    systemctl disable -- "$n" >/dev/null 2>&1 || true
    say "stopped $n"
  done
}

# ---- downloads: files whose content the host fetches, checked against the pinned sha256 ----------
phase_downloads() {
  local line hash url tmp got
  [ -s "$TARGET/downloads.tsv" ] || return 0
  step downloads
  while IFS= read -r line; do
    row downloads "$line"
    hash=${ROW[0]} url=${ROW[1]}
    [ ! -f "$STORE/$hash" ] || continue
    tmp=$(mktemp "$STORE/.download.XXXXXX")
    curl -fsSL --proto '=http,https' --max-time 900 -o "$tmp" -- "$url" || { rm -f -- "$tmp"; die "download $url failed"; }
    got=$(sha256sum < "$tmp" | cut -c1-64)
    [ "$got" = "$hash" ] || { rm -f -- "$tmp"; die "download $url has sha256 $got, not the pinned $hash"; }
    chmod 0600 "$tmp"
    mv -Tf -- "$tmp" "$STORE/$hash"
    say "downloaded $url"
  done < <(rows "$TARGET/downloads.tsv")
}

phase_files() {
  local p
  step files
  scan_disk "${!want_hash[@]}"
  for p in "${!want_hash[@]}"; do install_file "$p"; done
  for p in "${!old_hash[@]}"; do
    if [ -n "${want_hash[$p]:-}" ]; then continue; fi
    keep_drift "$p" "$(disk_hash "$p")"
    rm -f -- "$p"
    CHANGED+=("$p")
  done
  for p in "${CHANGED[@]}"; do
    say "changed $p"
    case $p in /etc/tmpfiles.d/roost.conf) TMPFILES_CHANGED=1 ;; /etc/systemd/* | /usr/lib/systemd/* | /lib/systemd/*) UNIT_FILES_CHANGED=1 ;; esac
  done
  step tmpfiles
  # Directories are created as the last switch left them unless their list or the accounts changed.
  if [ -f /etc/tmpfiles.d/roost.conf ] && { [ -z "$FROM" ] || [ $TMPFILES_CHANGED = 1 ] || [ $ACCOUNTS_CHANGED = 1 ]; }; then
    systemd-tmpfiles --create /etc/tmpfiles.d/roost.conf
  else
    SKIPPED=1
  fi
}
ACCOUNTS_CHANGED=0
TMPFILES_CHANGED=0
UNIT_FILES_CHANGED=0

# ---- secrets: decrypted with this host's own key, into /run (tmpfs) only ------------------------
undecryptable() { die "secret $1 cannot be decrypted with this host's key (run: roost secrets rekey)"; }
install_secrets() {
  local line name path mode owner group kind secret var value text tmp
  local -A written=()
  if [ -f "$TARGET/secrets.tsv" ]; then
    mkdir -p /run/roost/secrets
    chmod 0751 /run/roost /run/roost/secrets
    while IFS= read -r line; do
      row secrets "$line"
      name=${ROW[0]} path=${ROW[1]} mode=${ROW[2]} owner=${ROW[3]} group=${ROW[4]} kind=${ROW[5]}
      check_target "$path"
      safe_dir "$(dirname -- "$path")"
      tmp=$(umask 077 && mktemp "$(dirname -- "$path")/.roost-new.XXXXXX")
      case $kind in
        raw)
          read -r secret < "$TARGET/secrets/$name.raw"
          valid secret "$secret" || die "host data: secret $name names an invalid secret"
          age -d -i "$HOST_KEY" -o "$tmp" "$TARGET/secrets/values/$secret.age" 2>/dev/null || undecryptable "$secret" ;;
        env)
          while IFS= read -r value; do
            row secret-env "$value"
            var=${ROW[0]} secret=${ROW[1]}
            value=$(age -d -i "$HOST_KEY" "$TARGET/secrets/values/$secret.age" 2>/dev/null) || undecryptable "$secret"
            value=${value//\\/\\\\}; value=${value//\"/\\\"}; value=${value//\$/\\\$}; value=${value//\`/\\\`}
            printf '%s="%s"\n' "$var" "$value" >> "$tmp"
          done < "$TARGET/secrets/$name.env" ;;
        template)
          text=$(cat "$TARGET/secrets/$name.template"; printf x)
          text=${text%x}
          while read -r secret; do
            valid secret "$secret" || die "host data: secret $name uses an invalid secret name"
            value=$(age -d -i "$HOST_KEY" "$TARGET/secrets/values/$secret.age" 2>/dev/null) || undecryptable "$secret"
            text=${text//"{{secret:$secret}}"/"$value"}
          done < "$TARGET/secrets/$name.uses"
          printf '%s' "$text" > "$tmp" ;;
      esac
      chown -h -- "$owner:$group" "$tmp"
      chmod -- "$mode" "$tmp"
      mv -Tf -- "$tmp" "$path"
      written[$path]=1
      say "secret $path"
    done < "$TARGET/secrets.tsv"
    : > /run/roost/secrets/.installed
  fi
  if [ -n "$FROM" ] && [ -f "$FROM/secrets.tsv" ]; then
    # Plaintext the new generation no longer writes goes, by path.
    while IFS= read -r line; do
      row secrets "$line"
      if [ -z "${written[${ROW[1]}]:-}" ]; then rm -f -- "${ROW[1]}"; fi
    done < "$FROM/secrets.tsv"
  fi
}

phase_units() {
  local line action n
  step units
  if [ $UNIT_FILES_CHANGED = 1 ] || [ -z "$FROM" ]; then systemctl daemon-reload; fi
  for line in "${UNIT_ACTIONS[@]}"; do
    read -r action n <<< "$line"
    case $action in
      enable) systemctl enable -- "$n" >/dev/null 2>&1 ;;
      # A unit already running when Roost first writes its file (a package's postinst started the
      # vendor one) restarts, so that Roost's definition is the one that runs.
      start)
        if systemctl is-active --quiet -- "$n"; then unit_do restart "$n"; say "restarted $n"
        else unit_do start "$n"; say "started $n"; fi ;;
      reenable) systemctl reenable -- "$n" >/dev/null 2>&1 ;;
      restart | reload)
        if systemctl is-active --quiet -- "$n"; then
          if [ "$action" = restart ]; then unit_do restart "$n"; say "restarted $n"; else unit_do reload-or-restart "$n"; say "reloaded $n"; fi
        elif wanted "$n"; then unit_do start "$n"; say "started $n"; fi ;;
    esac
  done
}
# systemctl VERB UNIT, or fail naming the unit, its state and the last lines of its journal.
unit_do() {
  systemctl "$1" -- "$2" && return 0
  # 219/CGROUP: systemd could not set up the unit's control group (a transient kernel refusal under
  # memory or PID pressure), so the program never ran; one more try is not a second start of it.
  if [ "$(systemctl show -p ExecMainStatus --value -- "$2")" = 219 ]; then
    sleep 1
    systemctl reset-failed -- "$2" 2>/dev/null || true
    systemctl "$1" -- "$2" && return 0
  fi
  die "$1 $2 failed: it is $(systemctl is-active -- "$2" || true): $(journalctl --no-pager -o cat -n 3 -u "$2" 2>/dev/null | tr '\n' ' ' || true)"
}
wanted() {
  local line
  for line in "${UNITS_NEW[@]}"; do
    row units "$line"
    if [ "${ROW[0]}" = "$1" ]; then [ "${ROW[4]}" != - ]; return; fi
  done
  return 1
}

# ---- health checks (check_once and http_probe: health.sh) ---------------------------------------
phase_health() {
  local line name type timeout a b c deadline pause
  step health
  for line in "${HEALTH[@]}"; do
    row health "$line"
    name=${ROW[0]} type=${ROW[1]} timeout=${ROW[2]} a=${ROW[3]} b=${ROW[4]:-} c=${ROW[5]:-}
    deadline=$((SECONDS + timeout)) pause=0.05
    LAST=""
    until check_once "$type" "$a" "$b" "$c"; do
      if [ $SECONDS -ge $deadline ]; then
        case $type in
          unit) die "health check $name failed: $a is $(systemctl is-active -- "$a" || true)" ;;
          tcp) die "health check $name failed: nothing listens on $a:$b" ;;
          http) die "health check $name failed: $a ${LAST:-did not answer}" ;;
          command) die "health check $name failed: the command ${LAST:-did not run}" ;;
        esac
      fi
      sleep "$pause"
      case $pause in 0.05) pause=0.1 ;; 0.1) pause=0.2 ;; *) pause=0.5 ;; esac
    done
    say "healthy $name"
  done
}

commit() {
  step commit
  # The clock for confirmation starts now: whatever this switch broke, the host undoes it by itself.
  if [ $PENDING = 1 ]; then
    systemd-run --quiet --unit="roost-rollback-${EPOCHREALTIME/./}" --on-active="${CONFIRM}s" --timer-property=AccuracySec=1s \
      /bin/bash "$FROM/activate" --from "$TARGET" --rollback --if-pending
  fi
  trap - ERR
  ln -sfn "generations/$TARGET_ID" "$CURRENT.new"
  mv -Tf "$CURRENT.new" "$CURRENT"
  local now kind=switch
  TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  [ -f "$TARGET/activated" ] || printf '%s\n' "$now" > "$TARGET/activated"
  if [ $ROLLBACK = 1 ]; then kind=rollback; fi
  printf '%s %s %s\n' "$now" "$TARGET_ID" "$kind" >> "$HISTORY"
  if [ $ROLLBACK = 1 ]; then
    rm -f "$PENDING_FILE"
    stop_rollback_timers
  fi
  step_done
  say "done $TARGET_ID"
}

main() {
  parse_args "$@"
  trap on_error ERR
  take_switch_lock
  if [ $IF_PENDING = 1 ]; then still_pending || exit 0; fi
  if [ $SECRETS_ONLY = 1 ]; then
    step secrets
    trap - ERR
    FROM=""
    install_secrets
    exit 0
  fi
  load_data
  preflight
  CHANGING=1
  mark_pending
  phase_packages
  phase_downloads
  phase_users
  phase_stop
  phase_files
  step secrets
  install_secrets
  phase_units
  phase_health
  commit
}

main "$@"
