// Everything the HTTP routes (and `gs status` / `gs ctl`) do, without HTTP: each route
// handler is one call into this service. The sink and the clock are injected.
import { nyDayOf, nyWallToUtcMs } from "../market-data/ny-time.ts";
import { DeadlineExceededError, withDeadline } from "../sink/deadline.ts";
import type { Sink } from "../sink/port.ts";
import type { StatusRow, StoredOperation } from "../sink/records.ts";
import { DEFAULT_BACKTESTS_LIMIT, toBacktestRunItem, toBacktestRunView } from "./backtest-runs-view.ts";
import type { BacktestRunsPage, BacktestRunView, BacktestsQueryInput } from "./backtest-runs-view.ts";
import { toControlRequest, toControlView, UnknownDaemonError } from "./control-view.ts";
import type { ControlBody, ControlPath, ControlReceipt, ControlView } from "./control-view.ts";
import { countOrderOutcomes, gsMetricFamilies, ORDER_OUTCOME_TYPES } from "./gs-metrics.ts";
import { planHistory, toHistoryPage } from "./history-view.ts";
import type { HistoryPage, HistoryQueryInput } from "./history-view.ts";
import { DEFAULT_OPERATIONS_LIMIT, toOperationsPage, toSinkOperationQuery } from "./operations-view.ts";
import type { OperationsPage, OperationsQueryInput } from "./operations-view.ts";
import { renderFamilies } from "./prometheus-text.ts";
import type { Histogram } from "./prometheus-text.ts";
import { deriveStatusView, selectStatusRow, unreachableStatusView } from "./status-view.ts";
import type { LampRules } from "./status-view.ts";
import type { StatusView } from "./status-view-schema.ts";

export interface ServerClock {
  nowMs(): number;
}

export interface StatusServiceOptions {
  readonly sink: Sink;
  readonly clock: ServerClock;
  readonly rules: LampRules;
  /** Target of control commands that name no daemon (config status.daemon_id). */
  readonly defaultDaemonId: string;
  /**
   * Status rows are re-read from the sink at most this often (by the injected clock); 0 reads
   * on every call. A few hundred ms is invisible next to a heartbeat of seconds and keeps a
   * busy dashboard or scraper from turning into one database read per request.
   */
  readonly statusCacheMs?: number;
  /** A sink read not answered within this fails (red lamp, 503) instead of hanging the request. */
  readonly readTimeoutMs?: number;
}

/** The default for statusCacheMs in `gs serve`. */
export const DEFAULT_STATUS_CACHE_MS = 250;
/** Far above a healthy read, short enough for a dashboard, a probe or a scraper to get an answer. */
export const DEFAULT_READ_TIMEOUT_MS = 3_000;

interface StatusSnapshot {
  readonly readAtMs: number;
  readonly rows: StatusRow[];
  /** Per daemon, the newest operation (a promise, so concurrent requests share one query). */
  readonly lastOperations: Map<string, Promise<StoredOperation | null>>;
}

/** Pages of order operations read for the daily order counts, at most (1000 rows each). */
const MAX_ORDER_COUNT_PAGES = 20;
const ORDER_COUNT_PAGE_ROWS = 1000;
/** Rows per read when /events pages through operations. */
const OPERATIONS_PAGE_ROWS = 500;

export class StatusService {
  private snapshot: StatusSnapshot | null = null;
  private refreshing: Promise<StatusSnapshot> | null = null;
  private lastJson: { readonly snapshot: StatusSnapshot; readonly daemonId: string | null; readonly nowMs: number; readonly json: string } | null = null;

  constructor(private readonly options: StatusServiceOptions) {}

  get sinkKind(): Sink["kind"] {
    return this.options.sink.kind;
  }

  /** Never throws for a database failure: that is a red lamp (sink_unreachable), not an error. */
  async status(daemonId: string | null = null): Promise<StatusView> {
    return (await this.viewAt(this.options.clock.nowMs(), daemonId)).view;
  }

  /**
   * The same view as status(), serialised. The view is a pure function of (snapshot, daemon,
   * now), so under load the requests of one clock millisecond share one serialisation.
   */
  async statusJson(daemonId: string | null = null): Promise<string> {
    const memoised = this.memoisedStatusJson(daemonId);
    if (memoised !== null) return memoised;
    const nowMs = this.options.clock.nowMs();
    const { view, snapshot } = await this.viewAt(nowMs, daemonId);
    const json = JSON.stringify(view);
    if (snapshot !== null) this.lastJson = { snapshot, daemonId, nowMs, json };
    return json;
  }

  /** The view at nowMs and the snapshot it came from (null when the database failed). */
  private async viewAt(nowMs: number, daemonId: string | null): Promise<{ view: StatusView; snapshot: StatusSnapshot | null }> {
    try {
      const snapshot = await this.freshSnapshot(nowMs);
      const choice = { rows: snapshot.rows, daemonId, defaultDaemonId: this.options.defaultDaemonId, nowMs, rules: this.options.rules };
      const target = selectStatusRow(choice)?.daemonId ?? null;
      const lastOperation = target === null ? null : await this.lastOperationOf(snapshot, target);
      return { view: deriveStatusView({ ...choice, lastOperation }), snapshot };
    } catch (error) {
      this.snapshot = null;
      return { view: unreachableStatusView(nowMs, daemonId, error instanceof DeadlineExceededError ? error.message : null), snapshot: null };
    }
  }

  /**
   * statusJson's answer when it is already known for this clock millisecond, without
   * awaiting anything (the hot path of a busy /status); null when it must be derived.
   */
  memoisedStatusJson(daemonId: string | null = null): string | null {
    const memo = this.lastJson;
    if (memo === null || memo.daemonId !== daemonId || memo.snapshot !== this.snapshot) return null;
    const nowMs = this.options.clock.nowMs();
    return memo.nowMs === nowMs && this.isFresh(memo.snapshot, nowMs) ? memo.json : null;
  }

  private isFresh(snapshot: StatusSnapshot, nowMs: number): boolean {
    return nowMs - snapshot.readAtMs < (this.options.statusCacheMs ?? 0) && nowMs >= snapshot.readAtMs;
  }

  private freshSnapshot(nowMs: number): Promise<StatusSnapshot> {
    const cached = this.snapshot;
    if (cached !== null && this.isFresh(cached, nowMs)) return Promise.resolve(cached);
    // One read at a time: requests arriving while it is in flight share it (no stampede on a slow database).
    this.refreshing ??= this.bounded(this.options.sink.readStatusCurrent(), "the status read")
      .then((rows) => {
        const snapshot: StatusSnapshot = { readAtMs: nowMs, rows, lastOperations: new Map() };
        this.snapshot = snapshot;
        return snapshot;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private async lastOperationOf(snapshot: StatusSnapshot, daemonId: string): Promise<StoredOperation | null> {
    let pending = snapshot.lastOperations.get(daemonId);
    if (pending === undefined) {
      pending = this.bounded(this.options.sink.queryOperations({ daemonId, limit: 1 }), "the last-operation read").then(([newest]) => newest ?? null);
      snapshot.lastOperations.set(daemonId, pending);
    }
    return pending;
  }

  async operations(input: OperationsQueryInput): Promise<OperationsPage> {
    const rows = await this.bounded(this.options.sink.queryOperations(toSinkOperationQuery(input)), "the operations read");
    return toOperationsPage(rows, input.limit ?? DEFAULT_OPERATIONS_LIMIT);
  }

  /** The newest maxRows operations above afterId, oldest first (what a reconnecting /events client missed). */
  async operationsAfter(afterId: number, maxRows: number): Promise<StoredOperation[]> {
    const newer: StoredOperation[] = [];
    let beforeId: number | undefined;
    while (newer.length < maxRows) {
      const page = await this.bounded(this.options.sink.queryOperations({ limit: OPERATIONS_PAGE_ROWS, ...(beforeId === undefined ? {} : { beforeId }) }), "the missed-operations read");
      const fresh = page.filter((operation) => operation.id > afterId);
      newer.push(...fresh);
      const oldest = page[page.length - 1];
      if (fresh.length < page.length || oldest === undefined || page.length < OPERATIONS_PAGE_ROWS) break;
      beforeId = oldest.id;
    }
    return newer.slice(0, maxRows).reverse();
  }

  /** Operations with id above afterId, oldest first, at most maxRows (the /events poll pages on from the last one). */
  async operationsFrom(afterId: number, maxRows: number): Promise<StoredOperation[]> {
    const rows: StoredOperation[] = [];
    let cursor = afterId;
    while (rows.length < maxRows) {
      const limit = Math.min(OPERATIONS_PAGE_ROWS, maxRows - rows.length);
      const page = await this.bounded(this.options.sink.queryOperations({ afterId: cursor, limit }), "the new-operations read");
      rows.push(...page);
      const last = page[page.length - 1];
      if (last === undefined || page.length < limit) break;
      cursor = last.id;
    }
    return rows;
  }

  async history(input: HistoryQueryInput): Promise<HistoryPage> {
    const plan = planHistory(input);
    return toHistoryPage(await this.bounded(this.options.sink.queryHistory(plan.sinkQuery), "the history read"), plan);
  }

  async issueControl(path: ControlPath, body: ControlBody, issuedBy: string): Promise<ControlReceipt> {
    const request = toControlRequest(path, body, this.options.defaultDaemonId, issuedBy, this.options.clock.nowMs());
    // Read now, not from the status cache: the check must see a daemon that just started.
    const knownDaemonIds = (await this.bounded(this.options.sink.readStatusCurrent(), "the daemon id check")).map((row) => row.daemonId);
    if (!knownDaemonIds.includes(request.daemonId)) throw new UnknownDaemonError(request.daemonId, knownDaemonIds.sort());
    const id = await this.options.sink.issueControl(request);
    return { id, command: path, daemon_id: request.daemonId, status_url: `/control/${id}` };
  }

  async control(id: number): Promise<ControlView | null> {
    const row = await this.bounded(this.options.sink.getControl(id), "the control read");
    return row === null ? null : toControlView(row);
  }

  async backtests(input: BacktestsQueryInput): Promise<BacktestRunsPage> {
    const rows = await this.bounded(this.options.sink.listBacktestRuns(input.limit ?? DEFAULT_BACKTESTS_LIMIT), "the backtests read");
    return { runs: rows.map(toBacktestRunItem) };
  }

  async backtest(runId: string): Promise<BacktestRunView | null> {
    const row = await this.bounded(this.options.sink.getBacktestRun(runId), "the backtest read");
    return row === null ? null : toBacktestRunView(row);
  }

  async ready(): Promise<boolean> {
    try {
      return await this.bounded(this.options.sink.ping(), "the readiness ping");
    } catch {
      return false;
    }
  }

  async metrics(httpLatency: Histogram): Promise<string> {
    const { sink, clock, rules } = this.options;
    const nowMs = clock.nowMs();
    let read: { rows: StatusRow[]; operations: StoredOperation[] } | null = null;
    try {
      read = { rows: await this.bounded(sink.readStatusCurrent(), "the metrics read"), operations: await this.orderOperationsSince(nyWallToUtcMs(nyDayOf(nowMs), 0)) };
    } catch {
      read = null; // scraped anyway: gs_status_database_up 0 says why the daemon series are missing
    }
    const families = gsMetricFamilies({
      rows: read?.rows ?? [],
      nowMs,
      rules,
      ordersToday: countOrderOutcomes(read?.operations ?? []),
      serverSink: sink.health(),
      databaseUp: read !== null,
    });
    return renderFamilies([...families, httpLatency.family()]);
  }

  private bounded<T>(read: Promise<T>, what: string): Promise<T> {
    return withDeadline(read, this.options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS, what);
  }

  private async orderOperationsSince(sinceMs: number): Promise<StoredOperation[]> {
    const all: StoredOperation[] = [];
    let beforeId: number | undefined;
    for (let page = 0; page < MAX_ORDER_COUNT_PAGES; page += 1) {
      const rows = await this.bounded(this.options.sink.queryOperations({ sinceMs, types: ORDER_OUTCOME_TYPES, limit: ORDER_COUNT_PAGE_ROWS, ...(beforeId === undefined ? {} : { beforeId }) }), "the order count read");
      all.push(...rows);
      const oldest = rows[rows.length - 1];
      if (rows.length < ORDER_COUNT_PAGE_ROWS || oldest === undefined) break;
      beforeId = oldest.id;
    }
    return all;
  }
}
