import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { redisArg } from "./conf.ts";
import { redis, redisUnit } from "./index.ts";

const build = (servers: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  buildHostFrom(
    defineFleet({
      hosts: { a: host({ address: "root@10.0.0.1", modules: [redis], config: { services: { redis: { servers } }, ...extra } as never }) },
    }),
    "a",
  );

describe("services.redis", () => {
  it("adds nothing to a host until a server is enabled", () => {
    const built = build({ cache: { enable: false } });
    assert.ok(!built.manifest.packages.includes("redis-server"));
    assert.ok(!built.paths.includes("/etc/systemd/system/redis-server.service"));
  });

  it('runs the server named "" as redis-server.service on 127.0.0.1:6379, replacing the packaged unit', () => {
    const built = build({ "": { enable: true } });
    assert.equal(redisUnit(""), "redis-server.service");
    assert.ok(built.manifest.packages.includes("redis-server"));
    const unit = built.file("/etc/systemd/system/redis-server.service");
    assert.match(unit, /^ExecStart=\/usr\/bin\/redis-server \/etc\/redis\/redis-server\.conf$/m);
    assert.match(unit, /^Type=notify$/m);
    assert.match(unit, /^User=redis$/m);
    assert.match(unit, /^StateDirectory=redis-server$/m);
    assert.equal(
      built.file("/etc/redis/redis-server.conf"),
      [
        '# Written by Roost from services.redis.servers."".',
        "daemonize no",
        "supervised systemd",
        "port 6379",
        "bind 127.0.0.1",
        "unixsocket /run/redis-server/redis.sock",
        "unixsocketperm 660",
        "dir /var/lib/redis-server",
        'logfile ""',
        "loglevel notice",
        "databases 16",
        "maxclients 10000",
        "save 900 1",
        "save 300 10",
        "save 60 10000",
        "appendonly no",
        "",
      ].join("\n"),
    );
    assert.deepEqual(built.config.networking.ports, {
      "redis-server": { port: 6379, protocol: "tcp", address: "127.0.0.1", option: ["services", "redis", "servers", "", "port"] },
    });
    assert.equal((built.manifest.healthChecks["redis-server"] as { port?: number }).port, 6379);
  });

  it("runs a named server as redis-<name>.service, socket only by default, and neutralises the packaged server", () => {
    const built = build({
      cache: { enable: true, maxmemory: "256M", maxmemoryPolicy: "allkeys-lru", save: [], settings: { "tcp-keepalive": 60 } },
    });
    const conf = built.file("/etc/redis/redis-cache.conf");
    assert.match(conf, /^port 0$/m);
    assert.match(conf, /^unixsocket \/run\/redis-cache\/redis\.sock$/m);
    assert.match(conf, /^save ""$/m);
    assert.match(conf, /^maxmemory 268435456$/m);
    assert.match(conf, /^maxmemory-policy allkeys-lru$/m);
    assert.match(conf, /^tcp-keepalive 60$/m);
    assert.deepEqual(built.config.networking.ports, {});
    assert.match(built.file("/etc/systemd/system/redis-cache.service"), /^RuntimeDirectory=redis-cache$/m);
    const vendor = built.file("/etc/systemd/system/redis-server.service");
    assert.match(vendor, /^ExecStart=\/bin\/true$/m);
    assert.match(vendor, /^RemainAfterExit=yes$/m);
  });

  it("gives the password to the server through a file written at start, never through the generation", () => {
    const built = build({ "": { enable: true, requirePassSecret: secret("redis_password") } });
    assert.match(built.file("/etc/redis/redis-server.conf"), /^include \/run\/redis-server\/auth\.conf\n$/m);
    assert.deepEqual(built.config.secrets["redis-server-password"], {
      ...built.config.secrets["redis-server-password"],
      secret: { secret: "redis_password" },
      owner: "redis",
    });
    const preStart = built.file("/etc/roost/units/redis-server.service/pre-start");
    assert.match(preStart, /sed 's\/\[\\\\"\]\/\\\\&\/g' \/run\/roost\/secrets\/redis-server-password/);
    assert.match(preStart, /> \/run\/redis-server\/auth\.conf$/m);
  });

  it("writes every argument so that Redis reads it back", () => {
    assert.equal(redisArg("plain-value_1.2"), "plain-value_1.2");
    assert.equal(redisArg('a "b" \\c'), '"a \\"b\\" \\\\c"');
    assert.equal(redisArg("line\nbreak"), '"line\\x0abreak"');
    assert.equal(redisArg(""), '""');
    assert.equal(redisArg(true), "yes");
    const built = build({ x: { enable: true, settings: { "rename-command": ["CONFIG", ""], "notify-keyspace-events": "Ex$" } } });
    assert.match(built.file("/etc/redis/redis-x.conf"), /^rename-command CONFIG ""$/m);
    assert.match(built.file("/etc/redis/redis-x.conf"), /^notify-keyspace-events "Ex\$"$/m);
  });

  it("refuses what the typed options write, bad names, and unreachable servers, with the line", () => {
    assert.throws(
      () => build({ x: { enable: true, settings: { port: 1 } } }),
      /servers\."x"\.settings\.port: written from the server's typed options[\s\S]*index\.test\.ts:\d+/,
    );
    assert.throws(() => build({ x: { enable: true, settings: { "Bad Key": 1 } } }), /redis\.conf directive/);
    assert.throws(() => build({ server: { enable: true } }), /the unit redis-server\.service belongs to the server named ""/);
    assert.throws(() => build({ "a b": { enable: true } }), /services\.redis\.servers[\s\S]*server name/);
    assert.throws(() => build({ x: { enable: true, unixSocket: null } }), /with port 0 and no unixSocket, nothing can reach the server/);
    assert.throws(() => build({ x: { enable: true, port: 6380, openFirewall: true } }), /bind has only loopback addresses/);
  });

  it("declares each server's port, so two on one port are an error naming both", () => {
    assert.throws(
      () => build({ "": { enable: true }, b: { enable: true, port: 6379 } }),
      /redis-b \(services\.redis\.servers\.b\.port\) and redis-server \(services\.redis\.servers\.""\.port\) both listen on tcp port 6379/,
    );
  });

  it("opens the port to allowed sources when it binds beyond loopback", () => {
    const built = build({ "": { enable: true, bind: ["0.0.0.0"], allowedSources: ["10.0.0.0/24"] } });
    assert.match(built.file("/etc/roost/firewall.nft"), /ip saddr \{ 10\.0\.0\.0\/24 \} tcp dport 6379 accept/);
    assert.equal((built.manifest.healthChecks["redis-server"] as { host?: string }).host, "127.0.0.1");
  });
});
