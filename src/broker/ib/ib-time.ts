// TWS time texts. Executions carry "yyyymmdd hh:mm:ss <IANA zone>" (zone optional, then
// UTC is assumed) or "yyyymmdd-hh:mm:ss" (UTC); execution filters are sent in the UTC form.

const TIME_PATTERN = /^(\d{4})(\d{2})(\d{2})(?:-| +)(\d{2}):(\d{2}):(\d{2})(?: +(\S+))?$/;

export function parseTwsTime(text: string): number {
  const match = TIME_PATTERN.exec(text.trim());
  if (!match) throw new Error(`TWS time was ${JSON.stringify(text)}, expected "yyyymmdd hh:mm:ss [zone]" or "yyyymmdd-hh:mm:ss"`);
  const [, y, mo, d, h, mi, s] = match.slice(0, 7).map(Number);
  const wallClockAsUtcMs = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
  const zone = match[7];
  if (zone === undefined) return wallClockAsUtcMs;
  // Two passes so an instant near a DST switch takes the offset in force at that instant.
  const firstGuess = wallClockAsUtcMs - zoneOffsetMs(zone, wallClockAsUtcMs);
  return wallClockAsUtcMs - zoneOffsetMs(zone, firstGuess);
}

/** Offset of `zone` from UTC at (about) the given instant; wall-clock arithmetic via Intl. */
function zoneOffsetMs(zone: string, approxUtcMs: number): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
  } catch {
    throw new Error(`TWS time zone was ${JSON.stringify(zone)}, expected an IANA zone name such as US/Eastern`);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(approxUtcMs)).map((p) => [p.type, Number(p.value)]));
  const asUtc = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return asUtc - approxUtcMs;
}

export function formatExecutionFilterTime(utcMs: number): string {
  const t = new Date(utcMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}-${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}
