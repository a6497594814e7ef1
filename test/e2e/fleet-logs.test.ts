import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runScenario, type TestHost } from "roost/testing";
import { streamLogs } from "../../src/deploy/logs.ts";
import { reportHosts } from "../../src/deploy/report.ts";
import { domain, monitoredFleet as fleetFor, rootCa, until as untilEvery, withMonitoredEnv } from "./fixtures/monitored-fleet.ts";

const remote = "/var/log/journal/remote";
const hostEntry = "/usr/local/lib/roost/roost-host";

/** Polls every half second: a line takes about that long to arrive. */
const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | null>) => untilEvery(what, timeoutMs, probe, { everyMs: 500 });

/** The messages of one unit in the journal the server keeps for `stored` ("*": every host's). */
const stored = (server: TestHost, who: string, unit: string) =>
  server.succeed(`${hostEntry} logs ${unit} - - 0 cat '${who}'`).then((out) => out.trim().split("\n").filter(Boolean));

/** A line logged by a transient unit `unit` on `h`, and how long until it is stored under `as` on the server. */
async function shipped(h: TestHost, server: TestHost, unit: string, line: string, as = h.name): Promise<number> {
  await h.succeed(`systemd-run --unit=${unit} --wait -q /bin/echo ${line}`);
  const logged = Date.now();
  await until(`${line} from ${h.name} stored as ${as}`, 90_000, async () =>
    (await stored(server, as, `${unit}.service`)).includes(line) ? true : null,
  );
  return Date.now() - logged;
}

describe("fleet logs: every host's journal on the central host, under the name its token proves", { timeout: 600_000 }, () => {
  it("stores each host's lines under its name with the unit, refuses other tokens and ignores a forged hostname", async () => {
    await runScenario({
      fleet: fleetFor(null),
      async test({ hosts, deploy, secrets, ssh, onLab }) {
        const { cheetah, tiger, dino } = hosts as Record<string, TestHost>;
        await withMonitoredEnv(cheetah!, async (env) => {
          await deploy({ fleet: fleetFor(env) });

          // A line on each host reaches the server under that host's name, with its unit.
          for (const h of [cheetah!, tiger!, dino!]) {
            const ms = await shipped(h, cheetah!, `shout-${h.name}`, `hello-from-${h.name}`);
            console.log(
              `${h.name}: first line after the deploy (its whole journal goes first) stored on cheetah in ${(ms / 1000).toFixed(1)} s`,
            );
          }
          // Once caught up: how long a new line takes, each host five times.
          for (const h of [cheetah!, tiger!, dino!]) {
            const times: number[] = [];
            for (let i = 0; i < 5; i++) times.push(await shipped(h, cheetah!, `again-${h.name}-${i}`, `again-from-${h.name}-${i}`));
            console.log(
              `${h.name}: a new line stored on cheetah in ${times.map((t) => (t / 1000).toFixed(1)).join(", ")} s (polled every 0.5 s over SSH)`,
            );
          }
          // A unit's lines include systemd's own about it (Started, Deactivated): the echoed line is looked for among them.
          // Only tiger's directory holds tiger's line; the fleet-wide view holds all three.
          for (const other of ["cheetah", "dino"]) {
            assert.ok(!(await stored(cheetah!, other, "shout-tiger.service")).some((l) => l.includes("hello-from-tiger")), other);
          }
          for (const h of ["cheetah", "tiger", "dino"])
            assert.ok((await stored(cheetah!, "*", `shout-${h}.service`)).includes(`hello-from-${h}`), h);

          // The log path's health checks, as `roost status` runs them: the uploader on every host, a receiver per host on cheetah.
          const checksStarted = Date.now();
          const lab = onLab(fleetFor(null));
          const checks = async () =>
            Object.fromEntries(
              (
                await reportHosts(
                  ["cheetah", "tiger", "dino"].map((n) => [n, lab.hosts[n]!] as const),
                  ssh,
                )
              ).flatMap((r) =>
                (r.report?.checks ?? [])
                  .filter((c) => c.name.startsWith("journal-"))
                  .map((c) => [`${r.host} ${c.name}`, c.result === "ok" ? "ok" : `${c.result}: ${c.reason}`]),
              ),
            );
          const healthy = {
            "cheetah journal-upload": "ok",
            "tiger journal-upload": "ok",
            "dino journal-upload": "ok",
            "cheetah journal-remote-cheetah": "ok",
            "cheetah journal-remote-dino": "ok",
            "cheetah journal-remote-tiger": "ok",
          };
          assert.deepEqual(await checks(), healthy);
          // A stopped uploader and a stopped receiver are seen.
          await tiger!.succeed("systemctl stop roost-journal-upload");
          await cheetah!.succeed("systemctl stop journal-remote-dino");
          const dead = await checks();
          assert.match(dead["tiger journal-upload"]!, /^failed: .*roost-journal-upload\.service is dead/);
          assert.match(dead["cheetah journal-remote-dino"]!, /^failed: nothing listens on 127\.0\.0\.1:19601/);
          await tiger!.succeed("systemctl start roost-journal-upload");
          await cheetah!.succeed("systemctl start journal-remote-dino");
          assert.deepEqual(await checks(), healthy);
          console.log(
            `log path health checks: healthy, two stopped units seen, healthy again in ${((Date.now() - checksStarted) / 1000).toFixed(1)} s`,
          );

          // What `roost logs --fleet --host tiger --unit shout-tiger --since 1h -o cat` reads, over its SSH path.
          const out = new PassThrough();
          let text = "";
          out.on("data", (d: Buffer) => (text += d.toString("utf8")));
          const query = { unit: "shout-tiger.service", since: "-1h", lines: null, follow: false, output: "cat", fleet: "tiger" } as const;
          const code = await streamLogs("cheetah", onLab(fleetFor(null)).hosts.cheetah!, ssh, query, out).done;
          assert.equal(code, 0);
          assert.match(text, /^hello-from-tiger$/m);
          assert.doesNotMatch(text, /hello-from-(cheetah|dino)/);

          // The upload path: no token and an unknown token are 401 at the server's nginx.
          const upload = (auth: string | null) =>
            tiger!.succeed(
              `curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert ${rootCa} --resolve ${domain}:443:${cheetah!.address} -X POST -H 'Content-Type: application/vnd.fdo.journal' --data-binary $'MESSAGE=sneaked\\n\\n' ${auth === null ? "" : `-H 'Authorization: Bearer ${auth}'`} https://${domain}/upload`,
            );
          assert.equal(await upload(null), "401");
          assert.equal(await upload("wrong-token"), "401");
          assert.equal(await upload(`${secrets.values.monitoring_token_tiger!}x`), "401");

          // Entries tiger sends (through its own nginx, with its token) that claim to come from cheetah stay tiger's.
          const now = Date.now() * 1000;
          const forged = `MESSAGE=forged-by-tiger\\n_HOSTNAME=cheetah\\n_SYSTEMD_UNIT=forged.service\\n__REALTIME_TIMESTAMP=${now}\\n__MONOTONIC_TIMESTAMP=1\\n_BOOT_ID=0123456789abcdef0123456789abcdef\\n\\n`;
          assert.equal(
            await tiger!.succeed(
              `curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/vnd.fdo.journal' --data-binary $'${forged}' http://127.0.0.1:19531/upload`,
            ),
            "202",
          );
          await until("the forged entry, stored as tiger", 30_000, async () =>
            (await stored(cheetah!, "tiger", "forged.service")).includes("forged-by-tiger") ? true : null,
          );
          assert.ok(!(await stored(cheetah!, "cheetah", "forged.service")).includes("forged-by-tiger"));
          assert.match(
            await cheetah!.succeed(`journalctl --file='${remote}/tiger/*.journal' -u forged.service -o verbose`),
            /_HOSTNAME=cheetah/,
          );

          // dino away: what it logs meanwhile arrives when it is back (journal-upload kept its cursor).
          // The line is logged by a timer 5 s on, when dino cannot be reached any more (nor told to log).
          await dino!.succeed("systemd-run --unit=while-away --on-active=5 -q /bin/echo logged-while-away");
          await dino!.cutNetwork();
          await sleep(12_000);
          assert.ok(!(await stored(cheetah!, "dino", "while-away.service")).includes("logged-while-away"));
          await dino!.restoreNetwork();
          const back = Date.now();
          await until("dino's line from while it was away", 90_000, async () =>
            (await stored(cheetah!, "dino", "while-away.service")).includes("logged-while-away") ? true : null,
          );
          console.log(`dino back: the line it logged while away stored ${((Date.now() - back) / 1000).toFixed(1)} s later`);
        });
      },
    });
  });
});
