// USD and prices as integer micro-units for SQLite, rounded exactly as PostgreSQL rounds
// NUMERIC(20,6): on the shortest decimal form of the number, half away from zero. Both
// sinks then hold the same value (Math.round on the binary product would turn 1.0000345
// into 1.000034, PostgreSQL into 1.000035).
const SCALE = 1_000_000;
const DECIMALS = 6;

export function toMicros(value: number): number {
  const scaled = value * SCALE;
  const nearest = Math.round(scaled);
  // Far from a tie the binary product rounds the same way as the decimal: fast path.
  if (Math.abs(Math.abs(scaled - Math.trunc(scaled)) - 0.5) > 1e-6) return nearest === 0 ? 0 : nearest;
  return roundDecimalString(plainDecimal(String(value))) ?? nearest;
}

/** "-5e-7" -> "-0.0000005": JavaScript prints tiny and huge numbers in exponent form. */
function plainDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match;
  const digits = `${whole}${fraction}`;
  const point = whole.length + Number(exponentText);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function fromMicros(micros: number): number {
  return micros / SCALE;
}

function roundDecimalString(text: string): number | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) return null;
  const [, sign = "", whole = "", fraction = ""] = match;
  const kept = Number(`${whole}${fraction.slice(0, DECIMALS).padEnd(DECIMALS, "0")}`);
  const roundsUp = (fraction.charCodeAt(DECIMALS) || 48) >= 53; // 7th digit >= '5'
  const magnitude = roundsUp ? kept + 1 : kept;
  return sign === "-" && magnitude !== 0 ? -magnitude : magnitude;
}
