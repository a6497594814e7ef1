import type { HostGeneration } from "../build/generation.ts";
import type { Host } from "../host/fleet.ts";
import { lockHolder, sshTarget } from "./deploy-host.ts";
import type { FileDiff } from "./format-plan.ts";
import { parseObjects } from "./protocol.ts";
import { planHost, type HostPlan } from "./plan.ts";
import { HostSession } from "./session.ts";
import type { SshSettings } from "./ssh.ts";
import { neededObjects } from "./upload.ts";

const maxDiffBytes = 64 * 1024;
const isText = (b: Buffer) => b.length <= maxDiffBytes && !b.includes(0);

/** What a deploy would do on one host, with diffs of its changed text files. Changes nothing. */
export async function planOneHost(
  name: string,
  host: Host,
  gen: HostGeneration,
  ssh: SshSettings,
): Promise<{ plan: HostPlan; diffs: FileDiff[] }> {
  const target = sshTarget(name, host, ssh);
  const session = await HostSession.open(target, lockHolder(), neededObjects(gen), true);
  try {
    const old = session.status.manifest;
    const plan = planHost(gen, session.status, old);
    const wanted = [...plan.files.changed, ...plan.files.removed]
      .map((p) => old!.files[p]!.sha256)
      .filter((h, i, all) => all.indexOf(h) === i);
    const before = wanted.length ? parseObjects((await target.exec("objects", wanted)).stdout) : new Map<string, Buffer | null>();
    const diffs: FileDiff[] = [];
    for (const path of [...plan.files.added, ...plan.files.changed, ...plan.files.removed].sort()) {
      const was = old?.files[path] ? (before.get(old.files[path]!.sha256) ?? null) : null;
      const file = gen.files.get(path);
      if (file?.download) continue; // its content is on the web, not here
      const now = file?.content ?? null;
      if ((was && !isText(was)) || (now && !isText(now))) continue;
      diffs.push({ path, before: was?.toString("utf8") ?? null, after: now?.toString("utf8") ?? null });
    }
    return { plan, diffs };
  } finally {
    await session.close();
    await target.close();
  }
}
