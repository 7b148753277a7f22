// The dashboard's chart: delta and hedge shares over the trading day as inline SVG (no
// chart library, nothing fetched from a CDN). Served to the browser as its own module.

export interface ChartPoint {
  readonly tsMs: number;
  readonly delta: number | null;
  readonly hedge: number;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const label = (value: number): string => value.toLocaleString("en-US", { maximumFractionDigits: 0 });

/** Draws delta and hedge shares over time into the SVG (viewBox 800 x 220). */
export function renderChart(svg: Element, chart: readonly ChartPoint[]): void {
  const width = 800;
  const height = 220;
  const pad = 24;
  if (chart.length === 0) {
    svg.replaceChildren(svgText(width / 2 - 60, height / 2, "no history yet today"));
    return;
  }
  const values = chart.flatMap((point) => [point.hedge, point.delta ?? 0, 0]);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const first = chart[0]?.tsMs ?? 0;
  const last = Math.max(chart[chart.length - 1]?.tsMs ?? first, first + 60_000);
  const x = (tsMs: number): number => pad + ((tsMs - first) / (last - first)) * (width - 2 * pad);
  const y = (value: number): number => height - pad - ((value - low) / span) * (height - 2 * pad);
  const line = (pick: (point: ChartPoint) => number | null, cls: string): SVGPolylineElement => {
    const polyline = document.createElementNS(SVG_NS, "polyline");
    polyline.setAttribute("class", cls);
    polyline.setAttribute("points", chart.flatMap((point) => (pick(point) === null ? [] : [`${x(point.tsMs).toFixed(1)},${y(pick(point) ?? 0).toFixed(1)}`])).join(" "));
    return polyline;
  };
  const zero = document.createElementNS(SVG_NS, "line");
  zero.setAttribute("class", "zero");
  for (const [name, value] of [["x1", pad], ["x2", width - pad], ["y1", y(0)], ["y2", y(0)]] as const) zero.setAttribute(name, String(value));
  svg.replaceChildren(
    zero,
    line((point) => point.hedge, "hedge"),
    line((point) => point.delta, "delta"),
    svgText(2, pad - 8, label(high)),
    svgText(2, height - pad + 4, label(low)),
    svgText(pad + 40, height - 4, new Date(first).toLocaleTimeString()),
    svgText(width - pad - 60, height - 4, new Date(last).toLocaleTimeString()),
  );
}

function svgText(xPos: number, yPos: number, text: string): SVGTextElement {
  const element = document.createElementNS(SVG_NS, "text");
  element.setAttribute("x", String(xPos));
  element.setAttribute("y", String(yPos));
  element.textContent = text;
  return element;
}

/** Midnight America/New_York of today, epoch ms (the trading day the daemon counts in). */
export function newYorkDayStartMs(nowMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit", timeZoneName: "shortOffset" }).formatToParts(new Date(nowMs));
  const part = (type: string): string => parts.find((each) => each.type === type)?.value ?? "";
  const offset = /GMT([+-]\d+)?/.exec(part("timeZoneName"))?.[1] ?? "0";
  return Date.UTC(Number(part("year")), Number(part("month")) - 1, Number(part("day"))) - Number(offset) * 3_600_000;
}

// The server imports this file's source text; this default export only types that import.
export default "" as string;
