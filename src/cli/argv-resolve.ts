// citty parses leniently (unknown flags and extra arguments are silently ignored). A typo
// in a trading daemon's command line must not be ignored, so the invocation is checked
// against the command tree before anything runs.
import type { ArgDef, ArgsDef, CommandDef } from "citty";

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

function normalizeFlagName(name: string): string {
  return name.replaceAll(/[-_]/g, "").toLowerCase();
}

function findArg(argsDef: ArgsDef, flag: string): ArgDef | undefined {
  const isShort = !flag.startsWith("--");
  const bare = flag.replace(/^--?/, "").split("=")[0] ?? "";
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === "positional") continue;
    const alias = "alias" in def ? def.alias : undefined;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    if (isShort) {
      if (aliases.includes(bare)) return def;
      continue;
    }
    const wanted = normalizeFlagName(bare);
    const names = [name, ...aliases].map(normalizeFlagName);
    if (names.includes(wanted)) return def;
    if (def.type === "boolean" && names.some((candidate) => `no${candidate}` === wanted)) return def;
  }
  return undefined;
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
          note(`unknown option ${token} for ${commandPath}`);
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
