#!/bin/bash
# Roost activation. Shipped in every generation, run on the host as root; needs only Debian's
# essential packages and systemd.
#
#   activate [--from DIR] [--confirm-timeout SECONDS] [--rollback [--if-pending]]
#
# Switches the host to the generation this script belongs to, from the one in DIR (default: the
# current one): apt sources and packages, groups and users, files (each staged, then renamed into
# place), tmpfiles, systemd units (only changed ones restart), then health checks. On any failure
# it switches back to DIR and exits non-zero. Lines starting with "step", "error" and "done" are
# read by the controller.
set -eEuo pipefail
shopt -s nullglob
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

ROOST=/var/lib/roost
STORE=$ROOST/store
TARGET=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
TARGET_ID=${TARGET##*/}
FROM=""
CONFIRM=0
ROLLBACK=0
IF_PENDING=0
SECRETS_ONLY=0
while [ $# -gt 0 ]; do
  case $1 in
    --secrets-only) SECRETS_ONLY=1; shift ;;
    --from) FROM=$2; shift 2 ;;
    --confirm-timeout) CONFIRM=$2; shift 2 ;;
    --rollback) ROLLBACK=1; shift ;;
    --if-pending) IF_PENDING=1; shift ;;
    *) echo "error unknown argument $1"; exit 2 ;;
  esac
done

STEP=start
step() { STEP=$1; echo "step $1"; }

# One switch at a time: activations, timer rollbacks and confirmations queue on switch.lock. A
# rollback run by a failing activation inherits its lock; rewriting secrets (roost-secrets.service,
# which an activation may itself start) needs none.
if { [ $ROLLBACK = 0 ] && [ $SECRETS_ONLY = 0 ]; } || [ $IF_PENDING = 1 ]; then
  exec 8>"$ROOST/switch.lock"
  flock -w 900 8
fi
# Where we come from is read only now, under the lock.
if [ -z "$FROM" ] && [ -e "$ROOST/current" ]; then FROM=$(readlink -f "$ROOST/current"); fi
if [ -n "$FROM" ] && [ ! -d "$FROM" ]; then FROM=""; fi
# A rollback started by the confirmation timer or at boot acts only if the switch it guards is
# still unconfirmed.
if [ $IF_PENDING = 1 ]; then
  read -r pending_new pending_old < "$ROOST/pending" 2>/dev/null || exit 0
  [ "$pending_old" = "$TARGET_ID" ] && [ "$pending_new" = "${FROM##*/}" ] || exit 0
  echo "rollback: generation $pending_new was not confirmed"
fi

rollback() {
  trap - ERR
  if [ $ROLLBACK = 0 ] && [ -n "$FROM" ] && [ "$FROM" != "$TARGET" ]; then
    echo "rollback to ${FROM##*/}"
    if "$FROM/activate" --from "$TARGET" --rollback; then echo "rolled-back ${FROM##*/}"; else echo "error the rollback failed too"; fi
  fi
  if [ "${PENDING:-0}" = 1 ] || [ $ROLLBACK = 1 ]; then
    systemctl stop 'roost-rollback-*.timer' >/dev/null 2>&1 || true
    rm -f "$ROOST/pending"
  fi
}
die() {
  echo "error $*"
  rollback
  exit 1
}
on_error() {
  local rc=$?
  # set -E also fires this in $(…) and <(…): there, only fail; the main shell decides.
  [ "$BASHPID" = "$$" ] || exit 1
  echo "error step $STEP failed (exit $rc)"
  rollback
  exit 1
}
trap on_error ERR

# Generation data: tab-separated, one entry per line, written by the controller.
rows() { if [ -n "$1" ] && [ -f "$1" ]; then cat "$1"; fi; }

# The directory of a file Roost writes, created if missing; no component may be a symlink (a
# user who owns ~/.ssh must not be able to point Roost's root writes elsewhere).
safe_dir() {
  local dir=$1 part="" c
  local IFS=/
  for c in ${dir#/}; do
    part="$part/$c"
    if [ -L "$part" ]; then die "refusing to write under $dir: $part is a symbolic link"; fi
  done
  mkdir -p "$dir"
}

# Stage a file beside its target (mktemp: a new file, never through a link), then rename it over.
stage() { # target source owner group mode
  local dir tmp
  dir=$(dirname "$1")
  safe_dir "$dir"
  tmp=$(mktemp "$dir/.roost-new.XXXXXX")
  cat "$2" > "$tmp"
  chown -h "$3:$4" "$tmp"
  chmod "$5" "$tmp"
  mv -f "$tmp" "$1"
}


# ---- secrets: decrypted with this host's own key, into /run (tmpfs) only ---------------------
HOST_KEY=/etc/ssh/ssh_host_ed25519_key
undecryptable() { die "secret $1 cannot be decrypted with this host's key (run: roost secrets rekey)"; }
install_secrets() {
  local name path mode owner group kind secret var value text tmp
  if [ -f "$TARGET/secrets.tsv" ]; then
    mkdir -p /run/roost/secrets
    chmod 0751 /run/roost /run/roost/secrets
    while IFS=$'\t' read -r name path mode owner group kind; do
      safe_dir "$(dirname "$path")"
      tmp=$(umask 077 && mktemp "$(dirname "$path")/.roost-new.XXXXXX")
      case $kind in
        raw)
          read -r secret < "$TARGET/secrets/$name.raw"
          age -d -i "$HOST_KEY" -o "$tmp" "$TARGET/secrets/values/$secret.age" 2>/dev/null || undecryptable "$secret" ;;
        env)
          while IFS=$'\t' read -r var secret; do
            value=$(age -d -i "$HOST_KEY" "$TARGET/secrets/values/$secret.age" 2>/dev/null) || undecryptable "$secret"
            value=${value//\\/\\\\}; value=${value//\"/\\\"}; value=${value//\$/\\\$}; value=${value//\`/\\\`}
            printf '%s="%s"\n' "$var" "$value" >> "$tmp"
          done < "$TARGET/secrets/$name.env" ;;
        template)
          text=$(cat "$TARGET/secrets/$name.template"; printf x)
          text=${text%x}
          while read -r secret; do
            value=$(age -d -i "$HOST_KEY" "$TARGET/secrets/values/$secret.age" 2>/dev/null) || undecryptable "$secret"
            text=${text//"{{secret:$secret}}"/"$value"}
          done < "$TARGET/secrets/$name.uses"
          printf '%s' "$text" > "$tmp" ;;
      esac
      chown -h "$owner:$group" "$tmp"
      chmod "$mode" "$tmp"
      mv -f "$tmp" "$path"
      echo "secret $path"
    done < "$TARGET/secrets.tsv"
    : > /run/roost/secrets/.installed
  fi
  if [ -n "$FROM" ] && [ -f "$FROM/secrets.tsv" ]; then
    # Plaintext the new generation no longer writes goes, by path.
    while IFS=$'\t' read -r _ path _; do
      if ! cut -f2 "$TARGET/secrets.tsv" 2>/dev/null | grep -qxF -- "$path"; then rm -f "$path"; fi
    done < "$FROM/secrets.tsv"
  fi
}
if [ $SECRETS_ONLY = 1 ]; then
  step secrets
  trap - ERR
  FROM=""
  install_secrets
  exit 0
fi

# ---- a switch is pending until the controller confirms it from a new connection ---------------
PENDING=0
if [ $ROLLBACK = 0 ] && [ -n "$FROM" ] && [ "$FROM" != "$TARGET" ] && [ "$CONFIRM" -gt 0 ]; then
  PENDING=1
  systemctl stop 'roost-rollback-*.timer' >/dev/null 2>&1 || true
  printf '%s %s\n' "$TARGET_ID" "${FROM##*/}" > "$ROOST/pending"
fi

# ---- files --------------------------------------------------------------------------------------
declare -A want_hash want_mode want_owner want_group old_hash
while IFS=$'\t' read -r p h m o g; do want_hash[$p]=$h; want_mode[$p]=$m; want_owner[$p]=$o; want_group[$p]=$g; done < <(rows "$TARGET/files.tsv")
while IFS=$'\t' read -r p h _; do old_hash[$p]=$h; done < <(rows "${FROM:+$FROM/files.tsv}")
CHANGED=()

disk_hash() { if [ -f "$1" ] && [ ! -L "$1" ]; then sha256sum < "$1" | cut -c1-64; fi; }

# An operator's edit of a managed file is kept under drift/ before Roost overwrites or removes it.
keep_drift() {
  local p=$1 on_disk=$2
  if [ -n "$on_disk" ] && [ -n "${old_hash[$p]:-}" ] && [ "$on_disk" != "${old_hash[$p]}" ]; then
    mkdir -p "$ROOST/drift/$TARGET_ID$(dirname "$p")"
    cp -p "$p" "$ROOST/drift/$TARGET_ID$p"
    echo "drift kept $p"
  fi
}

install_file() {
  local p=$1 h=${want_hash[$1]} m=${want_mode[$1]} o=${want_owner[$1]} g=${want_group[$1]}
  local on_disk
  on_disk=$(disk_hash "$p")
  if [ "$on_disk" = "$h" ] && [ "$(stat -c '%a %U %G' "$p")" = "$(printf '%o' $((8#$m))) $o $g" ]; then return 0; fi
  [ -f "$STORE/$h" ] || die "object $h of $p is missing from the store"
  [ "$on_disk" = "$h" ] || keep_drift "$p" "$on_disk"
  stage "$p" "$STORE/$h" "$o" "$g" "$m"
  CHANGED+=("$p")
}

# ---- apt sources and packages -------------------------------------------------------------------
step packages
apt_sources_changed=0
for p in "${!want_hash[@]}"; do
  case $p in /etc/apt/*)
    n=${#CHANGED[@]}
    install_file "$p"
    if [ ${#CHANGED[@]} -gt "$n" ]; then apt_sources_changed=1; fi ;;
  esac
done
for p in "${!old_hash[@]}"; do
  case $p in /etc/apt/*)
    if [ -z "${want_hash[$p]:-}" ]; then rm -f "$p"; apt_sources_changed=1; fi ;;
  esac
done
missing=()
while read -r pkg; do
  [ -n "$pkg" ] || continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done < <(rows "$TARGET/packages.txt")
if [ $apt_sources_changed = 1 ] || { [ ${#missing[@]} -gt 0 ] && [ -z "$(ls /var/lib/apt/lists/ | grep -v -e lock -e partial)" ]; }; then
  apt-get update -qq || die "apt-get update failed"
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
fi

# ---- groups and users ---------------------------------------------------------------------------
step users
while IFS=$'\t' read -r name gid system; do
  if getent group "$name" >/dev/null; then continue; fi
  args=()
  if [ "$system" = 1 ]; then args+=(--system); fi
  if [ "$gid" != - ]; then args+=(--gid "$gid"); fi
  groupadd "${args[@]}" "$name"
  echo "group $name"
done < <(rows "$TARGET/groups.tsv")
while IFS=$'\t' read -r name uid group extra home create shell system description; do
  if [ "$extra" = - ]; then extra=""; fi
  if [ "$description" = - ]; then description=""; fi
  if getent passwd "$name" >/dev/null; then
    usermod --gid "$group" --groups "$extra" --shell "$shell" --home "$home" --comment "$description" "$name"
  else
    args=(--gid "$group" --shell "$shell" --home-dir "$home" --comment "$description")
    if [ -n "$extra" ]; then args+=(--groups "$extra"); fi
    if [ "$system" = 1 ]; then args+=(--system); fi
    if [ "$uid" != - ]; then args+=(--uid "$uid"); fi
    if [ "$create" = 1 ]; then args+=(--create-home); else args+=(--no-create-home); fi
    useradd "${args[@]}" "$name"
    echo "user $name"
  fi
done < <(rows "$TARGET/users.tsv")

# ---- units that go away stop while their unit files still exist ---------------------------------
step stop
declare -A old_sha old_reload old_wanted
while IFS=$'\t' read -r n s r _ w; do old_sha[$n]=$s; old_reload[$n]=$r; old_wanted[$n]=$w; done < <(rows "${FROM:+$FROM/units.tsv}")
declare -A new_units
while IFS=$'\t' read -r n _; do new_units[$n]=1; done < <(rows "$TARGET/units.tsv")
for n in "${!old_sha[@]}"; do
  if [ -n "${new_units[$n]:-}" ]; then continue; fi
  case $n in *@.*) ;; *) systemctl stop "$n" >/dev/null 2>&1 || true ;; esac
  systemctl disable "$n" >/dev/null 2>&1 || true
  echo "stopped $n"
done

# ---- switch the files ---------------------------------------------------------------------------
step files
for p in "${!want_hash[@]}"; do install_file "$p"; done
for p in "${!old_hash[@]}"; do
  if [ -n "${want_hash[$p]:-}" ]; then continue; fi
  keep_drift "$p" "$(disk_hash "$p")"
  rm -f "$p"
  CHANGED+=("$p")
done
if [ ${#CHANGED[@]} -gt 0 ]; then printf 'changed %s\n' "${CHANGED[@]}"; fi
if [ -f /etc/tmpfiles.d/roost.conf ]; then systemd-tmpfiles --create /etc/tmpfiles.d/roost.conf; fi

step secrets
install_secrets

# ---- units --------------------------------------------------------------------------------------
step units
systemctl daemon-reload
while IFS=$'\t' read -r n s r restart_if_changed wanted; do
  w=$wanted
  if [ "$w" = - ]; then w=""; fi
  case $n in *@.*) template=1 ;; *) template=0 ;; esac
  if [ -z "${old_sha[$n]:-}" ]; then
    if [ -n "$w" ]; then systemctl enable "$n" >/dev/null 2>&1; fi
    if [ -n "$w" ] && [ $template = 0 ]; then systemctl start "$n"; echo "started $n"; fi
  elif [ "${old_sha[$n]}" != "$s" ]; then
    if [ "${old_wanted[$n]}" != "$wanted" ]; then systemctl reenable "$n" >/dev/null 2>&1; fi
    if [ $template = 0 ] && [ "$restart_if_changed" = 1 ]; then
      if systemctl is-active --quiet "$n"; then systemctl restart "$n"; echo "restarted $n";
      elif [ -n "$w" ]; then systemctl start "$n"; echo "started $n"; fi
    fi
  elif [ "${old_reload[$n]}" != "$r" ] && [ $template = 0 ]; then
    if systemctl is-active --quiet "$n"; then systemctl reload-or-restart "$n"; echo "reloaded $n";
    elif [ -n "$w" ]; then systemctl start "$n"; echo "started $n"; fi
  fi
done < <(rows "$TARGET/units.tsv")

# ---- health checks ------------------------------------------------------------------------------
step health
http_probe() { # url → "status\nbody"
  local url=$1 rest host port path
  rest=${url#http://}
  host=${rest%%/*}
  path=/${rest#*/}
  [ "$rest" = "$host" ] && path=/
  port=80
  case $host in *:*) port=${host##*:}; host=${host%:*} ;; esac
  exec 3<>"/dev/tcp/$host/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
  timeout 5 cat <&3
  exec 3<&-
}
check_once() { # type, timeout, args…
  local type=$1
  case $type in
    unit) systemctl is-active --quiet "$3" ;;
    tcp) timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tcp "$3" "$4" 2>/dev/null ;;
    http)
      local url=$3 status=$4 body=${5:-} response code
      case $url in
        https://*) response=$(curl -sS -i --max-time 5 "$url" 2>/dev/null) || return 1 ;;
        *) response=$(timeout 6 bash -c "$(declare -f http_probe)"'; http_probe "$1"' http "$url" 2>/dev/null) || return 1 ;;
      esac
      code=${response%%$'\n'*}
      code=${code#* }
      code=${code%% *}
      [ "$code" = "$status" ] || { LAST="answered $code, expected $status"; return 1; }
      [ -z "$body" ] || grep -qF -- "$body" <<< "$response" || { LAST="the body does not contain \"$body\""; return 1; }
      ;;
    *) return 1 ;;
  esac
}
while IFS=$'\t' read -r name type timeout a b c; do
  deadline=$((SECONDS + ${timeout%.*}))
  LAST=""
  until check_once "$type" "$timeout" "$a" "$b" "$c"; do
    if [ $SECONDS -ge $deadline ]; then
      case $type in
        unit) die "health check $name failed: $a is $(systemctl is-active "$a" || true)" ;;
        tcp) die "health check $name failed: nothing listens on $a:$b" ;;
        http) die "health check $name failed: $a ${LAST:-did not answer}" ;;
      esac
    fi
    sleep 0.5
  done
  echo "healthy $name"
done < <(rows "$TARGET/health.tsv")

# ---- done ---------------------------------------------------------------------------------------
step commit
# The clock for confirmation starts now: whatever this switch broke, the host undoes it by itself.
if [ $PENDING = 1 ]; then
  systemd-run --quiet --unit="roost-rollback-$(date +%s%N)" --on-active="${CONFIRM}s" --timer-property=AccuracySec=1s \
    /bin/bash "$FROM/activate" --from "$TARGET" --rollback --if-pending
fi
trap - ERR
ln -sfn "generations/$TARGET_ID" "$ROOST/current.new"
mv -Tf "$ROOST/current.new" "$ROOST/current"
[ -f "$TARGET/activated" ] || date -u +%Y-%m-%dT%H:%M:%SZ > "$TARGET/activated"
printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TARGET_ID" "$([ $ROLLBACK = 1 ] && echo rollback || echo switch)" >> "$ROOST/history"
if [ $ROLLBACK = 1 ]; then
  rm -f "$ROOST/pending"
  systemctl stop 'roost-rollback-*.timer' >/dev/null 2>&1 || true
fi
echo "done $TARGET_ID"
