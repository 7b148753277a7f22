// How the dashboard writes numbers, money, ratios and ages: pure, so each can be read (and
// changed) without the DOM code around it. Served at /dashboard-format.ts for the client.

export const number = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined ? "–" : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const usd = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${value < 0 ? "−" : ""}$${number(Math.abs(value), 2)}`);
export const percent = (ratio: number | null | undefined): string => (ratio === null || ratio === undefined ? "–" : `${number(ratio * 100, 1)}%`);
export const signed = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${value > 0 ? "+" : ""}${number(value)}`);

export function age(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

// The server imports this file's source text; this default export only types that import.
export default "" as string;
