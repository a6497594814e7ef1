import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { RoostError } from "../core/index.ts";
import { SecretsFile } from "./secrets-file.ts";

const dir = mkdtempSync(path.join(tmpdir(), "roost-secrets-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("a broken secrets file", () => {
  it("names the line and points a caret at the column where the YAML breaks", () => {
    const file = path.join(dir, "secrets.yaml");
    writeFileSync(file, "db_password:\n  version: v1\n  version: v2\n");
    assert.throws(
      () => SecretsFile.read(file),
      (e: unknown) => {
        assert.ok(e instanceof RoostError);
        const text = e.format();
        assert.equal(
          text,
          `error: the secrets file ${file} is not valid YAML: Map keys must be unique\n  at ${file}:3:3\n  3 |   version: v2\n    |   ^\nhint: restore it from version control`,
        );
        return true;
      },
    );
  });
});
