// Run with: roost test tests/site.scenario.ts (as root: it starts both hosts as local containers).
import { scenario } from "roost/testing";
import fleet from "../roost.config.ts";

export default scenario({
  name: "the web host serves its page to the client",
  fleet,
  async test({ hosts, deploy }) {
    await deploy();
    const { web, client } = hosts;
    await web!.waitForUnit("site.service");
    const page = await client!.succeed(`curl -sf --max-time 5 http://${web!.address}:8080/`);
    if (!page.includes("Hello from Roost")) throw new Error(`unexpected page: ${page}`);
    await client!.succeed("grep -q Roost /etc/motd");
  },
});
