// Everything the HTTP routes (and `gs status` / `gs ctl`) do, without HTTP: each route
// handler is one call into this service. The sink and the clock are injected.
import { nyDayOf, nyWallToUtcMs } from "../market-data/ny-time.ts";
import type { Sink } from "../sink/port.ts";
import type { StoredOperation } from "../sink/records.ts";
import { toControlRequest, toControlView } from "./control-view.ts";
import type { ControlBody, ControlPath, ControlReceipt, ControlView } from "./control-view.ts";
import { countOrderOutcomes, gsMetricFamilies, ORDER_OUTCOME_TYPES } from "./gs-metrics.ts";
import { planHistory, toHistoryPage } from "./history-view.ts";
import type { HistoryPage, HistoryQueryInput } from "./history-view.ts";
import { DEFAULT_OPERATIONS_LIMIT, toOperationsPage, toSinkOperationQuery } from "./operations-view.ts";
import type { OperationsPage, OperationsQueryInput } from "./operations-view.ts";
import { renderFamilies } from "./prometheus-text.ts";
import type { Histogram } from "./prometheus-text.ts";
import { deriveStatusView, selectStatusRow } from "./status-view.ts";
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
}

/** Pages of order operations read for the daily order counts, at most (1000 rows each). */
const MAX_ORDER_COUNT_PAGES = 20;
const ORDER_COUNT_PAGE_ROWS = 1000;

export class StatusService {
  constructor(private readonly options: StatusServiceOptions) {}

  get sinkKind(): Sink["kind"] {
    return this.options.sink.kind;
  }

  async status(daemonId: string | null = null): Promise<StatusView> {
    const { sink, clock, rules } = this.options;
    const rows = await sink.readStatusCurrent();
    const target = selectStatusRow(rows, daemonId)?.daemonId ?? null;
    const [lastOperation] = target === null ? [] : await sink.queryOperations({ daemonId: target, limit: 1 });
    return deriveStatusView({ rows, daemonId, lastOperation: lastOperation ?? null, nowMs: clock.nowMs(), rules });
  }

  async operations(input: OperationsQueryInput): Promise<OperationsPage> {
    const rows = await this.options.sink.queryOperations(toSinkOperationQuery(input));
    return toOperationsPage(rows, input.limit ?? DEFAULT_OPERATIONS_LIMIT);
  }

  /** Operations newer than afterId, oldest first (for /events); at most maxRows. */
  async operationsAfter(afterId: number, maxRows: number): Promise<StoredOperation[]> {
    const newer: StoredOperation[] = [];
    let beforeId: number | undefined;
    while (newer.length < maxRows) {
      const page = await this.options.sink.queryOperations({ limit: 200, ...(beforeId === undefined ? {} : { beforeId }) });
      const fresh = page.filter((operation) => operation.id > afterId);
      newer.push(...fresh);
      const oldest = page[page.length - 1];
      if (fresh.length < page.length || oldest === undefined || page.length < 200) break;
      beforeId = oldest.id;
    }
    return newer.slice(0, maxRows).reverse();
  }

  async history(input: HistoryQueryInput): Promise<HistoryPage> {
    const plan = planHistory(input);
    return toHistoryPage(await this.options.sink.queryHistory(plan.sinkQuery), plan);
  }

  async issueControl(path: ControlPath, body: ControlBody, issuedBy: string): Promise<ControlReceipt> {
    const request = toControlRequest(path, body, this.options.defaultDaemonId, issuedBy, this.options.clock.nowMs());
    const id = await this.options.sink.issueControl(request);
    return { id, command: path, daemon_id: request.daemonId, status_url: `/control/${id}` };
  }

  async control(id: number): Promise<ControlView | null> {
    const row = await this.options.sink.getControl(id);
    return row === null ? null : toControlView(row);
  }

  async ready(): Promise<boolean> {
    try {
      return await this.options.sink.ping();
    } catch {
      return false;
    }
  }

  async metrics(httpLatency: Histogram): Promise<string> {
    const { sink, clock, rules } = this.options;
    const nowMs = clock.nowMs();
    const rows = await sink.readStatusCurrent();
    const ordersToday = countOrderOutcomes(await this.orderOperationsSince(nyWallToUtcMs(nyDayOf(nowMs), 0)));
    const families = gsMetricFamilies({ rows, nowMs, rules, ordersToday, serverSink: sink.health() });
    return renderFamilies([...families, httpLatency.family()]);
  }

  private async orderOperationsSince(sinceMs: number): Promise<StoredOperation[]> {
    const all: StoredOperation[] = [];
    let beforeId: number | undefined;
    for (let page = 0; page < MAX_ORDER_COUNT_PAGES; page += 1) {
      const rows = await this.options.sink.queryOperations({ sinceMs, types: ORDER_OUTCOME_TYPES, limit: ORDER_COUNT_PAGE_ROWS, ...(beforeId === undefined ? {} : { beforeId }) });
      all.push(...rows);
      const oldest = rows[rows.length - 1];
      if (rows.length < ORDER_COUNT_PAGE_ROWS || oldest === undefined) break;
      beforeId = oldest.id;
    }
    return all;
  }
}
