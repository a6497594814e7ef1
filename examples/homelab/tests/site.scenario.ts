// A scenario in the spirit of NixOS tests: start the fleet's hosts, deploy, and check what runs.
// Run it with: roost test examples/homelab/tests/site.scenario.ts
import { scenario } from "roost/testing";
import fleet from "../roost.config.ts";

export default scenario({
  name: "homelab: the site serves and the backup host watches for copies",
  fleet,
  async test({ hosts, deploy }) {
    await deploy();
    const { web, vault } = hosts;
    await web!.waitForUnit("site.service");
    await web!.waitForOpenPort(8080);
    const page = await web!.succeed("curl -sf http://127.0.0.1:8080/");
    if (!page.includes("www.example.org")) throw new Error(`unexpected page: ${page}`);
    await vault!.waitForUnit("nightly-copy.timer");
    await vault!.succeed(`curl -sf --max-time 2 http://${web!.address}:8080/ >/dev/null`);
    await web!.fail("systemctl is-active nightly-copy.timer");
  },
});
