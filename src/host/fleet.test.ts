import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkIf, option, types as t } from "../core/index.ts";
import { errorOf } from "../core/test-support.ts";
import { deployTarget } from "./deployment/target.ts";
import { FleetEvaluation, defineFleet, host } from "./fleet.ts";
import { defineModule, type Node } from "./module.ts";

const web = defineModule({
  options: {
    web: {
      enable: option({ type: t.bool, default: false, description: "Serve the virtual hosts." }),
      virtualHosts: option({
        type: t.attrsOf(
          t.submodule({
            options: {
              root: option({ type: t.path, default: "/srv", description: "Where the files are." }),
              serverName: option({ type: t.str, description: "The name the host answers to.", defaultText: "<name>.<networking.domain>" }),
            },
            // A submodule reads its host, like nixpkgs' vhost options read the outer config.
            config: ({ name, host }) => ({ serverName: `${name}.${host.config.networking.domain ?? "lan"}` }),
          }),
        ),
        default: {},
        description: "Virtual hosts of the web server.",
      }),
    },
  },
});

const acme = defineModule({
  options: {
    web: {
      virtualHosts: option({
        type: t.attrsOf(
          t.submodule({ options: { enableACME: option({ type: t.bool, default: false, description: "Get a certificate." }) } }),
        ),
        description: "Virtual hosts, with certificates.",
      }),
    },
  },
});

describe("a module that extends another module's submodule", () => {
  it("gives each value the options of both, with defaults, typed in the host's config", () => {
    const fleet = defineFleet({
      hosts: {
        w: host({
          address: "root@10.0.0.1",
          modules: [web, acme],
          config: { networking: { domain: "example.org" }, web: { virtualHosts: { x: { enableACME: true }, y: { root: "/srv/y" } } } },
        }),
      },
    });
    const config = new FleetEvaluation(fleet).host("w").config as unknown as { web: { virtualHosts: Record<string, unknown> } };
    assert.deepEqual(config.web.virtualHosts, {
      x: { enableACME: true, root: "/srv", serverName: "x.example.org" },
      y: { enableACME: false, root: "/srv/y", serverName: "y.example.org" },
    });
  });
  it("types definitions and reads of the added option", () => {
    const extended = defineModule({ imports: [web, acme], config: { web: { virtualHosts: { z: { enableACME: true, root: "/srv/z" } } } } });
    const reader = defineModule({
      imports: [web, acme],
      config: ({ config }) => {
        const vh = config.web.virtualHosts["z"];
        const enabled: boolean | undefined = vh?.enableACME;
        const root: string | undefined = vh?.root;
        // @ts-expect-error a misspelt field of the added submodule is a compile error
        void vh?.enableAcme;
        return { files: { "/etc/z": { text: `${enabled} ${root}\n` } } };
      },
    });
    // @ts-expect-error a value of the wrong type for the added option is a compile error
    host({ address: "h", modules: [web, acme], config: { web: { virtualHosts: { x: { enableACME: "yes" } } } } });
    const fleet = defineFleet({ hosts: { w: host({ address: "w", modules: [extended, reader] }) } });
    const config = new FleetEvaluation(fleet).host("w").config;
    assert.equal(config.files["/etc/z"]!.text, "true /srv/z\n");
    assert.deepEqual((config as any).web.virtualHosts.z, { enableACME: true, root: "/srv/z", serverName: "z.lan" });
  });
});

describe("submodule config functions", () => {
  it("read the host's final config and every other host through nodes", () => {
    const monitored = defineModule({
      options: {
        probes: option({
          type: t.attrsOf(
            t.submodule({
              options: { url: option({ type: t.str, description: "What to probe." }) },
              config: ({ name, host, nodes }) => ({
                url: `http://${nodes[name]!.config.networking.addresses[0]}:${host.config.deployment.targetPort ?? 80}/`,
              }),
            }),
          ),
          default: {},
          description: "Hosts to probe.",
        }),
      },
    });
    const fleet = defineFleet({
      hosts: {
        mon: host({
          address: "ssh://root@10.0.0.9:2222",
          modules: [monitored],
          config: ({ nodes }) => ({
            probes: Object.fromEntries(
              Object.keys(nodes)
                .filter((n) => n !== "mon")
                .map((n) => [n, {}]),
            ),
          }),
        }),
        db: host({ address: "root@10.0.0.2", config: { networking: { addresses: ["db.lan"] } } }),
      },
    });
    assert.deepEqual((new FleetEvaluation(fleet).host("mon").config as any).probes, { db: { url: "http://db.lan:2222/" } });
  });
  it("report a cycle when a submodule reads the option it belongs to", () => {
    const selfish = defineModule({
      options: {
        items: option({
          type: t.attrsOf(
            t.submodule({
              options: { count: option({ type: t.int, description: "How many items there are." }) },
              config: ({ host }) => ({ count: Object.keys(host.config.items as object).length }),
            }),
          ),
          default: {},
          description: "Items.",
        }),
      },
    });
    const fleet = defineFleet({ hosts: { h: host({ address: "h", modules: [selfish], config: { items: { a: {} } } }) } });
    assert.match(
      errorOf(() => (new FleetEvaluation(fleet).host("h").config as any).items),
      /infinite recursion: items depends on itself/,
    );
  });
});

describe("reading other hosts", () => {
  const backup = defineModule({
    options: { backup: { enable: option({ type: t.bool, default: false, description: "Back this host up." }) } },
  });
  const fleet = defineFleet({
    hosts: {
      app: host({ address: "root@10.0.0.3", modules: [backup], config: { backup: { enable: true } } }),
      store: host({
        address: "root@10.0.0.4",
        config: ({ nodes }) => ({
          files: {
            "/etc/backup-sources": {
              text: Object.entries(nodes)
                .filter(([, n]) => n.has("backup.enable") && n.config.backup.enable)
                .map(([name]) => `${name}\n`)
                .join(""),
            },
          },
        }),
      }),
    },
  });
  const ev = new FleetEvaluation(fleet);

  it("an option the other host does not declare reads as undefined, and has() tells", () => {
    const nodes: Record<string, Pick<Node, "config">> = {
      app: { config: ev.host("app").lenientConfig },
      store: { config: ev.host("store").lenientConfig },
    };
    assert.equal(nodes.store!.config.backup, undefined);
    assert.equal(nodes.app!.config.backup.enable, true);
    assert.equal(ev.host("store").config.files["/etc/backup-sources"]!.text, "app\n");
  });
  it("the host's own config still refuses a misspelt option", () => {
    assert.match(
      errorOf(() => (ev.host("app").config as any).bakup),
      /the option bakup does not exist[\s\S]*did you mean backup\?/,
    );
  });
});

describe("host identity", () => {
  it("host({ address, hostKey }) sets the deployment options; the deploy target reads them back", () => {
    const fleet = defineFleet({
      hosts: {
        a: host({ address: "deploy@10.0.0.1", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJ5example" }),
        b: host({ address: "ssh://root@[2001:db8::2]:2222" }),
        c: host({ address: "c-alias" }),
      },
    });
    const ev = new FleetEvaluation(fleet);
    const a = ev.host("a").config.deployment;
    assert.deepEqual(
      [a.targetHost, a.targetUser, a.targetPort, a.hostKey],
      ["10.0.0.1", "deploy", null, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJ5example"],
    );
    assert.deepEqual(deployTarget(ev.host("a")), {
      address: "deploy@10.0.0.1",
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJ5example",
    });
    assert.deepEqual(deployTarget(ev.host("b")), { address: "ssh://root@[2001:db8::2]:2222", hostKey: undefined });
    assert.deepEqual(deployTarget(ev.host("c")), { address: "c-alias", hostKey: undefined });
    assert.deepEqual(ev.host("c").config.networking.addresses, ["c-alias"]);
  });
  it("a definition in the config wins over the address shorthand", () => {
    const fleet = defineFleet({
      hosts: { a: host({ address: "root@10.0.0.1", config: { deployment: { targetHost: "a.example.org", targetPort: 2222 } } }) },
    });
    assert.deepEqual(deployTarget(new FleetEvaluation(fleet).host("a")), { address: "ssh://root@a.example.org:2222", hostKey: undefined });
  });
  it("other hosts read each other's addresses and tags", () => {
    const fleet = defineFleet({
      hosts: {
        db: host({
          address: "root@10.0.0.2",
          config: { deployment: { tags: ["db", "eu"] }, networking: { addresses: ["10.1.0.2", "db.internal"] } },
        }),
        app: host({
          address: "root@10.0.0.3",
          config: ({ nodes }) => ({
            deployment: { tags: ["web", "eu"] },
            files: {
              "/etc/app/db": { text: `${nodes.db!.config.networking.addresses[0]} ${nodes.db!.config.deployment.tags.join(",")}\n` },
            },
          }),
        }),
      },
    });
    const ev = new FleetEvaluation(fleet);
    assert.equal(ev.host("app").config.files["/etc/app/db"]!.text, "10.1.0.2 db,eu\n");
    assert.deepEqual(ev.host("app").config.networking.addresses, ["10.0.0.3"]);
  });
  it("refuses a tag that is not a plain name and an address it cannot read", () => {
    const bad = defineFleet({ hosts: { a: host({ address: "a", config: { deployment: { tags: ["@web"] } } }) } });
    assert.match(
      errorOf(() => new FleetEvaluation(bad).host("a").config.deployment.tags),
      /deployment\.tags\[0\]: expected tag/,
    );
    assert.match(
      errorOf(() => new FleetEvaluation(defineFleet({ hosts: { a: host({ address: "root@host:22" }) } }))),
      /hosts\.a\.address: cannot read "root@host:22"/,
    );
  });
});

describe("a service declared fleet-wide and enabled per host", () => {
  it("is off where the host does not enable it", () => {
    const cache = defineModule({
      options: { services: { cache: { enable: option({ type: t.bool, default: false, description: "Run the cache." }) } } },
      config: ({ config }) => mkIf(config.services.cache.enable, { packages: ["memcached"] }),
    });
    const fleet = defineFleet({
      modules: [cache],
      // Listing the module again types the host's config; a module is imported once however often it is listed.
      hosts: { a: host({ address: "a", modules: [cache], config: { services: { cache: { enable: true } } } }), b: host({ address: "b" }) },
    });
    const ev = new FleetEvaluation(fleet);
    assert.ok(ev.host("a").config.packages.includes("memcached"));
    assert.ok(!ev.host("b").config.packages.includes("memcached"));
    assert.equal((ev.host("b").lenientConfig as Node["config"]).services.cache.enable, false);
  });
});
