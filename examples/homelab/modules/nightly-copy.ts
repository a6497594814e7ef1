// Pull a nightly copy of a directory from another host, announce when it is done, and answer
// "when was the last copy?" on a local socket. Uses a timer, a path unit, a socket and a target.
import { defineModule, option, types as t } from "roost";

export const nightlyCopy = defineModule({
  options: {
    nightlyCopy: {
      from: option({ type: t.path, description: "Directory on the web host to copy." }),
      to: option({ type: t.path, default: "/var/backups/site", description: "Where the copies go." }),
      at: option({ type: t.str, default: "daily", description: "When to copy (systemd calendar event)." }),
      keep: option({ type: t.ints.positive, default: 7, description: "Copies to keep." }),
    },
  },
  config: ({ config }) => {
    const cfg = config.nightlyCopy;
    return {
      packages: ["rsync"],
      users: { groups: { backup: { gid: 34 } } },
      directories: { [cfg.to]: { mode: "0750", group: "backup" } },
      systemd: {
        services: {
          "nightly-copy": {
            description: `Copy ${cfg.from} from the web host`,
            after: ["network-online.target"],
            wants: ["network-online.target"],
            startAt: [cfg.at],
            script: [
              `stamp=$(date +%Y-%m-%d)`,
              `rsync -a --delete "web:${cfg.from}/" "${cfg.to}/$stamp/"`,
              `ls -1d ${cfg.to}/*/ | head -n -${cfg.keep} | xargs -r rm -rf`,
              `touch ${cfg.to}/.done`,
            ].join("\n"),
            serviceConfig: { Type: "oneshot", Nice: 10, TimeoutStartSec: "2h" },
          },
          "copy-done": {
            description: "Announce a finished copy",
            script: `logger -t nightly-copy "copy finished: $(ls -1 ${cfg.to} | tail -n 1)"\nrm -f ${cfg.to}/.done`,
            serviceConfig: { Type: "oneshot" },
            wantedBy: [],
          },
          "last-copy@": {
            description: "Tell the time of the last copy",
            serviceConfig: { ExecStart: [`/bin/sh -c 'ls -1 ${cfg.to} | tail -n 1'`], extraConfig: { StandardInput: "socket" } },
            wantedBy: [],
          },
        },
        paths: { "copy-done": { description: "Watch for a finished copy", pathConfig: { PathExists: [`${cfg.to}/.done`] } } },
        sockets: {
          "last-copy": {
            description: "Last copy time on a local socket",
            socketConfig: { ListenStream: ["127.0.0.1:7070"], Accept: true },
          },
        },
        targets: {
          backups: {
            description: "Everything backups need",
            wants: ["nightly-copy.timer", "copy-done.path"],
            wantedBy: ["multi-user.target"],
          },
        },
      },
      healthChecks: { "copy-timer": { type: "unit", unit: "nightly-copy.timer" } },
    };
  },
});
