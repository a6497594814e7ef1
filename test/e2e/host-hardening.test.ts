import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildHost } from "../../src/build/generation.ts";
import { bootstrapHost } from "../../src/deploy/bootstrap.ts";
import { deployHost } from "../../src/deploy/deploy-host.ts";
import { rollbackHost } from "../../src/deploy/generations.ts";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { run } from "../../src/run-command.ts";
import { runScenario } from "../../src/testing/scenario.ts";
import type { TestHost } from "../../src/testing/test-host.ts";
import { testFleet } from "./test-fleet.ts";

const fleet = (config: object = {}) => testFleet(["alpha"], () => config);
const extraKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOBc3Qm7oVtq6ZC3kmgSNeX+hsvlJFTYTCYBkCZNbSbF extra@roost-test";

/** Everything outside Roost's own state that a deploy could touch: files with owner, mode and content, accounts, the current generation. */
async function snapshot(h: TestHost): Promise<string> {
  return h.succeed(
    [
      "find /etc /srv /home /root /tmp -xdev \\( -type f -o -type l -o -type d \\) -printf '%p %y %m %u %g %s %l\\n' | sort | sha256sum",
      "sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow",
      "find /etc /srv /home /root -xdev -type f -newer /var/lib/roost/snapshot-mark -print",
      "readlink /var/lib/roost/current",
      "systemctl show -p ActiveEnterTimestampMonotonic --value greeter.service",
    ].join("; "),
  );
}

describe("a hardened host side", { timeout: 900_000 }, () => {
  it("manages only accounts it created, refuses links as file targets, and a refused deploy changes nothing", async () => {
    await runScenario({
      fleet: fleet(),
      async test({ hosts, deploy, lab }) {
        const alpha = hosts.alpha!;
        const labKey = readFileSync(`${lab.identity}.pub`, "utf8").trim();
        await deploy();

        // An account that was on the host before: without the opt-in, the deploy is refused before anything changes.
        await alpha.succeed("useradd -m -G adm alice && touch /var/lib/roost/snapshot-mark && sleep 1");
        const before = await snapshot(alpha);
        const [refused] = await deploy({
          fleet: fleet({ greeter: { message: "changed" }, users: { users: { alice: { extraGroups: ["sudo"] } } } }),
          allowFailure: true,
        });
        assert.equal(refused!.status, "failed");
        assert.match(
          refused!.error!,
          /users\.users\.alice: the account alice already exists on this host and Roost did not create it; set users\.users\.alice\.existing = true/,
        );
        assert.notEqual(refused!.rolledBack, true, "nothing to roll back: nothing changed");
        assert.equal(await snapshot(alpha), before);
        assert.equal((await alpha.succeed("id -nG alice")).trim(), "alice adm");
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");

        // root, with the opt-in: only its authorized_keys, in the home passwd names.
        const rootPasswd = await alpha.succeed("getent passwd root; id -G root");
        const [withRoot] = await deploy({
          fleet: fleet({ users: { users: { root: { existing: true, authorizedKeys: [labKey, extraKey] } } } }),
        });
        assert.equal(withRoot!.status, "deployed");
        assert.equal(await alpha.succeed("getent passwd root; id -G root"), rootPasswd);
        assert.equal(await alpha.succeed("cat /root/.ssh/authorized_keys"), `${labKey}\n${extraKey}\n`);
        assert.equal((await alpha.succeed("stat -c '%U %G %a' /root/.ssh/authorized_keys")).trim(), "root root 600");
        await alpha.fail("test -e /home/root");

        // A user Roost created is Roost's: its settings follow the generation, and go back with a rollback.
        const withBob = (shell: string, extra: object = {}) =>
          fleet({ users: { users: { root: { existing: true, authorizedKeys: [labKey] }, bob: { shell } } }, ...extra });
        await deploy({ fleet: withBob("/bin/bash") });
        assert.match(await alpha.succeed("cat /var/lib/roost/accounts"), /^user bob$/m);
        const [broken] = await deploy({
          fleet: withBob("/bin/sh", { greeter: { message: "broken", expectBody: "never" }, healthChecks: { greeter: { timeout: 3 } } }),
          allowFailure: true,
        });
        assert.equal(broken!.rolledBack, true);
        assert.equal((await alpha.succeed("getent passwd bob | cut -d: -f7")).trim(), "/bin/bash");

        // The last component of a file's path swapped for a symlink: refused, nothing written through it.
        await alpha.succeed(
          "rm /srv/greeter/index.html && echo untouched > /tmp/target && ln -s /tmp/target /srv/greeter/index.html && touch /var/lib/roost/snapshot-mark && sleep 1",
        );
        const linked = await snapshot(alpha);
        const [redirected] = await deploy({ fleet: withBob("/bin/bash", { greeter: { message: "through a link" } }), allowFailure: true });
        assert.equal(redirected!.status, "failed");
        assert.match(redirected!.error!, /refusing to write \/srv\/greeter\/index\.html: it is a symbolic link/);
        assert.equal((await alpha.succeed("cat /tmp/target")).trim(), "untouched");
        assert.equal(await snapshot(alpha), linked);

        // A directory there: refused too (mv would have put the file inside it).
        await alpha.succeed("rm /srv/greeter/index.html && mkdir /srv/greeter/index.html");
        const [intoDir] = await deploy({ fleet: withBob("/bin/bash", { greeter: { message: "into a directory" } }), allowFailure: true });
        assert.match(intoDir!.error!, /refusing to write \/srv\/greeter\/index\.html: it is a directory/);
        assert.equal((await alpha.succeed("ls -A /srv/greeter/index.html")).trim(), "");

        await alpha.succeed("rmdir /srv/greeter/index.html");
        const [repaired] = await deploy({ fleet: withBob("/bin/bash", { greeter: { message: "repaired" } }) });
        assert.equal(repaired!.status, "deployed");
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "repaired");

        // A receive in progress (its pin names a live process) keeps the store from being collected.
        const orphan = `/var/lib/roost/store/${"0".repeat(64)}`;
        await alpha.succeed(
          `systemd-run --unit=receiving sleep 600 && echo x > ${orphan} && echo id > /var/lib/roost/pins/$(systemctl show -p MainPID --value receiving)`,
        );
        const [whilePinned] = await deploy({ fleet: withBob("/bin/bash", { greeter: { message: "pinned" } }) });
        assert.equal(whilePinned!.status, "deployed");
        await alpha.succeed(`test -e ${orphan}`);
        await alpha.succeed("systemctl stop receiving");
        await deploy({ fleet: withBob("/bin/bash", { greeter: { message: "unpinned" } }) });
        await alpha.fail(`test -e ${orphan}`);
      },
    });
  });

  it("a deploy user with one sudoers line deploys and rolls back, and can do nothing else as root", async () => {
    await runScenario({
      fleet: fleet(),
      async test({ hosts, deploy, lab, onLab, ssh }) {
        const alpha = hosts.alpha!;
        const labKey = readFileSync(`${lab.identity}.pub`, "utf8").trim();
        const base = { packages: ["sudo"], users: { users: { deploy: { authorizedKeys: [labKey] } } } };
        await deploy({ fleet: fleet(base) });
        const asRoot = onLab(fleet(base)).hosts.alpha!;
        assert.match(
          await bootstrapHost("alpha", asRoot, "deploy", ssh),
          /installed \/usr\/local\/lib\/roost\/roost-host and \/etc\/sudoers\.d\/roost-deploy/,
        );
        assert.equal(
          (await alpha.succeed("cat /etc/sudoers.d/roost-deploy")).trim(),
          "deploy ALL=(root) NOPASSWD: /usr/local/lib/roost/roost-host",
        );
        assert.equal(
          (await alpha.succeed("stat -c '%U %a' /usr/local/lib/roost/roost-host /usr/local/lib/roost/scripts/receive.sh")).trim(),
          "root 755\nroot 644",
        );

        const asDeploy = (message: string) => {
          const f = onLab(fleet({ ...base, greeter: { message } }));
          const gen = buildHost("alpha", new FleetEvaluation(f).host("alpha"));
          return { host: { ...f.hosts.alpha!, address: `deploy@${alpha.address}` }, gen };
        };
        const first = asDeploy("from the deploy user");
        const r = await deployHost("alpha", first.host, first.gen, { ssh });
        assert.equal(r.status, "deployed", r.error);
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "from the deploy user");

        const back = await rollbackHost("alpha", first.host, ssh);
        assert.notEqual(back.to, back.from);
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");

        const asUser = (command: string) => run("ssh", ["-F", lab.sshConfig, `deploy@${alpha.address}`, command]);
        assert.equal((await asUser("id -un")).stdout.trim(), "deploy");
        for (const command of [
          "sudo -n bash -c id",
          "sudo -n id",
          "sudo -n /bin/sh -c id",
          "sudo -n /usr/local/lib/roost/roost-host shell",
          "sudo -n /usr/local/lib/roost/roost-host receive ../../etc 1 upload < /dev/null",
        ]) {
          const refused = await asUser(command);
          assert.notEqual(refused.code, 0, `${command} was allowed: ${refused.stdout}`);
          assert.doesNotMatch(refused.stdout, /uid=0/);
        }
      },
    });
  });
});
