import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HostGeneration } from "../build/generation.ts";
import type { Finding, Skipped } from "./finding.ts";
import { findTool, run } from "../run-command.ts";

const validator = "nft -c";

/** Parse and check the firewall ruleset with nftables itself, without applying it. */
export async function checkFirewall(gen: HostGeneration): Promise<{ findings: Finding[]; skipped?: Skipped }> {
  const fw = gen.manifest.firewall;
  if (!fw) return { findings: [] };
  const tool = findTool("nft");
  if (!tool) return { findings: [], skipped: { validator, reason: "nft is not installed (apt-get install nftables)" } };
  const dir = await mkdtemp(path.join(tmpdir(), "roost-nft-"));
  try {
    const file = path.join(dir, "firewall.nft");
    await writeFile(file, gen.files.get(fw.path)!.content);
    const result = await run(tool, ["-c", "-f", file]);
    if (result.code === 0) return { findings: [] };
    const message = (result.stderr || result.stdout).replaceAll(file, fw.path).trim();
    if (/Operation not permitted/.test(message))
      return { findings: [], skipped: { validator, reason: "nft -c needs CAP_NET_ADMIN (run as root)" } };
    return { findings: [{ level: "error", validator, message }] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
