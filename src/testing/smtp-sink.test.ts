import assert from "node:assert/strict";
import net from "node:net";
import { it } from "node:test";
import { startSmtpSink, subjectOf } from "./smtp-sink.ts";

/** Speak SMTP as a client would: send each line after the server's answer to the one before. */
async function converse(port: number, lines: readonly string[]): Promise<string[]> {
  const socket = net.connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  const answers: string[] = [];
  let pending = "";
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("close", () => resolve());
    socket.on("data", (chunk: string) => {
      pending += chunk;
      // An answer is complete at a line whose code is followed by a space.
      while (/^\d{3} .*\r\n/m.test(pending)) {
        const end = pending.search(/^\d{3} .*\r\n/m);
        const stop = pending.indexOf("\r\n", end) + 2;
        answers.push(pending.slice(0, stop));
        pending = pending.slice(stop);
        if (next < lines.length) socket.write(`${lines[next++]}\r\n`);
      }
    });
  });
  return answers;
}

it("collects a message with its envelope, undoing dot-stuffing, and records AUTH PLAIN", async () => {
  const sink = await startSmtpSink("127.0.0.1");
  try {
    const waiting = sink.waitForMessage((m) => m.to.includes("ops@example.org"), 5000);
    const auth = Buffer.from("\0ops\0s3cret").toString("base64");
    const answers = await converse(sink.port, [
      "EHLO client",
      `AUTH PLAIN ${auth}`,
      "MAIL FROM:<root@a>",
      "RCPT TO:<ops@example.org>",
      "DATA",
      "Subject: [a] shop.service failed\r\n\r\n..leading dot\r\n.",
      "QUIT",
    ]);
    assert.match(answers.at(-1)!, /^221/);
    const m = await waiting;
    assert.equal(m.from, "root@a");
    assert.deepEqual(m.to, ["ops@example.org"]);
    assert.equal(m.data, "Subject: [a] shop.service failed\n\n.leading dot\n");
    assert.equal(subjectOf(m), "[a] shop.service failed");
    assert.equal(m.user, "ops");
    assert.equal(m.password, "s3cret");
  } finally {
    await sink.close();
  }
});
