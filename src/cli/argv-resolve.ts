// citty parses leniently (unknown flags and extra arguments are silently ignored). A typo
// in a trading daemon's command line must not be ignored, so the invocation is checked
// against the command tree before anything runs.
import type { ArgDef, ArgsDef, CommandDef } from "citty";
import { closestName } from "../config/config-problem.ts";

export interface ResolvedInvocation {
  /** The deepest command the arguments name. */
  readonly command: CommandDef<ArgsDef>;
  /** "gs check config" */
  readonly commandPath: string;
  /** "gs check" (empty for the root command). */
  readonly parentPath: string;
  readonly helpRequested: boolean;
  /** Why the arguments cannot be run, or null. */
  readonly usageError: string | null;
}

type Resolvable<T> = T | Promise<T> | (() => T) | (() => Promise<T>);

async function resolve<T>(value: Resolvable<T> | undefined): Promise<T | undefined> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

const HELP_FLAGS = new Set(["--help", "-h"]);

/**
 * The long spellings citty applies to each flag: its declared name and aliases, and
 * `no-<name>` for a boolean, all exactly as written. Other case or `_` for `-` would pass
 * citty without effect (`--NO-SAVE` saved), and the camelCase forms citty also reads are
 * missed by the repeated flags read from the raw arguments (`--set`, `--sweep`), so neither
 * is accepted.
 */
function longSpellings(argsDef: ArgsDef): Map<string, ArgDef> {
  const spellings = new Map<string, ArgDef>();
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === "positional") continue;
    for (const spelling of [name, ...aliasesOf(def)]) {
      spellings.set(spelling, def);
      if (def.type === "boolean") spellings.set(`no-${spelling}`, def);
    }
  }
  return spellings;
}

function aliasesOf(def: ArgDef): string[] {
  const alias = "alias" in def ? def.alias : undefined;
  return alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
}

function findArg(argsDef: ArgsDef, flag: string): ArgDef | undefined {
  const bare = flag.replace(/^--?/, "").split("=")[0] ?? "";
  if (!flag.startsWith("--")) return Object.values(argsDef).find((def) => def.type !== "positional" && aliasesOf(def).includes(bare));
  return longSpellings(argsDef).get(bare);
}

function unknownOption(argsDef: ArgsDef, flag: string, commandPath: string): string {
  const bare = flag.replace(/^--?/, "").split("=")[0] ?? "";
  const guess = closestName(bare.toLowerCase().replaceAll("_", "-"), [...longSpellings(argsDef).keys()]);
  return `unknown option ${flag.split("=")[0]} for ${commandPath}${guess === null ? "" : ` (did you mean --${guess}?)`}`;
}

// citty reads any value but "false" on a boolean flag as true (--confirm=no confirms), and
// drops the flag entirely on --no-x=value, so only the two unambiguous spellings pass.
function booleanValueProblem(token: string): string | null {
  const [flag = "", value = ""] = token.split(/=(.*)/s);
  if (/^--no-/.test(flag)) return `option ${flag} takes no value, was ${token}`;
  if (value === "true" || value === "false") return null;
  return `option ${flag} was given "${value}", expected no value, true or false`;
}

export async function resolveInvocation(root: CommandDef<ArgsDef>, rawArgs: readonly string[]): Promise<ResolvedInvocation> {
  let command = root;
  let commandPath = (await resolve(root.meta))?.name ?? "gs";
  let parentPath = "";
  let helpRequested = false;
  let usageError: string | null = null;
  let index = 0;
  let positionals: string[] = [];

  const note = (message: string) => {
    usageError ??= message;
  };

  descend: for (;;) {
    const argsDef = (await resolve(command.args)) ?? {};
    const subCommands = await resolve(command.subCommands);
    const hasSubCommands = subCommands !== undefined && Object.keys(subCommands).length > 0;
    positionals = [];
    while (index < rawArgs.length) {
      const token = rawArgs[index++] ?? "";
      if (token === "--") {
        positionals.push(...rawArgs.slice(index));
        index = rawArgs.length;
        break;
      }
      if (HELP_FLAGS.has(token)) {
        helpRequested = true;
        continue;
      }
      if (token.startsWith("-") && token !== "-") {
        const def = findArg(argsDef, token);
        if (def === undefined) {
          note(unknownOption(argsDef, token, commandPath));
        } else if (def.type === "boolean" && token.includes("=")) {
          const problem = booleanValueProblem(token);
          if (problem !== null) note(problem);
        } else if ((def.type === "string" || def.type === "enum") && !token.includes("=")) {
          if (index >= rawArgs.length) note(`option ${token} needs a value`);
          index++;
        }
        continue;
      }
      if (hasSubCommands) {
        const next = subCommands[token];
        if (next === undefined) {
          note(`unknown command "${token}" for ${commandPath}`);
          break descend;
        }
        command = (await resolve(next)) as CommandDef<ArgsDef>;
        parentPath = commandPath;
        commandPath = `${commandPath} ${token}`;
        continue descend;
      }
      positionals.push(token);
    }
    if (hasSubCommands && command.default === undefined) note(`${commandPath} needs a command`);
    const positionalCount = Object.values(argsDef).filter((def) => def.type === "positional").length;
    const extra = positionals.slice(positionalCount);
    if (extra.length > 0) note(`unexpected argument "${extra[0]}" for ${commandPath}`);
    break;
  }
  return { command, commandPath, parentPath, helpRequested, usageError };
}
