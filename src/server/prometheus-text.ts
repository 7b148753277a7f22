// Prometheus text exposition format 0.0.4: metric families with HELP/TYPE, escaped label
// values, and a latency histogram with cumulative buckets. Names are the caller's job.

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** `_bucket`, `_sum`, `_count` for histogram lines; none for plain samples. */
  readonly suffix?: string;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter" | "histogram";
  readonly samples: readonly Sample[];
}

export function renderFamilies(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(renderSample(family.name, sample));
  }
  return `${lines.join("\n")}\n`;
}

function renderSample(name: string, sample: Sample): string {
  const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return `${name}${sample.suffix ?? ""}${labels.length > 0 ? `{${labels.join(",")}}` : ""} ${formatValue(sample.value)}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** Default buckets for HTTP handling time, seconds. */
export const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface Series {
  readonly labels: Labels;
  readonly bucketCounts: number[];
  count: number;
  sum: number;
}

/** A histogram keyed by label set; observe() is O(buckets), no allocation on the hot path after the first call. */
export class Histogram {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bucketsS: readonly number[] = LATENCY_BUCKETS_S,
  ) {}

  observe(labels: Labels, valueS: number): void {
    let key = "";
    for (const name in labels) key += `${labels[name]}\u0000`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { labels, bucketCounts: this.bucketsS.map(() => 0), count: 0, sum: 0 };
      this.series.set(key, series);
    }
    for (let index = 0; index < this.bucketsS.length; index += 1) {
      if (valueS <= (this.bucketsS[index] ?? Infinity)) series.bucketCounts[index] = (series.bucketCounts[index] ?? 0) + 1;
    }
    series.count += 1;
    series.sum += valueS;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const series of this.series.values()) {
      this.bucketsS.forEach((bound, index) => {
        samples.push({ suffix: "_bucket", labels: { ...series.labels, le: String(bound) }, value: series.bucketCounts[index] ?? 0 });
      });
      samples.push({ suffix: "_bucket", labels: { ...series.labels, le: "+Inf" }, value: series.count });
      samples.push({ suffix: "_sum", labels: series.labels, value: series.sum });
      samples.push({ suffix: "_count", labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: "histogram", samples };
  }
}
