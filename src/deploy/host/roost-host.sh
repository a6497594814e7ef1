# Roost's entry point on a host: /usr/local/lib/roost/roost-host VERB [ARGS…], run as root.
# It runs one of the fixed scripts installed beside it, chosen by verb, in a clean environment; each
# script validates its arguments and reads data only from stdin. A deploy user needs no more sudo
# than this one command:
#   deploy ALL=(root) NOPASSWD: /usr/local/lib/roost/roost-host
[ $# -ge 1 ] || { echo "usage: roost-host status|receive|confirm|generations|objects|report|logs|backup [ARGS…]" >&2; exit 2; }
verb=$1
shift
case $verb in
  status | receive | confirm | generations | objects | report | logs | backup) ;;
  *) echo "roost-host: unknown verb" >&2; exit 2 ;;
esac
[ "$EUID" = 0 ] || { echo "roost-host: must run as root (sudo -n $ENTRY_POINT …)" >&2; exit 2; }
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -- "$ENTRY_DIR/scripts/$verb.sh" "$@"
