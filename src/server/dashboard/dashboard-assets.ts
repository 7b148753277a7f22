// The dashboard's files, embedded in the executable as text. The client is written in
// TypeScript (type-checked with the rest of src/) and transpiled once, on first request.
import style from "./dashboard.css" with { type: "text" };
import clientSource from "./dashboard-client.ts" with { type: "text" };
import { DASHBOARD_PAGE_HTML } from "./dashboard-page.ts";

let script: string | null = null;

export const DASHBOARD_ASSETS = {
  html: DASHBOARD_PAGE_HTML,
  style,
  script(): string {
    script ??= new Bun.Transpiler({ loader: "ts", target: "browser" }).transformSync(clientSource);
    return script;
  },
} as const;
