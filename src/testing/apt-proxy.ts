import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";

export const aptCache = process.env.ROOST_TEST_APT_CACHE ?? "/var/cache/roost/apt-proxy";

/**
 * An HTTP proxy for apt inside test hosts, listening on the bridge address only. It forwards GETs
 * to the Debian mirror and nothing else, so hosts stay offline but can install packages; .deb
 * files are cached on disk (a package file never changes under its name), which makes repeated
 * test runs fast.
 */
export async function startAptProxy(address: string, port: number, allowedHosts: readonly string[]): Promise<http.Server> {
  await mkdir(aptCache, { recursive: true });
  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end("absolute URL expected\n");
      return;
    }
    if (req.method !== "GET" || url.protocol !== "http:" || !allowedHosts.includes(url.hostname)) {
      res.writeHead(403).end("only GETs to the Debian mirror\n");
      return;
    }
    const cached = url.pathname.endsWith(".deb") ? path.join(aptCache, createHash("sha256").update(url.href).digest("hex")) : null;
    if (cached && existsSync(cached)) {
      res.writeHead(200, { "content-type": "application/vnd.debian.binary-package" });
      createReadStream(cached).pipe(res);
      return;
    }
    const upstream = http.get(url, { headers: { "user-agent": req.headers["user-agent"] ?? "roost-test-apt-proxy" } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (cached && up.statusCode === 200) {
        const partial = `${cached}.${process.pid}.part`;
        const file = createWriteStream(partial);
        up.pipe(file);
        file.on("finish", () => void rename(partial, cached).catch(() => rm(partial, { force: true })));
      }
      up.pipe(res);
    });
    upstream.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`${e.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  return server;
}
