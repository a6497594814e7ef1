import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "../cli/run-roost.ts";
import { checkDoc, extractBlocks } from "./doc-blocks.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "roost-docs-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const docsDir = path.join(repoRoot, "docs");
const docs = [
  path.join(repoRoot, "README.md"),
  ...(existsSync(docsDir)
    ? readdirSync(docsDir)
        .filter((f) => f.endsWith(".md"))
        .map((f) => path.join(docsDir, f))
    : []),
];
const fixture = path.join(repoRoot, "test/docs/fixtures/broken.md");

describe("the code in the docs", { timeout: 600_000 }, () => {
  for (const doc of docs) {
    it(`${path.relative(repoRoot, doc)}: every fleet, module and scenario type-checks, every fleet passes roost check, every scenario passes roost test`, async () => {
      const { blocks, problems } = await checkDoc(doc, scratch);
      assert.ok(blocks.length > 0, "the doc has code to check");
      assert.deepEqual(
        problems.map((p) => `${p.at}: ${p.message}`),
        [],
      );
    });
  }

  it("README.md has its fleet, its module and a scenario that deploys them, each written where the others import it", () => {
    const blocks = extractBlocks(path.join(repoRoot, "README.md"));
    const byFile = new Map(blocks.map((b) => [b.file, b]));
    assert.equal(byFile.get("roost.config.ts")?.kind, "fleet");
    assert.equal(byFile.get("modules/static-site.ts")?.kind, "module");
    assert.equal(byFile.get("tests/site.scenario.ts")?.kind, "scenario");
    assert.ok(byFile.get("tests/site.scenario.ts")!.run);
    assert.ok(blocks.filter((b) => !b.run).length <= 1, "examples that are not run stay rare");
  });
});

describe("the docs checker", { timeout: 300_000 }, () => {
  it("fails on a broken example, at its line in the Markdown file", async () => {
    const { blocks, problems } = await checkDoc(fixture, scratch);
    assert.deepEqual(
      blocks.map((b) => [b.line, b.kind, b.file]),
      [
        [6, "module", "modules/motd.ts"],
        [21, "fleet", "roost.config.ts"],
      ],
      "the no-check block is left out",
    );
    assert.equal(problems.length, 2, problems.map((p) => `${p.at}: ${p.message}`).join("\n"));
    assert.equal(problems[0]!.at, "test/docs/fixtures/broken.md:12");
    assert.match(problems[0]!.message, /error TS2322: Type 'string' is not assignable to type 'boolean/);
    assert.equal(problems[1]!.at, "test/docs/fixtures/broken.md:27");
    assert.match(problems[1]!.message, /roost check failed:[\s\S]*networking\.firewall\.allowedTCPPorts\[0\]: expected port number/);
  });
});
