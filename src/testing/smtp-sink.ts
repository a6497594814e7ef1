// A tiny SMTP server for tests: it accepts every message (RFC 5321's minimal command set, no TLS,
// AUTH PLAIN/LOGIN recorded but not checked) and keeps them in memory. A scenario starts it on the
// lab's gateway, where test hosts reach this machine, and points a host's smarthost at it; the mail
// client on the host is the real one.
import net from "node:net";

export interface SinkMessage {
  readonly from: string;
  readonly to: readonly string[];
  /** The message as sent (headers and body), with CRLF line ends turned into LF and dot-stuffing undone. */
  readonly data: string;
  /** The user name of AUTH, when the client logged in. */
  readonly user: string | null;
  readonly password: string | null;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly messages: readonly SinkMessage[];
  /** The first message (already received or still to come) for which `match` holds. */
  waitForMessage(match: (m: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  close(): Promise<void>;
}

/** Listen on `host` (the lab's gateway), on `port` or a free one. */
export async function startSmtpSink(host: string, port = 0): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    serve(socket, (m) => {
      messages.push(m);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as net.AddressInfo;
  return {
    host,
    port: address.port,
    messages,
    waitForMessage(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching mail within ${timeoutMs} ms; received ${messages.length}: ${messages.map((m) => subjectOf(m)).join(" | ")}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => void check();
        waiters.add(wake);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Subject header of a message, or "(no subject)". */
export function subjectOf(m: SinkMessage): string {
  return /^Subject: (.*)$/im.exec(m.data.split("\n\n")[0] ?? "")?.[1] ?? "(no subject)";
}

function serve(socket: net.Socket, deliver: (m: SinkMessage) => void) {
  let buffer = "";
  let from = "";
  let to: string[] = [];
  let data: string[] | null = null;
  let user: string | null = null;
  let password: string | null = null;
  let loginStep: "user" | "password" | null = null;
  const reply = (line: string) => socket.write(`${line}\r\n`);
  const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
  reply("220 smtp-sink ESMTP");
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (data !== null) {
        if (line === ".") {
          deliver({ from, to, data: `${data.join("\n")}\n`, user, password });
          data = null;
          from = "";
          to = [];
          reply("250 queued");
        } else data.push(line.startsWith("..") ? line.slice(1) : line);
        continue;
      }
      if (loginStep === "user") {
        user = decode(line);
        loginStep = "password";
        reply(`334 ${Buffer.from("Password:").toString("base64")}`);
        continue;
      }
      if (loginStep === "password") {
        password = decode(line);
        loginStep = null;
        reply("235 accepted");
        continue;
      }
      const [verb = "", ...rest] = line.split(" ");
      const arg = rest.join(" ");
      switch (verb.toUpperCase()) {
        case "EHLO":
          socket.write("250-smtp-sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
          break;
        case "HELO":
          reply("250 smtp-sink");
          break;
        case "AUTH": {
          const [mechanism = "", initial] = arg.split(" ");
          if (mechanism.toUpperCase() === "PLAIN" && initial) {
            const [, u = "", p = ""] = decode(initial).split("\0");
            user = u;
            password = p;
            reply("235 accepted");
          } else if (mechanism.toUpperCase() === "LOGIN") {
            loginStep = "user";
            reply(`334 ${Buffer.from("Username:").toString("base64")}`);
          } else reply("504 unsupported mechanism");
          break;
        }
        case "MAIL":
          from = /<([^>]*)>/.exec(arg)?.[1] ?? "";
          reply("250 ok");
          break;
        case "RCPT":
          to.push(/<([^>]*)>/.exec(arg)?.[1] ?? "");
          reply("250 ok");
          break;
        case "DATA":
          data = [];
          reply("354 end with <CRLF>.<CRLF>");
          break;
        case "RSET":
          from = "";
          to = [];
          reply("250 ok");
          break;
        case "NOOP":
          reply("250 ok");
          break;
        case "QUIT":
          reply("221 bye");
          socket.end();
          break;
        default:
          reply("502 command not implemented");
      }
    }
  });
}
