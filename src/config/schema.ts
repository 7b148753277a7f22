// The gs configuration schema: one TypeBox object whose keys are exactly the TOML keys.
// Every leaf has a default and a one-line `description`; `gs init` renders this file into
// a commented gs.toml, so the doc lines here are the user's documentation.
// Units live in the key names (`_s`, `_ms`, `_usd`, `_shares`, `_bps`) and, where a name
// cannot say it, in the description ("fraction" vs "percent").
import { Type } from "@sinclair/typebox";
import type { Static, TLiteral, TSchema } from "@sinclair/typebox";

export const CONFIG_SCHEMA_VERSION = 1;

interface LeafOptions {
  /** The value must never be printed (it is still part of configHash). */
  readonly secret?: boolean;
  /** What a valid value looks like, for error messages, when a pattern would not say it. */
  readonly hint?: string;
}

function int(defaultValue: number, minimum: number, maximum: number, description: string) {
  return Type.Integer({ default: defaultValue, minimum, maximum, description });
}

function num(defaultValue: number, minimum: number, maximum: number, description: string) {
  return Type.Number({ default: defaultValue, minimum, maximum, description });
}

function str(defaultValue: string, description: string, options: LeafOptions & { readonly pattern?: string } = {}) {
  return Type.String({ default: defaultValue, description, ...options });
}

function bool(defaultValue: boolean, description: string) {
  return Type.Boolean({ default: defaultValue, description });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number], description: string) {
  const literals: TLiteral<T[number]>[] = values.map((value) => Type.Literal(value));
  return Type.Union(literals, { default: defaultValue, description });
}

function section<T extends Record<string, TSchema>>(properties: T, description: string) {
  return Type.Object(properties, { additionalProperties: false, description });
}

const MAX_PORT = 65535;
const MAX_INT32 = 2147483647;
const DAY_PATTERN = "^\\d{4}-\\d{2}-\\d{2}$";

export const GS_CONFIG_SCHEMA = section(
  {
    broker: oneOf(["sim", "ib"], "sim", "Market to trade: sim (simulated, nothing real) or ib (Interactive Brokers TWS / IB Gateway)."),
    meta: section(
      {
        schema_version: Type.Integer({
          default: CONFIG_SCHEMA_VERSION,
          minimum: CONFIG_SCHEMA_VERSION,
          maximum: CONFIG_SCHEMA_VERSION,
          description: "Config file format version; gs refuses files written for another version.",
          hint: `${CONFIG_SCHEMA_VERSION} (the config format this gs reads)`,
        }),
      },
      "About this file.",
    ),
    log: section(
      {
        level: oneOf(["debug", "info", "warn", "error"], "info", "Lowest log level written to stderr."),
        format: oneOf(["text", "json"], "text", "text for people, json (one object per line) for log collectors."),
      },
      "Logging.",
    ),
    ib: section(
      {
        host: str("127.0.0.1", "TWS / IB Gateway host."),
        port: int(7497, 1, MAX_PORT, "TWS / IB Gateway API port (7497 TWS paper, 7496 TWS live, 4002/4001 Gateway paper/live)."),
        client_id: int(1, 0, MAX_INT32, "API client id; must be unique among clients connected to the same TWS."),
        client_id_max_tries: int(5, 1, 100, "When the client id is in use, try this many consecutive ids (client_id, client_id+1, ...)."),
        connect_timeout_s: num(10, 1, 300, "Seconds to wait for the API handshake before the attempt counts as failed."),
        request_timeout_s: num(15, 1, 300, "Seconds any single broker request (positions, open orders, executions) may take."),
        retry_interval_s: num(15, 1, 3600, "Seconds between reconnect attempts while TWS is unreachable."),
        account: str("", "Account to trade and reconcile (e.g. DU1234567); empty = the only account the login manages."),
        market_data_type: oneOf(["live", "delayed"], "live", "Market data to request: live (needs a subscription) or delayed."),
        accept_delayed: bool(false, "Hedge on delayed or frozen market data too; when false such quotes block hedging with the reason delayed_data (never true for real money)."),
      },
      "Interactive Brokers connection (used when broker = \"ib\").",
    ),
    strategy: section(
      {
        symbol: str("SPY", "Underlying symbol; options and hedge stock are on this symbol.", {
          pattern: "^[A-Z][A-Z0-9.]{0,11}$",
          hint: "an upper-case ticker such as SPY or BRK.B",
        }),
        exchange: str("SMART", "Exchange for hedge orders and market data."),
        currency: str("USD", "Currency of the underlying.", { pattern: "^[A-Z]{3}$", hint: "a three-letter ISO currency code such as USD" }),
        min_dte: int(21, 0, 3650, "Option legs count only with at least this many days to expiry."),
        max_dte: int(35, 0, 3650, "Option legs count only with at most this many days to expiry."),
        atm_band_pct: num(0.03, 0, 1, "Legs count only when |strike - spot| / spot is within this FRACTION (0.03 = 3%)."),
        greeks_source: oneOf(["broker", "model"], "broker", "broker: use greeks the broker computes, falling back to the model when missing; model: always Black-Scholes."),
        broker_greeks_grace_s: num(5, 0, 300, "With greeks_source = broker: seconds a leg without broker greeks yet (they arrive after the underlying's quote) holds hedging as awaiting_broker_greeks; after that the model is used and the status says so."),
        broker_greeks_max_age_s: num(60, 1, 3600, "With greeks_source = broker: broker greeks older than this many seconds are stale and the leg falls back to the model (IB streams them on every change; a quiet option can go minutes without one)."),
        external_shares: int(0, -10_000_000, 10_000_000, "Shares of the symbol this account holds outside the strategy (long-term holdings; negative = short). gs leaves them out of delta, never trades them, and flatten leaves them: the hedge is the account's stock minus these. Change it (and restart) when you trade those shares yourself."),
        outside_stock_change: oneOf(
          ["adopt", "block"],
          "adopt",
          "A stock position changed outside gs (a trade in TWS) that outlives position_settle_s: adopt = it becomes the hedge and gs hedges from there; block = a hard block (lamp red, no hedging) until the account is put back or an operator accepts it (gs ctl accept-position --confirm). Choose block when you trade shares of the symbol by hand for other reasons.",
        ),
        position_settle_s: num(30, 1, 3600, "Seconds a stock position the broker reports must keep disagreeing with gs's hedge book (no order in flight, no fill meanwhile) before it is adopted as a manual trade; shorter disagreements are report lag."),
        fallback_vol: num(0.2, 0.01, 5, "Annualised implied vol the model uses when no implied vol is available (0.2 = 20%)."),
        rate: num(0.05, -0.1, 1, "Annual risk-free rate for the model, continuously compounded (0.05 = 5%)."),
        dividend_yield: num(0.013, 0, 1, "Annual continuous dividend yield of the underlying for the model (0.013 = 1.3%)."),
      },
      "Which options make up the position and how their greeks are computed.",
    ),
    hedge: section(
      {
        policy: oneOf(["threshold", "band"], "threshold", "threshold: once |delta| >= threshold_shares hedge back to 0; band: Whalley-Wilmott no-trade band from gamma, band_cost_bps and band_risk_aversion (never narrower than epsilon_band), hedging back to its edge."),
        band_cost_bps: num(2, 0, 1000, "Band policy: one-way cost of a hedge trade in basis points of price (half the spread plus commission), widening the band."),
        band_risk_aversion: num(0.0001, 1e-9, 1, "Band policy: risk aversion per USD; smaller = wider band, fewer hedges."),
        threshold_shares: int(25, 1, 1_000_000, "Hedge when |portfolio delta| reaches this many shares."),
        epsilon_band: int(10, 0, 1_000_000, "No-trade band: |portfolio delta| at or below this many shares is left alone."),
        min_shares: int(10, 1, 1_000_000, "Never send a hedge order smaller than this many shares."),
        max_shares_per_order: int(500, 1, 1_000_000, "Split or cap any hedge order at this many shares."),
        forced_delta: int(500, 1, 10_000_000, "At |portfolio delta| >= this many shares, hedge even inside the cooldown."),
        cooldown_s: num(60, 0, 86_400, "Seconds after a hedge before the next ordinary hedge."),
        min_price_move_pct: num(0.2, 0, 100, "Skip a hedge until the underlying moved at least this PERCENT from the last hedge price (0.2 = 0.2%)."),
        order_type: oneOf(["market", "limit"], "market", "Hedge order type."),
        limit_offset_bps: num(5, 0, 1000, "For limit orders: price = far side of the quote plus this many basis points (marketable limit)."),
        order_timeout_s: num(30, 1, 3600, "Cancel a hedge order not fully filled after this many seconds."),
      },
      "When and how to hedge.",
    ),
    guards: section(
      {
        max_daily_hedges: int(50, 0, 100_000, "Stop hedging for the day after this many hedge orders (0 = no hedging)."),
        max_position_shares: int(2000, 0, 10_000_000, "Never hold more than this many shares of the underlying, long or short."),
        max_daily_loss_usd: num(5000, 0, 1e9, "Trip the circuit breaker (no more hedges today) when today's strategy PnL (hedge shares and each option leg marked to market from their first mark of the day, so trades are never PnL, minus commissions; checked on every evaluation) falls to -this many USD; 0 = no limit."),
        max_spread_pct: num(0.5, 0, 100, "Do not hedge while the bid/ask spread exceeds this PERCENT of mid (0.5 = 0.5%); 0 = no limit."),
        stale_data_ms: int(5000, 100, 3_600_000, "Do not hedge on a quote older than this many milliseconds."),
        trading_hours_only: bool(true, "Hedge only during regular NYSE hours (weekends, holidays and early closes respected)."),
        earnings_dates: Type.Array(Type.String({ pattern: DAY_PATTERN }), {
          default: [],
          hint: "a list of dates like [\"2025-01-30\"] (YYYY-MM-DD)",
          description: "Earnings dates of the underlying (YYYY-MM-DD, exchange time); hedging pauses around them.",
        }),
        earnings_blackout_days_before: int(3, 0, 30, "Trading days before each earnings date with no hedging."),
        earnings_blackout_days_after: int(1, 0, 30, "Trading days after each earnings date with no hedging."),
      },
      "Risk limits; a guard denies a hedge with a reason code, it never crashes the daemon.",
    ),
    status: section(
      {
        sink: oneOf(["sqlite", "postgres"], "sqlite", "Where status, history and operations are stored."),
        daemon_id: str("gs-1", "Name of this daemon in the status tables; unique per daemon sharing one database.", {
          pattern: "^[A-Za-z0-9_.-]{1,64}$",
          hint: "1 to 64 letters, digits, '.', '_' or '-'",
        }),
        heartbeat_s: num(5, 0.1, 3600, "Seconds between status_current updates."),
        history_every_s: num(60, 1, 86_400, "Seconds between status_history rows."),
        queue_max_rows: int(100_000, 100, 100_000_000, "Writes held in memory while the database is slow; beyond this they go to the spool file."),
        batch_max_rows: int(1000, 1, 100_000, "Most rows written in one database transaction."),
        flush_interval_ms: int(50, 1, 60_000, "Most milliseconds a queued write waits before its batch is written."),
        spool_path: str("var/gs-spool.ndjson", "Append-only file for writes made while the database is unreachable (relative to the working directory)."),
        sqlite: section(
          {
            path: str("var/gs.db", "SQLite database file, created on first use (relative to the working directory)."),
          },
          "Embedded SQLite sink (status.sink = \"sqlite\").",
        ),
        postgres: section(
          {
            url: str("", "PostgreSQL URL, e.g. postgres://gs:secret@db.example:5432/gs (secret: never printed).", { secret: true }),
            max_connections: int(4, 1, 100, "Connection pool size."),
          },
          "PostgreSQL sink (status.sink = \"postgres\"); share one database between hosts.",
        ),
      },
      "The status sink: current status, history, operations and the control queue.",
    ),
    control: section(
      {
        file: str("var/gs.control", "Control file the daemon polls: write stop, pause, resume or flatten into it."),
        poll_ms: int(500, 50, 60_000, "Milliseconds between control-file and control-queue polls."),
      },
      "Local control of a running daemon.",
    ),
    server: section(
      {
        host: str("127.0.0.1", "Address `gs serve` listens on; a non-loopback address requires a token."),
        port: int(8765, 1, MAX_PORT, "Port `gs serve` listens on."),
        token: str("", "Bearer token for the status server (secret: never printed): control routes always require it, read routes too on a non-loopback address; empty = control disabled.", { secret: true }),
        token_file: str("", "File holding the token (first line, mode 0600); use instead of token to keep it out of the config."),
      },
      "Status and control server (`gs serve`).",
    ),
    sim: section(
      {
        source: oneOf(["bundled", "gbm", "csv"], "bundled", "Price path: bundled (real SPY minutes shipped in gs), gbm (random walk), csv (csv_path)."),
        csv_path: str("", "For source = \"csv\": file with columns ts,open,high,low,close,volume (ts epoch ms or ISO-8601)."),
        csv_tz: oneOf(["", "UTC", "America/New_York"], "", "For source = \"csv\": zone of timestamps without a UTC offset; empty = such timestamps are an error (never guessed)."),
        speed: num(600, 0.01, 1_000_000, "Market seconds simulated per wall-clock second (600 = ten market minutes per second: a few hedges a minute on the bundled data)."),
        seed: int(42, 0, MAX_INT32, "Random seed; the same seed gives the same run."),
        gbm_start_price: num(500, 0.01, 1_000_000, "For source = \"gbm\": starting price."),
        gbm_vol: num(0.18, 0.001, 5, "For source = \"gbm\": annualised volatility of the random walk (0.18 = 18%)."),
        spread_bps: num(2, 0, 10_000, "Simulated bid/ask spread of the underlying, basis points of mid."),
        slippage_bps: num(0.5, 0, 1000, "Simulated adverse slippage of hedge fills beyond the quote, basis points of price."),
        latency_ms: int(50, 0, 60_000, "Simulated delay between sending an order and its fill."),
        commission_per_share_usd: num(0.005, 0, 10, "Simulated commission per share."),
        commission_min_usd: num(1, 0, 1000, "Simulated minimum commission per order."),
        straddle_quantity: int(10, 0, 100_000, "Contracts of each leg of the ATM straddle the simulated account starts with."),
      },
      "Simulated market (broker = \"sim\").",
    ),
  },
  "gs configuration.",
);

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated, frozen configuration; keys are exactly the TOML keys. */
export type GsConfig = DeepReadonly<Static<typeof GS_CONFIG_SCHEMA>>;
