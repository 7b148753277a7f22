// Bar sizes as users write them (`1m`, `5m`, `30s`, `1h`) and as stored (seconds).
import { DataInputError } from "./data-input-error.ts";

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

export function parseBarSize(text: string): number {
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim().toLowerCase());
  const seconds = match === null ? Number.NaN : Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
  if (!Number.isInteger(seconds) || seconds <= 0 || 86_400 % seconds !== 0) {
    throw new DataInputError(`bar size was '${text}', expected e.g. 1m, 5m, 30s, 1h or 1d (dividing a day evenly)`);
  }
  return seconds;
}

export function formatBarSize(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
