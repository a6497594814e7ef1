import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { containers, nspawnHostProfile, readImageArchive } from "./index.ts";

type Settings = Parameters<typeof host>[0]["config"];
const build = (config: object) =>
  buildHostFrom(defineFleet({ hosts: { a: host({ address: "root@10.0.0.1", modules: [containers], config: config as Settings }) } }), "a");
const oci = (containersConfig: object, more: object = {}) => ({
  virtualisation: { "oci-containers": { containers: containersConfig, ...more } },
});
const profiled = (c: { virtualisation: object }) => ({ virtualisation: { ...nspawnHostProfile.virtualisation, ...c.virtualisation } });
const line = (text: string, key: string) => text.split("\n").filter((l) => l.startsWith(`${key}=`));

const dir = mkdtempSync(path.join(tmpdir(), "roost-containers-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");
const tar = (out: string, from: string, files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) {
    execFileSync("mkdir", ["-p", path.dirname(path.join(from, name))]);
    writeFileSync(path.join(from, name), text);
  }
  execFileSync("tar", ["--format=ustar", "-cf", out, "-C", from, ...Object.keys(files)]);
  return out;
};
const config = '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}';
const dockerArchive = tar(path.join(dir, "docker.tar"), path.join(dir, "d"), {
  "manifest.json": JSON.stringify([{ Config: `${sha256(config)}.json`, RepoTags: ["localhost/app:1"], Layers: [] }]),
  [`${sha256(config)}.json`]: config,
});

describe("virtualisation.oci-containers", () => {
  it("adds nothing to a host without containers", () => {
    const built = build({});
    assert.ok(!built.manifest.packages.includes("podman"));
    assert.ok(!built.paths.some((p) => p.includes("podman")));
  });

  it("runs each container from its own unit: podman run --replace, notify through conmon, journald under its name, stop with a timeout", () => {
    const built = build(
      oci({
        web: {
          image: "docker.io/library/nginx:1.25.4",
          cmd: ["nginx", "-g", "daemon off;"],
          environment: { GREETING: "50% $off" },
          ports: ["8080:80", { hostPort: 5353, containerPort: 53, protocol: "udp", hostAddress: "0.0.0.0" }],
          volumes: [
            "/etc/web.conf:/etc/nginx/nginx.conf:ro",
            { source: "/srv/web", target: "/data", owner: "101:101" },
            "cache:/var/cache/nginx",
          ],
          user: "101:101",
          workdir: "/data",
          after: ["postgresql.service"],
          requires: ["postgresql.service"],
        },
        worker: { image: "docker.io/library/busybox:1.36", dependsOn: ["web"], restart: "on-failure", autoStart: false },
      }),
    );
    const unit = built.file("/etc/systemd/system/podman-web.service");
    assert.deepEqual(line(unit, "ExecStart"), [
      "ExecStart=/usr/bin/podman run --name=web --rm --replace --sdnotify=conmon -d --cgroups=no-conmon --log-driver=journald --log-opt=tag=web --pull=missing " +
        "--publish=127.0.0.1:8080:80/tcp --publish=0.0.0.0:5353:53/udp --volume=/etc/web.conf:/etc/nginx/nginx.conf:ro --volume=/srv/web:/data --volume=cache:/var/cache/nginx " +
        '"--env=GREETING=50%% $$off" --user=101:101 --workdir=/data docker.io/library/nginx:1.25.4 nginx -g "daemon off;"',
    ]);
    assert.deepEqual(line(unit, "Type"), ["Type=notify"]);
    assert.deepEqual(line(unit, "NotifyAccess"), ["NotifyAccess=all"]);
    assert.deepEqual(line(unit, "SyslogIdentifier"), ["SyslogIdentifier=web"]);
    assert.deepEqual(line(unit, "ExecStop"), ["ExecStop=/usr/bin/podman stop --ignore -t 10 web"]);
    assert.deepEqual(line(unit, "Restart"), ["Restart=always"]);
    assert.deepEqual(line(unit, "Requires"), ["Requires=postgresql.service"]);
    assert.ok(line(unit, "After").includes("After=postgresql.service"));
    assert.match(unit, /^WantedBy=multi-user\.target$/m);
    // The data directory gets its numeric owner before each start.
    assert.equal(
      built.file("/etc/roost/units/podman-web.service/pre-start").trim().split("\n").at(-1),
      "install -d -m 0750 -o 101 -g 101 /srv/web",
    );

    const worker = built.file("/etc/systemd/system/podman-worker.service");
    assert.deepEqual(line(worker, "Requires"), ["Requires=podman-web.service"]);
    assert.ok(line(worker, "After").includes("After=podman-web.service"));
    assert.deepEqual(line(worker, "Restart"), ["Restart=on-failure"]);
    assert.doesNotMatch(worker, /WantedBy/);
    assert.equal(built.manifest.healthChecks["podman-worker"], undefined, "a container that does not start at boot is not checked");

    // Both published ports are declared; the firewall opens neither.
    assert.deepEqual(
      Object.values(built.config.networking.ports).map((p: any) => `${p.address}:${p.port}/${p.protocol}`),
      ["127.0.0.1:8080/tcp", "0.0.0.0:5353/udp"],
    );
    assert.doesNotMatch(built.file("/etc/roost/firewall.nft"), /8080|5353/);
    assert.deepEqual(built.manifest.healthChecks["podman-web"], { type: "unit", unit: "podman-web.service", timeout: 30 });
    assert.ok(built.manifest.packages.includes("podman") && built.manifest.packages.includes("aardvark-dns"));
    // Debian's packaged CNI config would otherwise make podman pick CNI.
    assert.match(built.file("/etc/containers/containers.conf"), /^\[network\]\nnetwork_backend = "netavark"$/m);
  });

  it("declares networks as podman's own files, opens their DNS to the containers, and joins containers to them", () => {
    const built = build(
      oci(
        { api: { image: "localhost/api:1", networks: ["app"] } },
        { networks: { app: {}, db: { subnet: "10.90.0.0/24", internal: true } } },
      ),
    );
    const app = JSON.parse(built.file("/etc/containers/networks/app.json"));
    assert.equal(app.network_interface, "ctr-app");
    assert.equal(app.dns_enabled, true);
    assert.match(app.subnets[0].subnet, /^10\.89\.\d+\.0\/24$/);
    const db = JSON.parse(built.file("/etc/containers/networks/db.json"));
    assert.deepEqual(db.subnets, [{ subnet: "10.90.0.0/24", gateway: "10.90.0.1" }]);
    assert.equal(db.internal, true);
    assert.match(built.file("/etc/systemd/system/podman-api.service"), / --network=app /);
    const nft = built.file("/etc/roost/firewall.nft");
    assert.match(nft, /iifname "ctr-app" udp dport 53 accept/);
    assert.match(nft, /iifname "ctr-db" tcp dport 53 accept/);
  });

  it("takes variables from secrets outputs without writing a value into the unit, and restarts with them", () => {
    const built = build({
      secrets: { "api-env": { environment: { DB_PASSWORD: secret("db_password"), API_TOKEN: secret("api_token") } } },
      ...oci({ api: { image: "localhost/api:1", environmentFiles: ["api-env"] } }),
    });
    const unit = built.file("/etc/systemd/system/podman-api.service");
    assert.deepEqual(line(unit, "EnvironmentFile"), ["EnvironmentFile=/run/roost/secrets/api-env"]);
    assert.match(line(unit, "ExecStart")[0]!, / --env=API_TOKEN --env=DB_PASSWORD localhost\/api:1$/);
    assert.deepEqual(built.config.systemd.services["podman-api"]!.secrets, ["api-env"]);
  });

  it("ships an image archive with the generation and loads it only when the host lacks that image id", () => {
    assert.deepEqual(readImageArchive(dockerArchive), { id: sha256(config), format: "docker-archive" });
    const built = build(oci({ app: { image: "localhost/app:1", imageFile: dockerArchive, pullPolicy: "never" } }));
    assert.ok(built.paths.includes("/var/lib/roost-containers/images/app.tar"));
    const script = built.file("/etc/roost/units/podman-app.service/pre-start");
    assert.match(script, new RegExp(`if \\[ "\\$\\{have#sha256:\\}" != ${sha256(config)} \\]; then`));
    assert.match(script, /podman load -q -i \/var\/lib\/roost-containers\/images\/app\.tar/);
    assert.match(script, new RegExp(`podman tag ${sha256(config)} localhost/app:1`));
    assert.match(built.file("/etc/systemd/system/podman-app.service"), / --pull=never /);
  });

  it("reads the image id of an oci-archive from its config digest", () => {
    const manifest = JSON.stringify({ schemaVersion: 2, config: { digest: `sha256:${sha256(config)}` }, layers: [] });
    const archive = tar(path.join(dir, "oci.tar"), path.join(dir, "o"), {
      "index.json": JSON.stringify({ schemaVersion: 2, manifests: [{ digest: `sha256:${sha256(manifest)}` }] }),
      [`blobs/sha256/${sha256(manifest)}`]: manifest,
      "oci-layout": '{"imageLayoutVersion":"1.0.0"}',
    });
    assert.deepEqual(readImageArchive(archive), { id: sha256(config), format: "oci-archive" });
    assert.match(readImageArchive(path.join(dir, "missing.tar")) as string, /cannot read .*ENOENT/);
  });

  it("runs the runtime's health command as the host's health check, so a failing container rolls the deploy back", () => {
    const built = build(
      oci({
        web: { image: "localhost/web:1", healthCommand: ["/bin/wget", "-q", "http://127.0.0.1/"], healthInterval: "10s", healthTimeout: 5 },
      }),
    );
    assert.match(
      line(built.file("/etc/systemd/system/podman-web.service"), "ExecStart")[0]!,
      / "--health-cmd=\[\\"\/bin\/wget\\",\\"-q\\",\\"http:\/\/127\.0\.0\.1\/\\"\]" --health-interval=10s /,
    );
    assert.deepEqual(built.manifest.healthChecks["podman-web"], {
      type: "command",
      command: ["/usr/bin/podman", "healthcheck", "run", "web"],
      expectExitCode: 0,
      user: null,
      timeout: 5,
    });
  });

  it("writes the host profile's containers.conf and storage.conf, and then leaves cgroups to containers.conf", () => {
    const built = build(profiled(oci({ web: { image: "localhost/web:1" } })));
    assert.equal(
      built.file("/etc/containers/containers.conf"),
      '[containers]\ncgroups = "disabled"\nkeyring = false\n\n[network]\nnetwork_backend = "netavark"\n',
    );
    assert.match(built.file("/etc/containers/storage.conf"), /^driver = "vfs"$/m);
    assert.doesNotMatch(built.file("/etc/systemd/system/podman-web.service"), /--cgroups/);
  });

  it("runs containers with docker as the backend", () => {
    const built = build({
      virtualisation: {
        "oci-containers": {
          backend: "docker",
          networks: { app: {} },
          containers: { web: { image: "docker.io/library/nginx:1.25.4", networks: ["app"] } },
        },
      },
    });
    const unit = built.file("/etc/systemd/system/docker-web.service");
    assert.match(line(unit, "ExecStart")[0]!, /^ExecStart=\/usr\/bin\/docker run --name=web --rm --log-driver=journald /);
    assert.deepEqual(line(unit, "Type"), ["Type=simple"]);
    assert.ok(line(unit, "Requires").includes("Requires=docker-network-app.service"));
    assert.match(
      built.file("/etc/roost/units/docker-network-app.service/start"),
      /docker network create .*--opt=com\.docker\.network\.bridge\.name=ctr-app/,
    );
    assert.ok(built.manifest.packages.includes("docker.io"));
  });
});

describe("roost check refuses", () => {
  const refuses = (config: object, ...patterns: RegExp[]) => {
    assert.throws(
      () => build(config),
      (e: Error) => {
        for (const p of patterns) assert.match(String(e), p);
        return true;
      },
    );
  };
  const here = /src\/services\/containers\/index\.test\.ts:\d+:\d+/;

  it("an image without a tag, or tagged latest, unless allowUnpinned", () => {
    refuses(
      oci({ web: { image: "docker.io/library/nginx" } }),
      /virtualisation\.oci-containers\.containers\.web\.image: docker\.io\/library\/nginx is not pinned: it has no tag/,
      new RegExp(`containers\\.web\\.image: defined at ${here.source}`),
    );
    refuses(oci({ web: { image: "docker.io/library/nginx:latest" } }), /is not pinned: latest moves/);
    assert.doesNotThrow(() => build(oci({ web: { image: "docker.io/library/nginx:latest", allowUnpinned: true } })));
    assert.doesNotThrow(() => build(oci({ web: { image: `docker.io/library/nginx@sha256:${sha256("x")}` } })));
    refuses(
      oci({ web: { image: "nginx:1.25" } }),
      /names no registry, and podman resolves no short names: write e\.g\. docker\.io\/library\/nginx:1\.25/,
    );
  });

  it("two containers publishing one port, naming both lines", () => {
    refuses(
      oci({
        web: { image: "localhost/web:1", ports: ["8080:80"] },
        api: { image: "localhost/api:1", ports: [{ hostPort: 8080, containerPort: 3000 }] },
      }),
      /container api port 1 \(virtualisation\.oci-containers\.containers\.api\.ports\) and container web port 1 \(virtualisation\.oci-containers\.containers\.web\.ports\) both listen on tcp port 8080/,
      new RegExp(`containers\\.api\\.ports: defined at ${here.source}`),
      new RegExp(`containers\\.web\\.ports: defined at ${here.source}`),
    );
  });

  it("a network that is not declared", () => {
    refuses(
      oci({ web: { image: "localhost/web:1", networks: ["backend"] } }, { networks: { front: {} } }),
      /containers\.web\.networks: the network backend is not declared in virtualisation\.oci-containers\.networks \(it has front\)/,
      new RegExp(`containers\\.web\\.networks: defined at ${here.source}`),
    );
  });

  it("a volume owner that is not numeric", () => {
    refuses(
      oci({ db: { image: "localhost/db:1", volumes: [{ source: "/srv/db", target: "/var/lib/mysql", owner: "mysql:mysql" }] } }),
      /containers\.db\.volumes\[0\]\.owner: expected null or numeric owner "uid:gid"/,
      new RegExp(`"mysql:mysql" +defined in ${here.source}`),
    );
  });

  it("a missing dependency, a secret that is not an environment, limits without cgroups and an archive that is not one", () => {
    refuses(oci({ web: { image: "localhost/web:1", dependsOn: ["db"] } }), /containers\.web\.dependsOn: there is no container db/);
    refuses(
      { secrets: { raw: { secret: secret("x") } }, ...oci({ web: { image: "localhost/web:1", environmentFiles: ["raw", "nope"] } }) },
      /secrets\.raw is not written with environment/,
      /there is no secrets\.nope/,
    );
    refuses(
      profiled(oci({ web: { image: "localhost/web:1", memory: "256M" } })),
      /containers\.web\.memory: limits need cgroups, which virtualisation\.containers\.containersConf\.settings turns off/,
    );
    const other = '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0"]}}';
    const otherArchive = tar(path.join(dir, "other.tar"), path.join(dir, "other"), {
      "manifest.json": JSON.stringify([{ Config: "c.json", RepoTags: ["localhost/app:1"], Layers: [] }]),
      "c.json": other,
    });
    refuses(
      oci({ a: { image: "localhost/app:1", imageFile: dockerArchive }, b: { image: "localhost/app:1", imageFile: otherArchive } }),
      /containers\.a\.imageFile and virtualisation\.oci-containers\.containers\.b\.imageFile are different images under one name, localhost\/app:1/,
    );
    writeFileSync(path.join(dir, "not.tar"), "hello");
    refuses(oci({ web: { image: "localhost/web:1", imageFile: path.join(dir, "not.tar") } }), /containers\.web\.imageFile: .*not\.tar/);
  });
});
