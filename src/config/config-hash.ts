// A stable fingerprint of the effective config, recorded with status rows and backtest
// runs so any result can be traced to the exact settings that produced it.
import { createHash } from "node:crypto";
import type { GsConfig } from "./schema.ts";

/** JSON with object keys sorted at every level: equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 hex of the canonical JSON; secrets are included (a changed token is a changed config). */
export function configHash(config: GsConfig): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}
