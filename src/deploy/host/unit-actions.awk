# Roost: what happens to each systemd unit when a host switches generations. The one place this is
# decided: the activation runs it on the host, the plan runs it on the controller.
#
# Input: the rows of the old and the new units.tsv, each prefixed with "old<TAB>" or "new<TAB>"
# (name, hash, reload hash or -, restartIfChanged 0|1, wantedBy or -), already validated.
# Output, one action per line, gone units first (sorted), then the new ones in their order:
#   stop N      the unit went away: stop (unless a template) and disable it
#   enable N    a new unit something wants
#   start N     a new unit something wants, not a template
#   reenable N  a changed unit whose wantedBy changed
#   restart N   a changed unit: restart it if it runs, else start it if something wants it
#   reload N    only its reloadTriggers changed: reload it if it runs, else start it if wanted
BEGIN { FS = "\t" }
$1 == "old" { old_sha[$2] = $3; old_reload[$2] = $4; old_wanted[$2] = $6; next }
$1 == "new" { n++; name[n] = $2; sha[$2] = $3; reload[$2] = $4; restart[$2] = $5; wanted[$2] = $6 }
END {
  g = 0
  for (u in old_sha) if (!(u in sha)) gone[++g] = u
  for (i = 2; i <= g; i++) { v = gone[i]; for (j = i - 1; j >= 1 && gone[j] > v; j--) gone[j + 1] = gone[j]; gone[j + 1] = v }
  for (i = 1; i <= g; i++) print "stop " gone[i]
  for (i = 1; i <= n; i++) {
    u = name[i]
    template = (u ~ /@\./)
    if (!(u in old_sha)) {
      if (wanted[u] != "-") { print "enable " u; if (!template) print "start " u }
    } else if (old_sha[u] != sha[u]) {
      if (old_wanted[u] != wanted[u]) print "reenable " u
      if (!template && restart[u] == "1") print "restart " u
    } else if (old_reload[u] != reload[u] && !template) print "reload " u
  }
}
