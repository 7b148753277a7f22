// The simulated account survives daemon restarts, like a real broker account does: positions,
// executions, the order id counter and the market time reached are kept in a small JSON file
// (written atomically), so a restart reconciles against the same account and resumes the replay.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SimAccountState } from "./sim-broker.ts";

export interface SavedSimAccount {
  readonly version: 1;
  readonly account: SimAccountState;
  /** Market time the replay had reached; the next run resumes from here. */
  readonly marketTsMs: number;
}

export function readSimAccount(path: string): SavedSimAccount | null {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`sim account file ${path} is not valid JSON (${String(error)}); delete it to start a fresh simulated account`);
  }
  if (!isSavedAccount(parsed)) {
    throw new Error(`sim account file ${path} was not a gs sim account (version 1); delete it to start a fresh simulated account`);
  }
  return parsed;
}

export function writeSimAccount(path: string, saved: SavedSimAccount): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(saved));
  renameSync(temporary, path);
}

function isSavedAccount(value: unknown): value is SavedSimAccount {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  const account = record.account as Record<string, unknown> | undefined;
  return (
    record.version === 1 &&
    typeof record.marketTsMs === "number" &&
    typeof account === "object" &&
    Array.isArray(account.positions) &&
    Array.isArray(account.executions) &&
    typeof account.nextOrderId === "number"
  );
}
