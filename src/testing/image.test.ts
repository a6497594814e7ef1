import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";

const cache = mkdtempSync(path.join(tmpdir(), "roost-image-cache-"));
after(() => rmSync(cache, { recursive: true, force: true }));
process.env.ROOST_TEST_IMAGE_CACHE = cache;
const { baseImageReady, imageCache } = await import("./image.ts");

describe("the base image", () => {
  it("is not ready in an empty cache, so the demo and roost test say they build it first", () => {
    assert.equal(imageCache, cache);
    assert.equal(baseImageReady(), false);
  });
});
