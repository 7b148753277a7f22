// Times as TWS writes them in execution reports ("20260105 10:30:01 US/Eastern") and
// as clients write them in execution filters ("20260105-15:30:01", UTC).

const EXCHANGE_ZONE = "US/Eastern";

const zoneFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: EXCHANGE_ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit",
});

export function formatTwsExecutionTime(tsMs: number): string {
  const parts = Object.fromEntries(zoneFormat.formatToParts(new Date(tsMs)).map((p) => [p.type, p.value]));
  return `${parts.year}${parts.month}${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${EXCHANGE_ZONE}`;
}

/** Parses an execution filter time; "" means no filter (null). */
export function parseFilterTime(text: string): number | null {
  if (text === "") return null;
  const match = /^(\d{4})(\d{2})(\d{2})[- ](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`execution filter time was ${JSON.stringify(text)}, expected yyyymmdd-hh:mm:ss (UTC)`);
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
}
