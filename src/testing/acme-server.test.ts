import assert from "node:assert/strict";
import https from "node:https";
import { describe, it } from "node:test";
import { startAcmeServer } from "./acme-server.ts";

function getJson(url: string, ca: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(JSON.parse(body) as Record<string, unknown>));
      })
      .on("error", reject);
  });
}

describe("startAcmeServer", () => {
  it("serves an ACME directory trusted through its own certificate, hands out its issuing root, maps names, and stops", async () => {
    const server = await startAcmeServer({ address: "127.0.0.1" });
    let closed = false;
    try {
      assert.match(server.directoryUrl, /^https:\/\/127\.0\.0\.1:\d+\/dir$/);
      const directory = await getJson(server.directoryUrl, server.serverCaPem);
      assert.equal(typeof directory.newAccount, "string");
      assert.equal(typeof directory.newOrder, "string");
      assert.match(await server.issuingRootPem(), /^-----BEGIN CERTIFICATE-----\n/);
      await server.addHost("web.example.test", "10.0.0.5");
      assert.ok(server.log().some((l) => l.includes('"web.example.test." : 10.0.0.5')));
      await server.close();
      closed = true;
      await assert.rejects(getJson(server.directoryUrl, server.serverCaPem));
    } finally {
      if (!closed) await server.close();
    }
  });
});
