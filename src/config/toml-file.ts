// Reads and parses a gs.toml. Bun's TOML parser does not say on which line it failed, so
// the line is found by parsing growing prefixes of the file: the first line after the
// longest prefix that still parses is where the file went wrong.
import { readFileSync } from "node:fs";
import type { ConfigProblem } from "./config-problem.ts";

export type TomlReadResult =
  | { readonly type: "parsed"; readonly data: Readonly<Record<string, unknown>> }
  | { readonly type: "failed"; readonly problem: ConfigProblem };

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory",
};

export function readTomlFile(path: string): TomlReadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "";
    const reason = READ_ERRORS[code] ?? (error instanceof Error ? error.message : String(error));
    return { type: "failed", problem: { origin: path, keyPath: null, message: `cannot be read (${reason}), expected a readable TOML file` } };
  }
  try {
    return { type: "parsed", data: normalizeTomlValues(Bun.TOML.parse(text)) as Record<string, unknown> };
  } catch (error) {
    const lines = text.split("\n");
    const lineNumber = firstBadLine(lines);
    return {
      type: "failed",
      problem: { origin: path, keyPath: null, message: `line ${lineNumber}${whereOnLine(lines, lineNumber)} is not valid TOML (${parseReason(error)})` },
    };
  }
}

// A broken line may hold a token or a database password, so neither the line nor the
// parser's quote of it is echoed: only the key (or table header) it belongs to.
function parseReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^TOML Parse error: /, "").replaceAll(/:\s*"[^"]*"/g, "");
}

function whereOnLine(lines: readonly string[], lineNumber: number): string {
  const line = (lines[lineNumber - 1] ?? "").trim();
  if (line.startsWith("[")) return ` (table header ${line})`;
  const key = /^([\w.\-"' ]+?)\s*=/.exec(line)?.[1];
  if (key === undefined) return "";
  const table = tableAbove(lines, lineNumber);
  return ` (key ${table === "" ? key : `${table}.${key}`})`;
}

function tableAbove(lines: readonly string[], lineNumber: number): string {
  for (let index = lineNumber - 2; index >= 0; index--) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]/.exec(lines[index] ?? "")?.[1];
    if (header !== undefined) return header;
  }
  return "";
}

function firstBadLine(lines: readonly string[]): number {
  for (let count = lines.length - 1; count > 0; count--) {
    try {
      Bun.TOML.parse(lines.slice(0, count).join("\n"));
      return count + 1;
    } catch {
      // still broken with this prefix: the error is at or before its last line
    }
  }
  return 1;
}

/** TOML dates and times arrive as Temporal objects; gs keeps dates as `YYYY-MM-DD` text. */
function normalizeTomlValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeTomlValues);
  if (value === null || typeof value !== "object") return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return String(value);
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, normalizeTomlValues(child)]));
}
