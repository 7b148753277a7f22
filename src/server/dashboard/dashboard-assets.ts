// The dashboard's files, embedded in the executable as text. The client is written in
// TypeScript (type-checked with the rest of src/) and transpiled once, on first request.
import style from "./dashboard.css" with { type: "text" };
import chartSource from "./dashboard-chart.ts" with { type: "text" };
import clientSource from "./dashboard-client.ts" with { type: "text" };
import formatSource from "./dashboard-format.ts" with { type: "text" };
import livenessSource from "./dashboard-liveness.ts" with { type: "text" };
import streamSource from "./dashboard-stream.ts" with { type: "text" };
import { DASHBOARD_PAGE_HTML } from "./dashboard-page.ts";

const transpiled = new Map<string, string>();

function toJavaScript(source: string): string {
  let script = transpiled.get(source);
  if (script === undefined) {
    script = new Bun.Transpiler({ loader: "ts", target: "browser" }).transformSync(source);
    transpiled.set(source, script);
  }
  return script;
}

export const DASHBOARD_ASSETS = {
  html: DASHBOARD_PAGE_HTML,
  style,
  script: (): string => toJavaScript(clientSource),
  /** Served at /dashboard-chart.ts: the URL the transpiled client imports it by. */
  chartScript: (): string => toJavaScript(chartSource),
  /** Served at /dashboard-format.ts, likewise. */
  formatScript: (): string => toJavaScript(formatSource),
  /** Served at /dashboard-liveness.ts, likewise. */
  livenessScript: (): string => toJavaScript(livenessSource),
  /** Served at /dashboard-stream.ts, likewise. */
  streamScript: (): string => toJavaScript(streamSource),
} as const;
