// Minimal inline-SVG line charts for the HTML report: no scripts, no external assets, so
// the report opens offline in any browser and can be mailed as one file.

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
}

export interface ChartOptions {
  readonly title: string;
  readonly yUnit: string;
  readonly width?: number;
  readonly height?: number;
}

const PAD = { left: 70, right: 16, top: 28, bottom: 30 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] as string);
}

/** Reduces a series to at most ~2 x buckets points, keeping each bucket's min and max. */
export function downsample(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number): { xs: number[]; ys: number[] } {
  const n = Math.min(xs.length, ys.length);
  if (n <= buckets * 2) return { xs: Array.from({ length: n }, (_, i) => xs[i] as number), ys: Array.from({ length: n }, (_, i) => ys[i] as number) };
  const outX: number[] = [];
  const outY: number[] = [];
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let minI = -1;
    let maxI = -1;
    for (let i = from; i < to; i++) {
      const y = ys[i] as number;
      if (Number.isNaN(y)) continue;
      if (minI === -1 || y < (ys[minI] as number)) minI = i;
      if (maxI === -1 || y > (ys[maxI] as number)) maxI = i;
    }
    if (minI === -1) continue;
    for (const i of minI <= maxI ? [minI, maxI] : [maxI, minI]) {
      outX.push(xs[i] as number);
      outY.push(ys[i] as number);
    }
  }
  return { xs: outX, ys: outY };
}

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return abs >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(2);
}

export function lineChart(series: readonly ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 960;
  const height = options.height ?? 280;
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.xs.length; i++) {
      const x = s.xs[i] as number;
      const y = s.ys[i] as number;
      if (Number.isNaN(y)) continue;
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
  }
  if (!Number.isFinite(xMin)) return `<p>${escapeXml(options.title)}: no data</p>`;
  if (yMin === yMax) {
    yMin -= 1;
    yMax += 1;
  }
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number): number => PAD.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeXml(options.title)}">`);
  parts.push(`<text x="${PAD.left}" y="18" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (const tick of niceTicks(yMin, yMax, 5)) {
    const y = sy(tick).toFixed(1);
    parts.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${y}" y2="${y}" stroke="${tick === 0 ? "#888" : "#e3e3e3"}"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`);
  }
  const xTicks = 6;
  for (let k = 0; k <= xTicks; k++) {
    const x = xMin + ((xMax - xMin) * k) / xTicks;
    parts.push(`<text x="${sx(x).toFixed(1)}" y="${height - 10}" font-size="11" text-anchor="middle">${new Date(x).toISOString().slice(0, 10)}</text>`);
  }
  parts.push(`<text x="12" y="${PAD.top + plotH / 2}" font-size="11" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">${escapeXml(options.yUnit)}</text>`);
  let legendX = PAD.left + 10;
  for (const s of series) {
    const points: string[] = [];
    for (let i = 0; i < s.xs.length; i++) {
      const y = s.ys[i] as number;
      if (!Number.isNaN(y)) points.push(`${sx(s.xs[i] as number).toFixed(1)},${sy(y).toFixed(1)}`);
    }
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.3" points="${points.join(" ")}"/>`);
    parts.push(`<rect x="${legendX}" y="${PAD.top + 4}" width="10" height="10" fill="${s.color}"/><text x="${legendX + 14}" y="${PAD.top + 13}" font-size="11">${escapeXml(s.name)}</text>`);
    legendX += 34 + s.name.length * 6.5;
  }
  parts.push("</svg>");
  return parts.join("");
}
