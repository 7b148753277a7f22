// The schema flattened to its leaves (`hedge.threshold_shares`, ...), each with its
// environment variable name and a human description of what it accepts.
import { KindGuard } from "@sinclair/typebox";
import type { TObject, TSchema } from "@sinclair/typebox";
import { GS_CONFIG_SCHEMA } from "./schema.ts";

export interface ConfigLeaf {
  /** Dotted TOML path, e.g. `status.sqlite.path`. */
  readonly keyPath: string;
  readonly segments: readonly string[];
  /** `GS_` + key path upper-cased, dots as underscores: `GS_STATUS_SQLITE_PATH`. */
  readonly envName: string;
  readonly schema: TSchema;
  readonly secret: boolean;
  /** "an integer from 1 to 65535", `one of "sim", "ib"`, ... */
  readonly expected: string;
  readonly description: string;
}

export function envNameFor(keyPath: string): string {
  return `GS_${keyPath.toUpperCase().replaceAll(".", "_")}`;
}

function describeExpected(schema: TSchema): string {
  if (typeof schema.hint === "string") return schema.hint;
  if (KindGuard.IsInteger(schema) || KindGuard.IsNumber(schema)) {
    const kind = KindGuard.IsInteger(schema) ? "an integer" : "a number";
    return `${kind} from ${schema.minimum} to ${schema.maximum}`;
  }
  if (KindGuard.IsBoolean(schema)) return "true or false";
  if (KindGuard.IsUnion(schema)) {
    const values = schema.anyOf.map((member) => JSON.stringify(KindGuard.IsLiteral(member) ? member.const : member));
    return `one of ${values.join(", ")}`;
  }
  if (KindGuard.IsString(schema)) return schema.pattern === undefined ? "a string" : `a string matching /${schema.pattern}/`;
  if (KindGuard.IsArray(schema)) return `a list of ${describeExpected(schema.items)}`;
  throw new Error(`config schema: no description for schema kind ${String(schema.type)}`);
}

function collectLeaves(section: TObject, prefix: readonly string[], out: ConfigLeaf[]): void {
  for (const [key, schema] of Object.entries(section.properties)) {
    const segments = [...prefix, key];
    if (KindGuard.IsObject(schema)) {
      collectLeaves(schema, segments, out);
      continue;
    }
    const keyPath = segments.join(".");
    out.push({
      keyPath,
      segments,
      envName: envNameFor(keyPath),
      schema,
      secret: schema.secret === true,
      expected: describeExpected(schema),
      description: typeof schema.description === "string" ? schema.description : "",
    });
  }
}

function buildLeaves(): readonly ConfigLeaf[] {
  const leaves: ConfigLeaf[] = [];
  collectLeaves(GS_CONFIG_SCHEMA, [], leaves);
  return leaves;
}

/** Every config key, in schema (and therefore documentation) order. */
export const CONFIG_LEAVES: readonly ConfigLeaf[] = buildLeaves();

const LEAVES_BY_PATH: ReadonlyMap<string, ConfigLeaf> = new Map(CONFIG_LEAVES.map((leaf) => [leaf.keyPath, leaf]));
const LEAVES_BY_ENV: ReadonlyMap<string, ConfigLeaf> = new Map(CONFIG_LEAVES.map((leaf) => [leaf.envName, leaf]));

export function findLeaf(keyPath: string): ConfigLeaf | undefined {
  return LEAVES_BY_PATH.get(keyPath);
}

export function findLeafByEnv(envName: string): ConfigLeaf | undefined {
  return LEAVES_BY_ENV.get(envName);
}
