// Instants and durations in query strings: `since=2026-03-02T14:30:00Z` or `since=1772461800000`,
// `every=30s|1m|5m|1h|1d`.
import { InputError } from "./http-input.ts";

const EPOCH_MS_TEXT = /^\d{1,16}$/;
/** ISO-8601 date or date-time; a date-time needs a zone so "10:00" is never read as server-local. */
const ISO_TEXT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const DURATION_TEXT = /^(\d{1,6})(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Epoch ms from ISO-8601 (with a zone, or a bare date = 00:00 UTC) or epoch milliseconds. */
export function parseInstantMs(field: string, text: string): number {
  if (EPOCH_MS_TEXT.test(text)) return Number(text);
  if (ISO_TEXT.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InputError(field, `${field} was ${JSON.stringify(text)}, expected ISO-8601 with a zone (2026-03-02T14:30:00Z) or epoch milliseconds`);
}

export function parseDurationMs(field: string, text: string): number {
  const match = DURATION_TEXT.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? 0) : 0;
  if (ms <= 0) throw new InputError(field, `${field} was ${JSON.stringify(text)}, expected a positive duration like 30s, 1m, 5m, 1h`);
  return ms;
}

/** since/until pair; until before since is an error rather than an empty answer. */
export function parseTimeRange(query: { readonly since?: string; readonly until?: string }): { sinceMs?: number; untilMs?: number } {
  const sinceMs = query.since === undefined ? undefined : parseInstantMs("since", query.since);
  const untilMs = query.until === undefined ? undefined : parseInstantMs("until", query.until);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs) {
    throw new InputError("until", `until was ${query.until}, expected a time at or after since (${query.since})`);
  }
  return { ...(sinceMs === undefined ? {} : { sinceMs }), ...(untilMs === undefined ? {} : { untilMs }) };
}
