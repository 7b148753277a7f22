// Subcommands are listed with their one-line description here and loaded only when run,
// so `gs --help` stays fast and `gs init` never loads the IB client or the server.
import type { ArgsDef, CommandDef } from "citty";

export interface LazyCommand<T extends ArgsDef> {
  readonly name: string;
  readonly description: string;
  /** `() => import("./commands/x.ts")`: a module whose default export is the command. */
  readonly load: () => Promise<{ readonly default: CommandDef<T> }>;
}

/** A citty command whose args, subcommands and run come from `load()` on first use. */
export function lazyCommand<T extends ArgsDef>(entry: LazyCommand<T>): CommandDef<ArgsDef> {
  let loaded: Promise<CommandDef<ArgsDef>> | null = null;
  // Each command's run is typed by its own args; citty parses exactly those args for it.
  const target = (): Promise<CommandDef<ArgsDef>> =>
    (loaded ??= entry.load().then((module) => module.default as unknown as CommandDef<ArgsDef>));
  return {
    meta: { name: entry.name, description: entry.description },
    args: async () => (await resolve((await target()).args)) ?? {},
    subCommands: async () => (await resolve((await target()).subCommands)) ?? {},
    // A group such as `check` has no run of its own; citty already ran the chosen child.
    run: async (context) => (await target()).run?.(context),
  };
}

async function resolve<T>(value: T | Promise<T> | (() => T) | (() => Promise<T>) | undefined): Promise<T | undefined> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}
