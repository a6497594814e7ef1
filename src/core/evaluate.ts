import { mapStack } from "./source-map.ts";
import { branches, collectDefinitions } from "./collect.ts";
import { Declarations, suggest, type DeclTree } from "./declarations.ts";
import { ReadThroughError, RoostError, cycle, noSuchOption, notAnAttributeSet, notDefined, readOnlyTwice } from "./errors.ts";
import { CallSite } from "./location.ts";
import { mergeDefinitions, type RawDefinition } from "./merge.ts";
import { importClosure, type Module } from "./module.ts";
import { isOption, type Option } from "./option.ts";
import { showPath, type OptionPath } from "./path.ts";
import { priorities } from "./properties.ts";
import { isPlainObject } from "./types/containers.ts";
import type { Definition } from "./types/define.ts";

interface ModuleRun {
  readonly module: Module;
  state: "idle" | "running" | "done";
  output: unknown;
  /** Read stack depth when the module started running. */
  depth: number;
  /** Options computed while this module ran, hence without its definitions: it must not define them. */
  assumed: { readonly path: OptionPath; readonly chain: readonly Reading[] }[];
}

interface Computed {
  readonly value: unknown;
  readonly defs: readonly Definition[];
}

/**
 * The merged default of options that nothing defines, per set of inherited args: a default is a
 * constant of its declaration unless it holds a submodule whose config reads the host.
 */
const mergedDefaults = new WeakMap<Readonly<Record<string, unknown>>, WeakMap<Option, Computed>>();

const noArgs: Readonly<Record<string, unknown>> = Object.freeze({});

/** What submodules evaluated inside the current merge receive (the host's `host` and `nodes`). */
let inherited: Readonly<Record<string, unknown>> = noArgs;

/** The args a submodule's config functions get from the evaluation it is merged in. */
export function inheritedArgs(): Readonly<Record<string, unknown>> {
  return inherited;
}

/** An option being computed, for cycle messages (formatted only when one is printed). */
interface Reading {
  readonly label: string | undefined;
  readonly path: OptionPath;
}

/** The options being computed right now, across every evaluation (hosts read each other). */
const readStack: Reading[] = [];

/**
 * Reads that pass through more hosts than this (host a's module reads b's option, whose module reads
 * c's…) are not followed deeper: the outermost read computes the deepest one first, on a fresh stack,
 * and then tries itself again. Without it a wide fleet whose hosts read each other (every agent asks
 * every host whether it is the monitoring server) nests one host inside another until the stack ends.
 */
const maxHostsNested = 12;
/** How many reads on the stack each host has. */
const hostsOnStack = new Map<string, number>();

/** Unwinds to the outermost read; never an error a user sees. */
class DeferredRead {
  constructor(
    readonly evaluation: Evaluation<any>,
    readonly path: OptionPath,
  ) {}
}

function pushReading(r: Reading): void {
  readStack.push(r);
  if (r.label !== undefined) hostsOnStack.set(r.label, (hostsOnStack.get(r.label) ?? 0) + 1);
}

function popReading(): void {
  const r = readStack.pop()!;
  if (r.label === undefined) return;
  const left = hostsOnStack.get(r.label)! - 1;
  if (left === 0) hostsOnStack.delete(r.label);
  else hostsOnStack.set(r.label, left);
}

/** The label of the evaluation each error arose in, so that one that reads it can say "via". */
const errorOrigins = new WeakMap<object, string>();

/** The label of the labelled evaluation (a host) computing right now: submodules made meanwhile are its. */
let computingFor: string | undefined;

/**
 * An error as the evaluation of `owner` reports it: its own errors unchanged (and marked as its
 * own), another one's error as read through that one, so that it does not count as a second error.
 */
function attribute(e: unknown, owner: string | undefined, reader: () => string): unknown {
  if (owner === undefined || typeof e !== "object" || e === null) return e;
  const origin = errorOrigins.get(e);
  if (origin === undefined) errorOrigins.set(e, owner);
  if (origin === undefined || origin === owner) return e;
  const inner = e instanceof ReadThroughError ? e : null;
  const root = inner
    ? inner.origin
    : e instanceof RoostError
      ? e
      : new RoostError(e instanceof Error ? e.message : String(e), [], undefined, e);
  const wrapped = new ReadThroughError([origin, ...(inner?.via ?? [])], root, `read by ${owner}'s ${reader()}`);
  errorOrigins.set(wrapped, owner);
  return wrapped;
}

/** A chain of options; host labels only when it crosses from one host to another. */
function showChain(chain: readonly Reading[]): string[] {
  const labels = new Set(chain.map((r) => r.label));
  return chain.map((r) => (labels.size > 1 && r.label ? `${r.label}: ${showPath(r.path)}` : showPath(r.path)));
}

export interface EvaluationSpec {
  readonly modules: readonly Module<any, any>[];
  /** Where this evaluation's values live, for messages (a submodule's attribute path). */
  readonly prefix?: OptionPath;
  /** Shown before paths in messages that span evaluations, e.g. a host name. */
  readonly label?: string;
  /** Passed to every config function beside `config` (name, nodes, …). */
  readonly args?: Readonly<Record<string, unknown>>;
  /**
   * Passed to the config functions of every submodule merged inside this evaluation, beside their
   * own name and config. Defaults to what the enclosing evaluation passes down.
   */
  readonly inherit?: Readonly<Record<string, unknown>>;
  /** Precomputed declarations of exactly `modules` (submodules reuse theirs). */
  readonly declarations?: Declarations;
}

/**
 * One lazy fixpoint evaluation of a set of modules.
 *
 * Each module's config function runs at most once. An option is computed on first read from the
 * definitions of every module; a module still running when one of its own reads needs it is left
 * out, and once it returns Roost checks that it defined none of the options computed without it.
 * If it did, those definitions depend on themselves and the error prints the chain of options.
 *
 * Definitions may be getters (`get peer() { return nodes.b!.config.name }`): a getter runs only
 * when its option is merged, which lets two modules or two hosts read each other's values.
 */
export class Evaluation<C = any> {
  readonly declarations: Declarations;
  readonly config: C;
  readonly prefix: OptionPath;
  readonly label: string | undefined;
  /** The label of the host this evaluation belongs to (its own, or the host a submodule is merged in). */
  readonly #owner: string | undefined;
  readonly #runs: ModuleRun[];
  readonly #args: Readonly<Record<string, unknown>>;
  readonly #inherit: Readonly<Record<string, unknown>>;
  readonly #values = new Map<string, Computed>();
  readonly #proxies = new Map<string, object>();
  #lenient: object | undefined;
  /** Options whose definitions are being collected and merged right now. */
  readonly #merging = new Set<string>();

  constructor(spec: EvaluationSpec) {
    const modules = importClosure(spec.modules);
    this.declarations = spec.declarations ?? new Declarations(modules);
    this.prefix = spec.prefix ?? [];
    this.label = spec.label;
    this.#owner = spec.label ?? computingFor;
    this.#args = spec.args ?? {};
    this.#inherit = spec.inherit ?? inherited;
    this.#runs = modules.map((module) => ({ module, state: "idle", output: undefined, depth: 0, assumed: [] }));
    this.config = this.#proxy(this.declarations.tree, []) as C;
  }

  /**
   * `config` as other hosts read it: an option this evaluation does not declare reads as undefined
   * instead of failing, since which modules another host imports is its own business.
   */
  get lenientConfig(): C {
    return (this.#lenient ??= this.#proxy(this.declarations.tree, [], false)) as C;
  }

  /** Whether an option or a group of options is declared at `path`. */
  declares(path: OptionPath): boolean {
    return this.declarations.lookup(path) !== undefined;
  }

  /** The final value of the option at `path` (relative to this evaluation). */
  value(path: OptionPath): unknown {
    return this.#compute(path).value;
  }

  /** The winning definitions of an option, with their sites and priorities. */
  definitionsOf(path: OptionPath): readonly Definition[] {
    return this.#compute(path).defs;
  }

  /** Every definition of an option from the modules, whatever its priority (for `roost eval`). */
  allDefinitions(path: OptionPath): RawDefinition[] {
    this.#runAll();
    return this.#runs.flatMap((r) => collectDefinitions(r.output, path, r.module.site));
  }

  /** Every option some module defines (whatever the condition), for checks that read them all. */
  definedOptions(): OptionPath[] {
    this.#runAll();
    return this.declarations
      .list()
      .map(([p]) => p)
      .filter((p) => this.#runs.some((r) => collectDefinitions(r.output, p, r.module.site).length > 0));
  }

  /** Definitions of options that do not exist, or namespaces defined as non-objects. */
  check(): RoostError[] {
    this.#runAll();
    const errors: RoostError[] = [];
    for (const r of this.#runs) this.#checkTree(r.output, this.declarations.tree, [], r.module.site, errors);
    return errors;
  }

  /** Every option's value as a frozen plain object (submodules are small, so they are read whole). */
  materialize(): Record<string, unknown> {
    const build = (node: DeclTree, path: string[]): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node).sort()) {
        const child = node[key]!;
        out[key] = isOption(child) ? this.value([...path, key]) : build(child, [...path, key]);
      }
      return Object.freeze(out);
    };
    return build(this.declarations.tree, []);
  }

  fullPath(path: OptionPath): OptionPath {
    return this.prefix.length ? [...this.prefix, ...path] : path;
  }

  #compute(path: OptionPath): Computed {
    const key = path.join("\0");
    const done = this.#values.get(key);
    if (done) return done;
    const option = this.declarations.lookup(path);
    if (!isOption(option)) throw new RoostError(`${showPath(this.fullPath(path))} is not an option`);
    const shown = this.#shown(path);
    if (this.#merging.has(key)) {
      // Reached again while its own definitions are being read: a getter reads the value it defines.
      const from = readStack.findIndex((r) => r.label === shown.label && r.path.join("\0") === shown.path.join("\0"));
      throw cycle(showChain([...readStack.slice(from), shown]), option.declaredIn);
    }
    if (readStack.length === 0) {
      for (;;) {
        try {
          return this.#computeNow(path, key, option, shown);
        } catch (e) {
          if (!(e instanceof DeferredRead)) throw e;
          e.evaluation.#compute(e.path);
        }
      }
    }
    if (shown.label !== undefined && !hostsOnStack.has(shown.label) && hostsOnStack.size >= maxHostsNested) {
      throw new DeferredRead(this, path);
    }
    return this.#computeNow(path, key, option, shown);
  }

  #computeNow(path: OptionPath, key: string, option: Option, shown: Reading): Computed {
    pushReading(shown);
    const outer = inherited;
    const outerOwner = computingFor;
    computingFor = this.#owner;
    try {
      const excluded: ModuleRun[] = [];
      for (const r of this.#runs) {
        if (r.state === "idle") this.#run(r);
        if (r.state === "running") excluded.push(r);
      }
      for (const r of excluded) r.assumed.push({ path, chain: readStack.slice(r.depth) });
      this.#merging.add(key);
      const raw: RawDefinition[] = [];
      for (const r of this.#runs) if (r.state === "done") raw.push(...collectDefinitions(r.output, path, r.module.site));
      inherited = this.#inherit;
      const computed = this.#merge(
        path,
        option,
        raw,
        excluded.map((r) => r.module),
      );
      this.#values.set(key, computed);
      return computed;
    } catch (e) {
      if (e instanceof DeferredRead) throw e;
      throw attribute(e, this.#owner, () => showPath(shown.path));
    } finally {
      inherited = outer;
      computingFor = outerOwner;
      this.#merging.delete(key);
      popReading();
    }
  }

  #merge(path: OptionPath, option: Option, raw: RawDefinition[], excluded: readonly Module[]): Computed {
    const full = this.fullPath(path);
    if (raw.length === 0 && option.hasDefault) {
      // Most options of a submodule are left at their default: merge each default once, ever.
      // Only a default that holds submodules can depend on the host; every other one is shared.
      const scope = option.type.subOptions ? this.#inherit : noArgs;
      let defaults = mergedDefaults.get(scope);
      if (!defaults) mergedDefaults.set(scope, (defaults = new WeakMap()));
      let computed = defaults.get(option);
      if (!computed) {
        const merged = mergeDefinitions(full, option.type, [defaultDefinition(option)]);
        defaults.set(option, (computed = { value: merged.defined ? merged.value : undefined, defs: merged.defined ? merged.defs : [] }));
      }
      return computed;
    }
    if (option.spec.readOnly && raw.length > 1) {
      throw readOnlyTwice(
        full,
        raw.map((d) => ({ value: d.value, site: d.site })),
      );
    }
    if (option.hasDefault) raw.push(defaultDefinition(option));
    const merged = mergeDefinitions(full, option.type, raw);
    if (!merged.defined)
      throw notDefined(
        full,
        option.declaredIn,
        excluded.map((m) => m.site),
      );
    return { value: merged.value, defs: merged.defs };
  }

  #run(r: ModuleRun): void {
    const fn = r.module.config;
    r.state = "running";
    r.depth = readStack.length;
    let output: unknown;
    try {
      output = typeof fn === "function" ? fn({ ...this.#args, config: this.config }) : fn;
    } catch (e) {
      r.state = "idle";
      // A run cut short to be tried again keeps what it assumed, to be checked when it completes.
      if (e instanceof DeferredRead) throw e;
      r.assumed = [];
      const own = e instanceof RoostError || (typeof e === "object" && e !== null && errorOrigins.has(e)) ? e : moduleFailed(r.module, e);
      throw attribute(own, this.#owner, () => `config function at ${r.module.site}`);
    }
    if (output instanceof Promise) {
      throw new RoostError(`the config function of ${r.module.name} returned a Promise`, [], "config functions must be synchronous");
    }
    r.output = output;
    r.state = "done";
    for (const a of r.assumed) {
      if (collectDefinitions(output, a.path, r.module.site).length > 0) {
        throw cycle(showChain([this.#shown(a.path), ...a.chain]), r.module.site);
      }
    }
    r.assumed = [];
  }

  #runAll(): void {
    for (const r of this.#runs) if (r.state === "idle") this.#run(r);
  }

  #shown(path: OptionPath): Reading {
    return { label: this.label, path: this.fullPath(path) };
  }

  #checkTree(value: unknown, node: DeclTree, path: string[], site: CallSite, errors: RoostError[]): void {
    for (const b of branches(value, site)) {
      if (!isPlainObject(b.value)) {
        errors.push(notAnAttributeSet(this.fullPath(path), { value: b.value, site: b.site }));
        continue;
      }
      for (const key of Object.keys(b.value)) {
        const child = Object.hasOwn(node, key) ? node[key] : undefined;
        const here = [...path, key];
        if (child === undefined) errors.push(noSuchOption(this.fullPath(here), b.site, suggest(key, Object.keys(node)), "defined"));
        else if (!isOption(child)) this.#checkTree(b.value[key], child, here, b.site, errors);
      }
    }
  }

  #proxy(node: DeclTree, path: OptionPath, strict = true): object {
    const key = `${strict ? "" : "?"}${path.join("\0")}`;
    const cached = this.#proxies.get(key);
    if (cached) return cached;
    const get = (name: string) => {
      const child = Object.hasOwn(node, name) ? node[name] : undefined;
      if (child === undefined) return undefined;
      return isOption(child) ? this.value([...path, name]) : this.#proxy(child, [...path, name], strict);
    };
    const proxy = new Proxy(Object.create(null) as object, {
      get: (_t, name) => {
        if (typeof name === "symbol") return undefined;
        if (!Object.hasOwn(node, name)) {
          if (!strict || name === "then" || name === "toJSON") return undefined;
          throw noSuchOption(this.fullPath([...path, name]), new CallSite(get), suggest(name, Object.keys(node)), "read");
        }
        return get(name);
      },
      has: (_t, name) => typeof name === "string" && Object.hasOwn(node, name),
      ownKeys: () => Object.keys(node),
      getOwnPropertyDescriptor: (_t, name) =>
        typeof name === "string" && Object.hasOwn(node, name)
          ? { enumerable: true, configurable: true, writable: false, value: get(name) }
          : undefined,
      set: () => {
        throw new RoostError(`config is read-only: define ${showPath(this.fullPath(path))} in a module's config instead`);
      },
    });
    this.#proxies.set(key, proxy);
    return proxy;
  }
}

function defaultDefinition(option: Option): RawDefinition {
  return { value: option.spec.default, site: option.declaredIn, priority: priorities.optionDefault };
}

function moduleFailed(module: Module, e: unknown): RoostError {
  const err = e instanceof Error ? e : new Error(String(e));
  const at = firstUserLine(mapStack(err.stack ?? ""));
  return new RoostError(`the config function of ${module.name} threw: ${err.message}`, at ? [`at ${at}`] : [], undefined, err);
}

function firstUserLine(stack: string): string | undefined {
  const line = stack.split("\n").find((l) => /^\s+at /.test(l) && !l.includes("/src/core/") && !l.includes("node:"));
  return line?.trim().replace(/^at /, "");
}
