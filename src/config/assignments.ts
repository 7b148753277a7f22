// Values set by the file, the environment and `--set`, each checked against its leaf.
// Collectors never stop at the first problem: the user sees everything wrong at once.
import { KindGuard } from "@sinclair/typebox";
import type { TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { closestName, describeFound } from "./config-problem.ts";
import type { ConfigProblem } from "./config-problem.ts";
import { GS_CONFIG_SCHEMA } from "./schema.ts";
import { CONFIG_LEAVES, findLeaf, findLeafByEnv } from "./schema-leaves.ts";
import type { ConfigLeaf } from "./schema-leaves.ts";
import { parseTextValue } from "./text-value.ts";

export type ValueSource =
  | { readonly type: "default" }
  | { readonly type: "file"; readonly path: string }
  | { readonly type: "env"; readonly name: string }
  | { readonly type: "flag"; readonly text: string };

export interface Assignment {
  readonly leaf: ConfigLeaf;
  readonly value: unknown;
  readonly source: ValueSource;
}

export interface Collected {
  readonly assignments: readonly Assignment[];
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly string[];
}

function checkValue(leaf: ConfigLeaf, value: unknown, origin: string): ConfigProblem | null {
  if (Value.Check(leaf.schema, value)) return null;
  return { origin, keyPath: leaf.keyPath, message: `was ${describeFound(value, leaf.secret)}, expected ${leaf.expected}` };
}

function unknownKeyProblem(origin: string, keyPath: string, known: readonly string[], prefix: string): ConfigProblem {
  const last = keyPath.slice(prefix.length);
  const guess = closestName(last, known);
  const hint = guess === null ? "" : ` (did you mean ${prefix}${guess}?)`;
  return { origin, keyPath, message: `is not a known key${hint}, expected one of: ${known.join(", ")}` };
}

function isTable(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function collectFileValues(data: Readonly<Record<string, unknown>>, path: string): Collected {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  const walk = (section: TObject, table: Readonly<Record<string, unknown>>, prefix: string) => {
    const known = Object.keys(section.properties);
    for (const [key, value] of Object.entries(table)) {
      const keyPath = `${prefix}${key}`;
      const schema = section.properties[key];
      if (schema === undefined) {
        problems.push(unknownKeyProblem(path, keyPath, known, prefix));
      } else if (KindGuard.IsObject(schema)) {
        if (isTable(value)) walk(schema, value, `${keyPath}.`);
        else problems.push({ origin: path, keyPath, message: `was ${describeFound(value, false)}, expected a table [${keyPath}]` });
      } else {
        const leaf = findLeaf(keyPath);
        if (leaf === undefined) throw new Error(`config schema: leaf ${keyPath} missing from CONFIG_LEAVES`);
        const problem = checkValue(leaf, value, path);
        if (problem === null) assignments.push({ leaf, value, source: { type: "file", path } });
        else problems.push(problem);
      }
    }
  };
  walk(GS_CONFIG_SCHEMA, data, "");
  return { assignments, problems, warnings: [] };
}

const SECTION_ENV_PREFIXES = Object.entries(GS_CONFIG_SCHEMA.properties)
  .filter(([, schema]) => KindGuard.IsObject(schema))
  .map(([key]) => `GS_${key.toUpperCase()}_`);

export function collectEnvValues(env: Readonly<Record<string, string | undefined>>): Collected {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (text === undefined || !name.startsWith("GS_")) continue;
    const leaf = findLeafByEnv(name);
    if (leaf === undefined) {
      // Other GS_ variables exist (GS_CONFIG, GS_DEBUG, test switches); only names inside
      // a config section look like a typo worth mentioning.
      if (SECTION_ENV_PREFIXES.some((prefix) => name.startsWith(prefix))) {
        const guess = closestName(name, CONFIG_LEAVES.map((candidate) => candidate.envName));
        warnings.push(`env ${name} does not name a config key and is ignored${guess === null ? "" : ` (did you mean ${guess}?)`}`);
      }
      continue;
    }
    const value = parseTextValue(leaf.schema, text);
    const problem = checkValue(leaf, value, `env ${name}`);
    if (problem === null) assignments.push({ leaf, value, source: { type: "env", name } });
    else problems.push(problem);
  }
  return { assignments, problems, warnings };
}

/** `--set key.path=value` overrides, applied in the order given. */
export function collectFlagValues(overrides: readonly string[]): Collected {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  for (const text of overrides) {
    const origin = `--set ${text}`;
    const equals = text.indexOf("=");
    if (equals <= 0) {
      problems.push({ origin: "--set", keyPath: null, message: `was ${JSON.stringify(text)}, expected KEY=VALUE such as hedge.threshold_shares=30` });
      continue;
    }
    const keyPath = text.slice(0, equals).trim();
    const leaf = findLeaf(keyPath);
    if (leaf === undefined) {
      const guess = closestName(keyPath, CONFIG_LEAVES.map((candidate) => candidate.keyPath));
      const hint = guess === null ? "" : ` (did you mean ${guess}?)`;
      problems.push({ origin: "--set", keyPath, message: `is not a known key${hint}, expected a key path such as hedge.threshold_shares` });
      continue;
    }
    const value = parseTextValue(leaf.schema, text.slice(equals + 1));
    const problem = checkValue(leaf, value, leaf.secret ? `--set ${keyPath}=…` : origin);
    if (problem === null) assignments.push({ leaf, value, source: { type: "flag", text: leaf.secret ? `${keyPath}=…` : text } });
    else problems.push(problem);
  }
  return { assignments, problems, warnings: [] };
}
