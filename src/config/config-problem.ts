// One thing wrong with the configuration, and the error that carries all of them.
import { UserError } from "./user-error.ts";

export interface ConfigProblem {
  /** Where the bad value came from: a file path, `env GS_IB_PORT`, `--set`, ... */
  readonly origin: string;
  /** Dotted key path, or null when the problem is the whole file (unreadable, bad TOML). */
  readonly keyPath: string | null;
  /** What is wrong, phrased "was X, expected Y". */
  readonly message: string;
}

export class ConfigError extends UserError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((problem) => `  - ${formatProblem(problem)}`);
    super(`invalid configuration (${count}):\n${lines.join("\n")}`);
    this.name = "ConfigError";
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const key = problem.keyPath === null ? "" : ` ${problem.keyPath}`;
  return `${problem.origin}:${key} ${problem.message}`;
}

/** How a found value is quoted in messages: JSON for text and lists, plain for numbers. */
export function describeFound(value: unknown, secret: boolean): string {
  if (secret) return `a hidden ${Array.isArray(value) ? "list" : typeof value}`;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return "a table";
  // JSON has no NaN or infinity (they would read "null"): show them as TOML spells them.
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  return JSON.stringify(value) ?? String(value);
}

/** The nearest known name, for "did you mean" hints on typos. */
export function closestName(wanted: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(wanted.length * 0.45)) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
