// Rules that involve more than one key, checked after every source is merged.
import type { ConfigProblem } from "./config-problem.ts";
import type { GsConfig } from "./schema.ts";

/** Names where a key's effective value came from (`gs.toml`, `env GS_…`, `default`). */
export type OriginOf = (keyPath: string) => string;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

function isCalendarDay(text: string): boolean {
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

export function crossCheck(config: GsConfig, originOf: OriginOf): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const require = (ok: boolean, keyPath: string, message: string) => {
    if (!ok) problems.push({ origin: originOf(keyPath), keyPath, message });
  };
  const { strategy, hedge, guards, status, server, sim } = config;

  require(strategy.min_dte <= strategy.max_dte, "strategy.min_dte", `was ${strategy.min_dte}, expected at most strategy.max_dte (${strategy.max_dte})`);
  require(hedge.epsilon_band < hedge.threshold_shares, "hedge.epsilon_band", `was ${hedge.epsilon_band}, expected less than hedge.threshold_shares (${hedge.threshold_shares})`);
  require(hedge.threshold_shares <= hedge.forced_delta, "hedge.threshold_shares", `was ${hedge.threshold_shares}, expected at most hedge.forced_delta (${hedge.forced_delta})`);
  require(hedge.min_shares <= hedge.max_shares_per_order, "hedge.min_shares", `was ${hedge.min_shares}, expected at most hedge.max_shares_per_order (${hedge.max_shares_per_order})`);
  for (const day of guards.earnings_dates) {
    require(isCalendarDay(day), "guards.earnings_dates", `contained ${JSON.stringify(day)}, expected real calendar dates (YYYY-MM-DD)`);
  }
  if (status.sink === "postgres") {
    require(/^postgres(ql)?:\/\/./.test(status.postgres.url), "status.postgres.url", `was ${status.postgres.url === "" ? "empty" : "not a postgres:// URL"}, expected a postgres://user:password@host:port/database URL because status.sink is "postgres"`);
  }
  if (sim.source === "csv") {
    require(sim.csv_path !== "", "sim.csv_path", `was empty, expected the path of a CSV file because sim.source is "csv"`);
  }
  require(server.token === "" || server.token_file === "", "server.token_file", `was set together with server.token, expected only one of them`);
  require(
    LOOPBACK_HOSTS.has(server.host) || server.token !== "" || server.token_file !== "",
    "server.host",
    `was ${JSON.stringify(server.host)} (not loopback) with no token, expected server.token or server.token_file to be set`,
  );
  return problems;
}
