import { types as t } from "roost";

const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const domain = "(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*(?::[0-9]{1,5})?/)";
const reference = new RegExp(`^${domain}?${component}(?:/${component})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`);

/** An image reference as podman and docker read it: [registry/]name[:tag][@sha256:digest]. */
export const imageReference = t.strMatching(
  reference,
  'image reference such as "docker.io/library/nginx:1.25" or "localhost/app@sha256:…"',
);

/** Why the reference does not pin one image (no tag, or the moving tag latest), or null. */
export function unpinnedReason(image: string): string | null {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return null;
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  if (colon < 0) return "it has no tag, so it means whatever latest is when the host pulls it";
  if (last.slice(colon + 1) === "latest") return "latest moves, so two hosts (or two deploys) can run different images";
  return null;
}

/** Whether the reference names its registry (podman on Debian resolves no short names). */
export function isFullyQualified(image: string): boolean {
  const slash = image.indexOf("/");
  if (slash < 0) return false;
  const first = image.slice(0, slash);
  return first === "localhost" || first.includes(".") || first.includes(":");
}
