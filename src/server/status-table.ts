// `gs status` without --json: the /status view as a terminal table for operators on SSH.
// Pure (view in, text out); colour only when asked.
import type { StatusView } from "./status-view-schema.ts";

const LAMP_COLOUR: Readonly<Record<StatusView["status_lamp"], string>> = { green: "\u001b[32m", yellow: "\u001b[33m", red: "\u001b[31m" };
const RESET = "\u001b[0m";

const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined ? "-" : value.toFixed(digits));
const signed = (value: number | null | undefined): string => (value === null || value === undefined ? "-" : `${value > 0 ? "+" : ""}${Math.round(value * 100) / 100}`);
const usd = (value: number | null | undefined): string => (value === null || value === undefined ? "-" : `${value < 0 ? "-" : ""}$${Math.abs(value).toFixed(2)}`);
const percent = (ratio: number | null | undefined): string => (ratio === null || ratio === undefined ? "-" : `${(ratio * 100).toFixed(1)}%`);

function seconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export function renderStatusTable(view: StatusView, colour: boolean): string {
  const lamp = `${view.status_lamp.toUpperCase()} (${view.self_check})`;
  const pairs: [string, string][] = [
    ["daemon", view.daemon_id ?? "-"],
    ["lamp", colour ? `${LAMP_COLOUR[view.status_lamp]}● ${lamp}${RESET}` : lamp],
    ["state", `${view.state ?? "-"}${view.paused ? " (paused)" : ""} · hedge ${view.hedge_state ?? "-"}`],
    ["heartbeat", view.heartbeat ? `${seconds(view.heartbeat.age_ms)} ago (every ${view.heartbeat.interval_s} s, red after ${seconds(view.heartbeat.stale_after_ms)})` : "-"],
    [
      "broker",
      view.broker
        ? `${view.broker.name ?? "-"} ${view.broker.connected ? "connected" : "NOT connected"}${view.broker.client_id === null ? "" : ` client ${view.broker.client_id}`}${view.broker.next_retry_ts_ms === null ? "" : ` next retry ${new Date(view.broker.next_retry_ts_ms).toISOString()}`}`
        : "-",
    ],
    ["market", view.market_data ? `${view.market_data.symbol} ${fixed(view.market_data.spot, 2)} (bid ${fixed(view.market_data.bid, 2)} ask ${fixed(view.market_data.ask, 2)}, ${seconds(view.market_data.age_ms)} old${view.market_data.kind ? `, ${view.market_data.kind}` : ""})` : "-"],
    ["delta", view.position ? `${signed(view.position.portfolio_delta_shares)} sh (options ${signed(view.position.option_delta_shares)}, hedge ${signed(view.position.hedge_shares)}, working ${signed(view.position.pending_shares)}${view.position.external_shares === 0 ? "" : `; ${signed(view.position.external_shares)} external, not hedged`})` : "-"],
    ["volatility", view.volatility ? `realised ${percent(view.volatility.realized_today)} vs implied ${percent(view.volatility.implied)}; breakeven move ${usd(view.volatility.breakeven_move_usd)} (${fixed(view.volatility.breakeven_move_pct, 2)}%)` : "-"],
    ["hedges today", view.hedges_today ? `${view.hedges_today.count} of ${view.hedges_today.limit ?? "-"}` : "-"],
    ["pnl today", view.pnl ? `${usd(view.pnl.today_usd)} (scalping ${usd(view.pnl.scalping_usd)}, options ${usd(view.pnl.option_mtm_usd)}, commissions ${usd(view.pnl.commissions_usd === null ? null : -view.pnl.commissions_usd)}); ${view.pnl.loss_limit_usd === null ? "no loss limit" : `breaker at ${usd(-view.pnl.loss_limit_usd)}`}` : "-"],
    ["hedge stock", view.pnl ? `realised today ${usd(view.pnl.realized_usd)}, unrealised on average cost ${usd(view.pnl.unrealized_usd)}` : "-"],
    ["last operation", view.last_operation ? `#${view.last_operation.id} ${view.last_operation.type} ${new Date(view.last_operation.ts_ms).toISOString()}${view.last_operation.reason ? ` ${view.last_operation.reason}` : ""}` : "-"],
    ["config", view.config_hash?.slice(0, 12) ?? "-"],
  ];
  const width = Math.max(...pairs.map(([label]) => label.length));
  const lines = pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  for (const reason of view.block_reasons) lines.push(`${"".padEnd(width)}  - [${reason.severity}] ${reason.code}: ${reason.message}`);
  if (view.legs.length > 0) {
    lines.push("", "legs:");
    for (const leg of view.legs) {
      lines.push(`  ${leg.expiry} ${leg.strike} ${leg.right} x${leg.quantity}  price ${fixed(leg.price, 2)}  iv ${percent(leg.implied_vol)}  delta ${fixed(leg.delta, 3)}  gamma ${fixed(leg.gamma, 4)}  theta ${fixed(leg.theta, 3)} (${leg.greeks_source})`);
    }
  }
  if (view.daemons.length > 1) {
    lines.push("", "daemons in this database:");
    for (const daemon of view.daemons) lines.push(`  ${daemon.daemon_id.padEnd(20)} ${daemon.status_lamp.padEnd(6)} ${daemon.state.padEnd(14)} heartbeat ${seconds(daemon.heartbeat_age_ms)} ago`);
  }
  return `${lines.join("\n")}\n`;
}
