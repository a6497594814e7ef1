// A local ACME server for tests: Debian's pebble, with pebble-challtestsrv as the DNS server its
// validation uses, so that a name on a certificate resolves to the test host that asked for it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runOk } from "../run-command.ts";

export interface AcmeServer {
  /** The ACME directory, e.g. https://10.231.0.1:14000/dir: security.acme.defaults.server. */
  readonly directoryUrl: string;
  /** pebble's own TLS certificate (PEM): what an ACME client trusts to reach the directory (serverCaFile). */
  readonly serverCaPem: string;
  /** The root that issues the certificates (PEM), as a client verifying a site trusts it; new on every start. */
  issuingRootPem(): Promise<string>;
  /** Resolve `name` (for pebble's HTTP-01 validation) to `address`, a test host's. */
  addHost(name: string, address: string): Promise<void>;
  /** What pebble and challtestsrv printed so far, line by line (for a failing test's message). */
  log(): readonly string[];
  /** Stop both servers and remove their files. */
  close(): Promise<void>;
}

/** A free TCP port on `host`, from the kernel. */
async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function request(url: string, options: https.RequestOptions & { body?: string } = {}): Promise<{ status: number; body: string }> {
  const get = url.startsWith("https:") ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = get(url, { ...options, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.end(options.body);
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, children: ChildProcess[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`${what}: ${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode})`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Start pebble on `address` (the lab's gateway, which test hosts reach), with validation that
 * really fetches http://<name>/.well-known/acme-challenge/… from the host `addHost` names.
 */
export async function startAcmeServer({ address }: { readonly address: string }): Promise<AcmeServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "roost-acme-"));
  const children: ChildProcess[] = [];
  const log: string[] = [];
  const close = async () => {
    await Promise.all(children.map(stop));
    rmSync(dir, { recursive: true, force: true });
  };
  const killOnExit = () => children.forEach((c) => c.kill("SIGKILL"));
  process.once("exit", killOnExit);
  try {
    const [acmePort, managementPort, dnsPort, challengePort] = [
      await freePort(address),
      await freePort("127.0.0.1"),
      await freePort(address),
      await freePort("127.0.0.1"),
    ];
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    await runOk("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=pebble"],
      ...["-addext", `subjectAltName=IP:${address},IP:127.0.0.1,DNS:localhost`, "-keyout", key, "-out", cert],
    ]);
    const config = path.join(dir, "pebble-config.json");
    writeFileSync(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `${address}:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: cert,
          privateKey: key,
          httpPort: 80,
          tlsPort: 443,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
        },
      }),
    );
    const spawnLogged = (program: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
      const child = spawn(program, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      for (const stream of [child.stdout!, child.stderr!])
        stream.on("data", (d: Buffer) => log.push(...d.toString().trimEnd().split("\n")));
      children.push(child);
      return child;
    };
    // Every name resolves to nothing until addHost maps it: a validation never reaches a wrong host.
    spawnLogged("pebble-challtestsrv", [
      ...["-defaultIPv4", "", "-defaultIPv6", ""],
      ...["-dns01", `${address}:${dnsPort}`, "-http01", "", "-https01", "", "-tlsalpn01", ""],
      ...["-management", `127.0.0.1:${challengePort}`],
    ]);
    // NOSLEEP: no random pause before each validation; NONCEREJECT=0: no random badNonce answers.
    spawnLogged("pebble", ["-config", config, "-dnsserver", `${address}:${dnsPort}`], {
      PEBBLE_VA_NOSLEEP: "1",
      PEBBLE_WFE_NONCEREJECT: "0",
    });
    const serverCaPem = readFileSync(cert, "utf8");
    const directoryUrl = `https://${address}:${acmePort}/dir`;
    const management = `http://127.0.0.1:${challengePort}`;
    const started = async (what: string, probe: () => Promise<boolean>) => {
      try {
        await waitFor(what, probe, children);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${log.slice(-20).join("\n")}`);
      }
    };
    await started(
      "pebble-challtestsrv",
      async () => (await request(`${management}/clear-a`, { method: "POST", body: '{"host":"x."}' })).status === 200,
    );
    await started("pebble", async () => (await request(directoryUrl, { ca: serverCaPem })).status === 200);
    return {
      directoryUrl,
      serverCaPem,
      async issuingRootPem() {
        const { status, body } = await request(`https://127.0.0.1:${managementPort}/roots/0`, { ca: serverCaPem });
        if (status !== 200) throw new Error(`pebble's issuing root: HTTP ${status}`);
        return body;
      },
      async addHost(name, hostAddress) {
        const fqdn = name.endsWith(".") ? name : `${name}.`;
        const { status, body } = await request(`${management}/add-a`, {
          method: "POST",
          body: JSON.stringify({ host: fqdn, addresses: [hostAddress] }),
        });
        if (status !== 200) throw new Error(`pebble-challtestsrv add-a ${name}: HTTP ${status} ${body}`);
      },
      log: () => log,
      async close() {
        process.off("exit", killOnExit);
        await close();
      },
    };
  } catch (e) {
    process.off("exit", killOnExit);
    await close();
    throw e;
  }
}
