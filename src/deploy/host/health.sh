# Roost health checks: run by the activation (until each passes or times out) and by `report` (once).
# `check_once TYPE A B C` takes a health.tsv row's fields after name, type and timeout; it sets LAST
# to why an http or command check failed.
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
check_once() { # type a b c
  local type=$1
  case $type in
    unit) systemctl is-active --quiet -- "$2" ;;
    tcp) timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tcp "$2" "$3" 2>/dev/null ;;
    http)
      local url=$2 status=$3 body=${4:-} response code
      case $url in
        https://*) response=$(curl -sS -i --max-time 5 -- "$url" 2>/dev/null) || return 1 ;;
        *) response=$(timeout 6 bash -c "$(declare -f http_probe)"'; http_probe "$1"' http "$url" 2>/dev/null) || return 1 ;;
      esac
      code=${response%%$'\n'*}
      code=${code#* }
      code=${code%% *}
      [ "$code" = "$status" ] || { LAST="answered $code, expected $status"; return 1; }
      [ -z "$body" ] || grep -qF -- "$body" <<< "$response" || { LAST="the body does not contain \"$body\""; return 1; }
      ;;
    command)
      local expect=$2 user=$3 rc=0 out
      decode_argv "$4" || return 1
      if [ "$user" = - ]; then out=$(timeout 10 "${ARGV[@]}" 2>&1 < /dev/null) || rc=$?
      else out=$(timeout 10 runuser -u "$user" -- "${ARGV[@]}" 2>&1 < /dev/null) || rc=$?; fi
      [ "$rc" = "$expect" ] || { LAST="exited $rc, expected $expect: $(tail -n 3 <<< "$out" | tr '\n' ' ')"; return 1; }
      ;;
    *) return 1 ;;
  esac
}
# Why a check that just failed failed, in the words the activation uses.
check_failure() { # type a b
  case $1 in
    unit) echo "$2 is $(systemctl is-active -- "$2" || true)" ;;
    tcp) echo "nothing listens on $2:$3" ;;
    http) echo "$2 ${LAST:-did not answer}" ;;
    command) echo "the command ${LAST:-did not run}" ;;
    *) echo "a check of an unknown type" ;;
  esac
}
