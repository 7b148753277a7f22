// `gs check ib`: connect to TWS / IB Gateway, report server version, accounts, positions,
// the legs gs would manage and market data for them, then disconnect. No orders.
import { defineCommand } from "citty";
import type { IbCheckReport } from "../../broker/ib/ib-check.ts";
import { BrokerError } from "../../broker/port.ts";
import type { Contract } from "../../core/instrument.ts";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";

const DEFAULT_WAIT_S = 5;

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    wait: { type: "string", default: String(DEFAULT_WAIT_S), valueHint: "SECONDS", description: "Seconds to wait for quotes and greeks" },
    json: { type: "boolean", default: false, description: "Print the report as JSON" },
  },
  async run(context) {
    const { UserError } = await import("../../config/user-error.ts");
    const waitS = Number(context.args.wait);
    if (!Number.isFinite(waitS) || waitS < 0 || waitS > 300) throw new UserError(`--wait was ${JSON.stringify(context.args.wait)}, expected seconds from 0 to 300`);
    const { config } = loadConfigFromArgs(context);
    const [{ IbBroker, ibOptionsFromConfig }, { runIbCheck }] = await Promise.all([
      import("../../broker/ib/index.ts"),
      import("../../broker/ib/ib-check.ts"),
    ]);
    const warnings: string[] = [];
    const broker = new IbBroker(ibOptionsFromConfig(config, (level, message) => void (level === "warn" || level === "error" ? warnings.push(message) : undefined)));
    const where = `${config.ib.host}:${config.ib.port}`;
    try {
      const report = await runIbCheck(broker, {
        legSelection: { symbol: config.strategy.symbol, minDte: config.strategy.min_dte, maxDte: config.strategy.max_dte, atmBandFraction: config.strategy.atm_band_pct },
        waitMs: waitS * 1000,
        nowMs: Date.now,
      });
      const stock = stockOf(report, config.strategy.symbol, config.strategy.external_shares);
      process.stdout.write(context.args.json ? `${JSON.stringify({ ...report, stock, warnings }, null, 2)}\n` : renderIbCheck(where, report, stock, warnings));
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      process.stderr.write(`gs check ib: ${error.message}\n${hint(error, config.ib.port)}`);
      process.exitCode = 1;
    }
  },
});

function hint(error: BrokerError, port: number): string {
  switch (error.kind) {
    case "temporary":
    case "timeout":
      return `hint: is TWS / IB Gateway running with "Enable ActiveX and Socket Clients" on, API port ${port}, and 127.0.0.1 a trusted IP?\n`;
    case "operational":
    case "not_connected":
      return "";
    default: {
      const unreachable: never = error.kind;
      return String(unreachable);
    }
  }
}

/** The account's stock of the strategy symbol, split as the daemon will split it. */
interface StockSplit {
  readonly symbol: string;
  readonly shares: number;
  readonly externalShares: number;
  readonly hedgeShares: number;
}

function stockOf(report: IbCheckReport, symbol: string, externalShares: number): StockSplit {
  const shares = report.positions.filter((p) => p.contract.secType === "STK" && p.contract.symbol === symbol).reduce((sum, p) => sum + p.quantity, 0);
  return { symbol, shares, externalShares, hedgeShares: shares - externalShares };
}

/** What the daemon will make of the stock: a first start vouches for no hedge shares (see RUNBOOK, Startup reconciliation). */
function describeStock(stock: StockSplit): string {
  const { symbol, shares, externalShares, hedgeShares } = stock;
  const split = `stock: ${shares} shares of ${symbol}, ${externalShares} declared external (strategy.external_shares), ${hedgeShares} hedge`;
  if (hedgeShares === 0) return split;
  return (
    `${split}\nnote: a first start (no records for this daemon yet) expects 0 hedge shares and blocks on these ${hedgeShares}: ` +
    `set strategy.external_shares = ${shares} if they are not the strategy's, or accept them with gs ctl accept-position --confirm`
  );
}

const dash = (v: number | null, digits = 2) => (v === null ? "-" : v.toFixed(digits));

function describe(contract: Contract): string {
  return contract.secType === "STK" ? `${contract.symbol} stock` : `${contract.symbol} ${contract.expiryYmd} ${contract.strike} ${contract.right === "C" ? "call" : "put"}`;
}

function renderIbCheck(where: string, report: IbCheckReport, stock: StockSplit, warnings: readonly string[]): string {
  const lines = [
    `TWS at ${where}: connected as client id ${report.connection.clientId}, server version ${report.connection.serverVersion ?? "?"}`,
    `accounts: ${report.connection.accounts.join(", ") || "(none reported)"}`,
    `positions (${report.positions.length}):`,
    ...report.positions.map((p) => `  ${p.account}  ${describe(p.contract).padEnd(28)} ${String(p.quantity).padStart(8)}  avg cost ${p.avgCost.toFixed(2)}`),
    describeStock(stock),
    `underlying: ${report.underlying ? `bid ${dash(report.underlying.bid)} ask ${dash(report.underlying.ask)} last ${dash(report.underlying.last)} (${report.underlying.kind})` : "no quote"}${report.spot === null ? "" : `, spot ${report.spot.toFixed(2)}`}`,
    `legs gs would manage (${report.legs.length}):`,
    ...report.legs.map(({ leg, greeks }) =>
      `  ${describe(leg.contract).padEnd(28)} ${String(leg.quantity).padStart(5)}  ` +
      (greeks ? `iv ${dash(greeks.impliedVol, 4)} delta ${dash(greeks.delta, 4)} gamma ${dash(greeks.gamma, 4)} vega ${dash(greeks.vega, 4)} theta ${dash(greeks.theta, 4)}` : "no greeks from TWS (gs would use its own model)"),
    ),
    ...(report.notManaged.length === 0 ? [] : ["options held but not managed:", ...report.notManaged.map((n) => `  ${n.contractKey}: ${n.reason}`)]),
    ...report.messages.map((m) => `note: ${m}`),
    ...warnings.map((w) => `warning: ${w}`),
    "disconnected; no orders were sent.",
  ];
  return `${lines.join("\n")}\n`;
}
