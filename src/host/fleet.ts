import path from "node:path";
import { CallSite, Evaluation, RoostError, definitionModule, mkDefault, type ConfigOf, type Module } from "../core/index.ts";
import type { HostArgs, HostConfig, HostDefinitions, HostModule, ModulesOptions, Nodes } from "./module.ts";
import { splitAddress } from "./deployment/target.ts";
import { primitiveModules } from "./modules.ts";
import { hostName } from "./networking/options.ts";
import type { HostOptions } from "./options.ts";

export interface HostSpec<M extends readonly Module<any, any>[]> {
  /**
   * How to reach the host: "root@203.0.113.10", "deploy@host.lan", "ssh://deploy@host:2222" or an
   * alias from ~/.ssh/config. Shorthand for deployment.targetHost/targetUser/targetPort (mkDefault).
   */
  readonly address: string;
  /** The host's SSH public host key ("ssh-ed25519 AAAA…"); shorthand for deployment.hostKey (mkDefault). */
  readonly hostKey?: string;
  /** Modules only this host imports. */
  readonly modules?: M;
  /** This host's definitions. */
  readonly config?: NoInfer<
    HostDefinitions<ModulesOptions<M>> | ((args: HostArgs<ConfigOf<HostOptions & ModulesOptions<M>>>) => HostDefinitions<ModulesOptions<M>>)
  >;
}

export interface Host {
  /** As given to host(); deploys use the evaluated deployment.* options instead (deployTarget). */
  readonly address: string;
  readonly hostKey: string | undefined;
  readonly modules: readonly Module<any, any>[];
  readonly config: unknown;
  readonly site: CallSite;
}

/** One host of the fleet. */
export function host<const M extends readonly Module<any, any>[] = []>(spec: HostSpec<M>): Host {
  return Object.freeze({
    address: spec.address,
    hostKey: spec.hostKey,
    modules: spec.modules ?? [],
    config: spec.config ?? {},
    site: new CallSite(host),
  });
}

export interface FleetSecretsSpec {
  /** The encrypted secrets file, relative to the fleet file. @default "secrets.yaml" */
  readonly file?: string;
  /** Public keys of the people who may read and change secrets: age ("age1…") or SSH ("ssh-ed25519 …"). */
  readonly admins: readonly string[];
}

export interface FleetSpec {
  readonly hosts: Readonly<Record<string, Host>>;
  /** Modules every host imports. */
  readonly modules?: readonly HostModule<any>[];
  /** Where secrets are kept and who may read them. */
  readonly secrets?: FleetSecretsSpec;
}

export interface Fleet {
  readonly hosts: Readonly<Record<string, Host>>;
  readonly modules: readonly Module<any, any>[];
  readonly secrets: { readonly file: string; readonly admins: readonly string[] } | null;
  readonly site: CallSite;
}

export function defineFleet(spec: FleetSpec): Fleet {
  const site = new CallSite(defineFleet);
  const secrets = spec.secrets
    ? {
        admins: spec.secrets.admins,
        get file() {
          const dir = site.location ? path.dirname(site.location.file) : process.cwd();
          return path.resolve(dir, spec.secrets!.file ?? "secrets.yaml");
        },
      }
    : null;
  return Object.freeze({ hosts: spec.hosts, modules: spec.modules ?? [], secrets, site });
}

export function isFleet(value: unknown): value is Fleet {
  return typeof value === "object" && value !== null && "hosts" in value && "site" in value && (value as Fleet).site instanceof CallSite;
}

/** Every host of a fleet, evaluated lazily; hosts can read each other through `nodes`. */
export class FleetEvaluation {
  readonly hosts: ReadonlyMap<string, Evaluation<HostConfig>>;

  constructor(
    readonly fleet: Fleet,
    extraModules: readonly Module<any, any>[] = [],
  ) {
    const hosts = new Map<string, Evaluation<HostConfig>>();
    // Through nodes, an option another host does not declare reads as undefined: which modules a host imports is its own business.
    const nodes: Nodes = Object.freeze(
      Object.fromEntries(
        Object.keys(fleet.hosts).map((name) => [
          name,
          Object.freeze({
            get config() {
              return hosts.get(name)!.lenientConfig;
            },
            has: (path: string | readonly string[]) => hosts.get(name)!.declares(typeof path === "string" ? path.split(".") : path),
          }),
        ]),
      ),
    );
    for (const name of Object.keys(fleet.hosts).sort()) {
      const h = fleet.hosts[name]!;
      if (hostName.check(name) !== true) {
        throw new RoostError(`hosts.${JSON.stringify(name)}: expected host name (a-z, 0-9, -)`, [`defined in ${h.site}`]);
      }
      const target = splitAddress(h.address, name);
      const identity = {
        deployment: {
          targetHost: mkDefault(target.host),
          ...(target.user === null ? {} : { targetUser: mkDefault(target.user) }),
          ...(target.port === null ? {} : { targetPort: mkDefault(target.port) }),
          ...(h.hostKey === undefined ? {} : { hostKey: mkDefault(h.hostKey) }),
        },
      };
      const modules = [
        ...primitiveModules,
        ...extraModules,
        definitionModule({ networking: { hostName: mkDefault(name) } }, fleet.site, "fleet"),
        definitionModule(identity, h.site, `hosts.${name}`),
        ...fleet.modules,
        ...h.modules,
        definitionModule(h.config, h.site, `hosts.${name}`),
      ];
      const inherit = {
        host: Object.freeze({
          name,
          get config() {
            return hosts.get(name)!.config;
          },
        }),
        nodes,
      };
      hosts.set(name, new Evaluation<HostConfig>({ modules, label: name, args: { name, nodes }, inherit }));
    }
    this.hosts = hosts;
  }

  host(name: string): Evaluation<HostConfig> {
    const ev = this.hosts.get(name);
    if (!ev) {
      const known = [...this.hosts.keys()].join(", ");
      throw new RoostError(`no host named ${JSON.stringify(name)} in the fleet`, [`hosts: ${known || "(none)"}`]);
    }
    return ev;
  }
}
