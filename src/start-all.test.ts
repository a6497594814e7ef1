import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { type Proc, startAll } from "./start-all.ts";

/** Everything a program wrote and how it ended. */
function finished(p: Proc): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  p.stdout!.on("data", (d) => (stdout += d));
  p.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve) => p.on("close", (code: number | null) => resolve({ code, stdout, stderr })));
}

const sh = (script: string, ...args: string[]) => ({ file: "bash", args: ["-c", script, "sh", ...args] });

describe("startAll", () => {
  it("gives each program its own stdin, stdout and stderr, and reports each exit status", async () => {
    const procs = startAll([
      sh('read -r line; echo "one got $line"; echo "one complains" >&2; exit 3'),
      sh('cat; echo "two: $1"', "an argument with spaces and 'quotes'"),
      sh("exit 0"),
    ]);
    const results = procs.map(finished);
    procs[0]!.stdin!.end("hello\n");
    procs[1]!.stdin!.end("streamed\n");
    procs[2]!.stdin!.end();
    assert.deepEqual(await Promise.all(results), [
      { code: 3, stdout: "one got hello\n", stderr: "one complains\n" },
      { code: 0, stdout: "streamed\ntwo: an argument with spaces and 'quotes'\n", stderr: "" },
      { code: 0, stdout: "", stderr: "" },
    ]);
  });

  it("ends a program's output when it exits, while the others still run", async () => {
    const [long, short] = startAll([sh("cat >/dev/null"), sh("echo done")]);
    const shortDone = await finished(short!);
    assert.deepEqual(shortDone, { code: 0, stdout: "done\n", stderr: "" });
    assert.equal(long!.exitCode, null, "the other one is still waiting for its stdin");
    const longDone = finished(long!);
    long!.stdin!.end();
    assert.equal((await longDone).code, 0);
  });

  it("kills a program by its own pid, also when asked before the pid is known", async () => {
    const procs = startAll([sh("sleep 30"), sh("sleep 30")]);
    procs[0]!.kill("SIGKILL");
    const first = await finished(procs[0]!);
    assert.equal(first.code, 128 + 9);
    await new Promise((r) => setTimeout(r, 50));
    procs[1]!.kill("SIGTERM");
    assert.equal((await finished(procs[1]!)).code, 128 + 15);
  });

  it("reports a program that cannot be run as bash does, with exit 127 and the reason", async () => {
    const [missing, fine] = startAll([{ file: "roost-no-such-program", args: [] }, sh("true")]);
    const [r, ok] = await Promise.all([finished(missing!), finished(fine!)]);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /roost-no-such-program: command not found/);
    assert.equal(ok.code, 0);
  });

  it("starts commands too long for one argument list with more than one launcher", async () => {
    // 20 × 120 KiB is more than Linux takes for one program's arguments (2 MiB).
    const big = "x".repeat(120 * 1024);
    const procs = startAll(Array.from({ length: 20 }, () => sh('expr length "$1"', big)));
    for (const p of procs) p.stdin!.end();
    const results = await Promise.all(procs.map(finished));
    assert.deepEqual(
      results.map((r) => r.stdout.trim()),
      procs.map(() => String(big.length)),
    );
  });

  it("lets Node exit without waiting for programs that were let go", () => {
    // A child Node that starts two sleeps, unrefs them and must exit at once.
    const script = `
      import { startAll } from ${JSON.stringify(new URL("./start-all.ts", import.meta.url).href)};
      const procs = startAll([{ file: "sleep", args: ["30"] }, { file: "sleep", args: ["30"] }]);
      for (const p of procs) p.unref();
      const started = Date.now();
      process.on("exit", () => console.log(Date.now() - started < 5000 ? "exited" : "waited"));
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 20000 });
    assert.equal(r.stdout.trim(), "exited", r.stderr);
  });
});
