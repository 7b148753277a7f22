// The dashboard's browser code. The server embeds this file's source and transpiles it once
// (Bun.Transpiler, no bundling): its only runtime imports are ./dashboard-chart.ts and
// ./dashboard-format.ts, ./dashboard-liveness.ts and ./dashboard-stream.ts, which the server serves
// at those same URLs; every other import is type-only.
// All data is written with textContent (never innerHTML): reasons and refs are untrusted.
import type { BacktestRunsPage } from "../backtest-runs-view.ts";
import type { HistoryPage } from "../history-view.ts";
import type { OperationsPage, OperationView } from "../operations-view.ts";
import type { StatusView } from "../status-view-schema.ts";
import { newYorkDayStartMs, renderChart } from "./dashboard-chart.ts";
import type { ChartPoint } from "./dashboard-chart.ts";
import { age, number, percent, signed, usd } from "./dashboard-format.ts";
import { shownLamp } from "./dashboard-liveness.ts";
import { EventFollower } from "./dashboard-stream.ts";

const TOKEN_KEY = "gs-token";
const OPERATION_ROWS = 30;
const BACKTEST_ROWS = 10;
const CONTROL_POLL_MS = 1000;
const CONTROL_POLL_TRIES = 120;

let token = sessionStorage.getItem(TOKEN_KEY) ?? "";
let daemonId: string | null = null;
let view: StatusView | null = null;
let viewReceivedAtMs = 0;
let chart: ChartPoint[] = [];
let operations: OperationView[] = [];
/** Null while live updates arrive; else why they do not (the lamp is then unknown). */
let streamLostWhy: string | null = null;

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`dashboard element #${id} is missing`);
  return element as T;
}

function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

function authHeaders(): Record<string, string> {
  return token === "" ? {} : { authorization: `Bearer ${token}` };
}

/** GET with the token; on 401 asks for a token once and retries. */
async function getJson<T>(path: string): Promise<T> {
  let response = await fetch(path, { headers: authHeaders() });
  if (response.status === 401 && (await askToken("This server needs a token to show status."))) response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

// --- dialog: token and confirmation ------------------------------------------------------

interface DialogRequest {
  readonly title: string;
  readonly text: string;
  /** The box to tick before sending (commands that touch real positions), or null. */
  readonly confirm: string | null;
  readonly sendLabel: string;
}


function openDialog(request: DialogRequest): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("control-dialog");
  const tokenInput = byId<HTMLInputElement>("token-input");
  const confirmBox = byId<HTMLInputElement>("command-confirm");
  setText("dialog-title", request.title);
  setText("dialog-text", request.text);
  setText("dialog-send", request.sendLabel);
  tokenInput.value = token;
  confirmBox.checked = false;
  confirmBox.required = request.confirm !== null;
  setText("command-confirm-text", request.confirm ?? "");
  byId("command-confirm-label").classList.toggle("hidden", request.confirm === null);
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const confirmed = dialog.returnValue === "send" && tokenInput.value.trim() !== "";
        if (confirmed) {
          token = tokenInput.value.trim();
          sessionStorage.setItem(TOKEN_KEY, token);
        }
        resolve(confirmed);
      },
      { once: true },
    );
  });
}

function askToken(text: string): Promise<boolean> {
  return openDialog({ title: "Token needed", text, confirm: null, sendLabel: "Use token" });
}

// --- status ------------------------------------------------------------------------------

function renderStatus(next: StatusView): void {
  view = next;
  viewReceivedAtMs = Date.now();
  const reasons = byId("reasons");
  if (next.block_reasons.length === 0) {
    const item = document.createElement("li");
    item.textContent = "Nothing blocks hedging.";
    reasons.replaceChildren(item);
  } else reasons.replaceChildren(
    ...next.block_reasons.map((reason) => {
      const item = document.createElement("li");
      item.dataset.severity = reason.severity;
      const code = document.createElement("code");
      code.textContent = reason.code;
      item.append(code, ` ${reason.message}`);
      return item;
    }),
  );
  setText("state", next.state ?? "no daemon");
  setText("hedge-state", next.hedge_state ?? "–");
  setText("heartbeat-interval", next.heartbeat ? `${next.heartbeat.interval_s} s` : "–");
  const broker = next.broker;
  setText(
    "broker",
    broker === null
      ? "–"
      : broker.connected
        ? `${broker.name ?? "broker"} connected${broker.client_id === null ? "" : ` (client ${broker.client_id})`}${broker.server_version === null ? "" : ` v${broker.server_version}`}`
        : `${broker.name ?? "broker"} NOT connected${broker.next_retry_ts_ms === null ? "" : `, retry ${new Date(broker.next_retry_ts_ms).toLocaleTimeString()}`}`,
  );
  const market = next.market_data;
  setText("spot", market ? `${market.symbol} ${number(market.spot, 2)}` : "–");
  setText("bid-ask", market ? `${number(market.bid, 2)} / ${number(market.ask, 2)}` : "–");
  setText("data-age", market ? `${age(market.age_ms)}${market.kind ? ` · ${market.kind}` : ""}` : "–");
  const position = next.position;
  setText("portfolio-delta", position ? `${signed(position.portfolio_delta_shares)} sh` : "–");
  setText("option-delta", position ? `${signed(position.option_delta_shares)} sh` : "–");
  setText("hedge-shares", position ? `${signed(position.hedge_shares)} sh` : "–");
  setText("pending-shares", position ? `${signed(position.pending_shares)} sh` : "–");
  setText("external-shares", position ? `${signed(position.external_shares)} sh` : "–");
  for (const row of document.querySelectorAll(".external-row")) row.classList.toggle("hidden", !position || position.external_shares === 0);
  setText("gamma-theta", position ? `${number(position.gamma_shares, 1)} sh/$ · ${usd(position.theta_usd_per_day)}/day` : "–");
  const vol = next.volatility;
  setText("realized-vol", percent(vol?.realized_today));
  setText("implied-vol", percent(vol?.implied));
  setText("breakeven", vol && vol.breakeven_move_usd !== null ? `±$${number(vol.breakeven_move_usd, 2)} (${number(vol.breakeven_move_pct, 2)}%)` : "–");
  const hedges = next.hedges_today;
  setText("hedges-count", hedges ? String(hedges.count) : "–");
  setText("hedges-limit", hedges?.limit === null || hedges === null ? "–" : String(hedges.limit));
  const meter = byId<HTMLMeterElement>("hedges-meter");
  meter.classList.toggle("hidden", hedges?.limit === null || hedges?.limit === undefined);
  meter.max = Math.max(1, hedges?.limit ?? 1);
  meter.value = hedges?.count ?? 0;
  setText("pnl-today", usd(next.pnl?.today_usd));
  setText("pnl-limit", next.pnl === null ? "–" : next.pnl.loss_limit_usd === null ? "none" : usd(-next.pnl.loss_limit_usd));
  setText("pnl-commissions", usd(typeof next.pnl?.commissions_usd === "number" ? -next.pnl.commissions_usd : null));
  setText("pnl-realized", usd(next.pnl?.realized_usd));
  setText("pnl-unrealized", usd(next.pnl?.unrealized_usd));
  setText("pnl-scalping", usd(next.pnl?.scalping_usd));
  setText("pnl-option", usd(next.pnl?.option_mtm_usd));
  setText("config-hash", next.config_hash?.slice(0, 12) ?? "–");
  setText("process", next.process ? [next.process.pid === null ? null : `pid ${next.process.pid}`, next.process.version === null ? null : `gs ${next.process.version}`].filter((part) => part !== null).join(" · ") : "");
  renderLegs(next);
  renderDaemonChoice(next);
  if (next.heartbeat !== null && position !== null) addChartPoint({ tsMs: next.heartbeat.last_ts_ms, delta: position.portfolio_delta_shares, hedge: position.hedge_shares });
  tick();
}

/** Every second: the heartbeat ages, and silence from the server loses the stream. */
function tick(): void {
  events.checkSilence(Date.now());
  renderLamp();
}

/** The server's lamp, unless the page stopped hearing from the server or the heartbeat went stale since. */
function renderLamp(): void {
  const heartbeatAgeMs = view?.heartbeat ? view.heartbeat.age_ms + Date.now() - viewReceivedAtMs : null;
  if (heartbeatAgeMs !== null) setText("heartbeat-age", age(heartbeatAgeMs));
  const shown = shownLamp(view, heartbeatAgeMs, streamLostWhy);
  const lamp = byId("lamp");
  lamp.dataset.lamp = shown.lamp;
  lamp.setAttribute("aria-label", `lamp ${shown.lamp}`);
  setText("lamp-text", view !== null && shown.why === null ? `${view.status_lamp.toUpperCase()} · ${view.self_check}` : shown.lamp.toUpperCase());
  setText("lamp-why", shown.why ?? "");
}

function renderLegs(next: StatusView): void {
  const body = byId("legs").querySelector("tbody");
  body?.replaceChildren(
    ...next.legs.map((leg) =>
      row([
        `${leg.expiry} ${leg.strike} ${leg.right}`,
        signed(leg.quantity),
        number(leg.price, 2),
        percent(leg.implied_vol),
        number(leg.delta, 3),
        number(leg.gamma, 4),
        number(leg.theta, 3),
        number(leg.vega, 3),
        leg.greeks_source,
      ]),
    ),
  );
}

function renderDaemonChoice(next: StatusView): void {
  const select = byId<HTMLSelectElement>("daemon-select");
  // Each daemon with its lamp, so one that is red is seen whichever daemon is shown.
  const labels = next.daemons.map((daemon) => `${daemon.daemon_id} · ${daemon.status_lamp}`);
  if ([...select.options].map((option) => option.text).join() !== labels.join()) {
    select.replaceChildren(...next.daemons.map((daemon, index) => new Option(labels[index], daemon.daemon_id)));
  }
  if (next.daemon_id !== null) select.value = next.daemon_id;
}

function row(cells: readonly string[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

// --- chart -------------------------------------------------------------------------------

function addChartPoint(point: ChartPoint): void {
  const last = chart[chart.length - 1];
  if (last !== undefined && point.tsMs <= last.tsMs) return;
  chart.push(point);
  drawChart();
}

function drawChart(): void {
  renderChart(byId("chart"), chart);
}

async function loadHistory(): Promise<void> {
  const query = new URLSearchParams({ since: String(newYorkDayStartMs(Date.now())), every: "1m" });
  if (daemonId !== null) query.set("daemon_id", daemonId);
  const page = await getJson<HistoryPage>(`/history?${query}`);
  chart = page.points.map((point) => ({ tsMs: point.ts_ms, delta: point.portfolio_delta_shares, hedge: point.hedge_shares }));
  drawChart();
}

// --- operations --------------------------------------------------------------------------

async function loadOperations(): Promise<void> {
  const type = byId<HTMLSelectElement>("operation-type").value;
  const query = new URLSearchParams({ limit: String(OPERATION_ROWS) });
  if (type !== "") query.set("type", type);
  if (daemonId !== null) query.set("daemon_id", daemonId);
  operations = (await getJson<OperationsPage>(`/operations?${query}`)).operations;
  renderOperations();
}

function addOperation(operation: OperationView): void {
  const type = byId<HTMLSelectElement>("operation-type").value;
  if ((type !== "" && operation.type !== type) || (daemonId !== null && operation.daemon_id !== daemonId)) return;
  operations = [operation, ...operations].slice(0, OPERATION_ROWS);
  renderOperations();
}

function renderOperations(): void {
  byId("operations")
    .querySelector("tbody")
    ?.replaceChildren(
      ...operations.map((operation) =>
        row([new Date(operation.ts_ms).toLocaleTimeString(), operation.type, operation.order_ref ?? "", operation.side ?? "", number(operation.quantity_shares), number(operation.price, 2), operation.reason ?? ""]),
      ),
    );
}

// --- backtest runs (recorded by `gs backtest`; not live: read once per page load) ---------

/** Never throws: a failure here must not keep the live stream from starting. */
async function loadBacktests(): Promise<void> {
  const body = byId("backtests").querySelector("tbody");
  try {
    const { runs } = await getJson<BacktestRunsPage>(`/backtests?limit=${BACKTEST_ROWS}`);
    const rows = runs.map(({ started_at_ms, run_id, from_day, to_day, headline }) =>
      row([new Date(started_at_ms).toLocaleString(), run_id, `${from_day} – ${to_day}`, usd(headline.total_pnl_usd), usd(headline.scalping_pnl_usd), number(headline.hedges), usd(headline.max_drawdown_usd), number(headline.daily_sharpe, 2)]),
    );
    body?.replaceChildren(...(rows.length > 0 ? rows : [spanningRow("No runs recorded yet: gs backtest records each run here.")]));
  } catch (error) {
    body?.replaceChildren(spanningRow(`Backtest runs unavailable: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function spanningRow(text: string): HTMLTableRowElement {
  const tr = row([text]);
  tr.firstElementChild?.setAttribute("colspan", "8");
  return tr;
}

// --- live events ------------------------------------------------------------------------

function handleEvent(event: string, data: string): void {
  if (event === "status") renderStatus(JSON.parse(data) as StatusView);
  else if (event === "operation") addOperation(JSON.parse(data) as OperationView);
  else if (event === "sink_error") setText("stream-state", "database unreachable");
}

function showStream(lostWhy: string | null): void {
  streamLostWhy = lostWhy;
  const state = byId("stream-state");
  state.dataset.state = lostWhy === null ? "live" : "error";
  state.textContent = lostWhy === null ? "live" : "reconnecting…";
  renderLamp();
}

const events = new EventFollower(
  { onEvent: handleEvent, onLive: () => showStream(null), onLost: showStream, onUnauthorized: () => askToken("This server needs a token for live updates.") },
  authHeaders,
);

// --- control -----------------------------------------------------------------------------

/** Asks (the button's data-explain; data-confirm: a box to tick, then confirm: true), sends, follows; buttons are off until queued. */
async function sendControl(clicked: HTMLButtonElement): Promise<void> {
  const command = clicked.dataset.command ?? "";
  const buttons = [...document.querySelectorAll<HTMLButtonElement>("button[data-command]")];
  for (const button of buttons) button.disabled = true;
  try {
    const id = await confirmAndQueue(command, clicked.dataset.explain ?? null, clicked.dataset.confirm ?? null);
    if (id !== null) void followControl(command, id);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

async function confirmAndQueue(command: string, explain: string | null, confirm: string | null): Promise<number | null> {
  const target = view?.daemon_id ?? "the daemon";
  const confirmed = await openDialog({ title: `${command} ${target}?`, text: explain ?? `Send ${command} to ${target}.`, confirm, sendLabel: `Send ${command}` });
  if (!confirmed) return null;
  const body = { ...(confirm === null ? {} : { confirm: true }), ...(view?.daemon_id ? { daemon_id: view.daemon_id } : {}) };
  const response = await fetch(`/control/${command}`, { method: "POST", headers: { ...authHeaders(), "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { id?: number; message?: string };
  if (response.status !== 202 || answer.id === undefined) {
    setText("control-result", `${command} refused (${response.status}): ${answer.message ?? ""}`);
    if (response.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  setText("control-result", `${command} queued as #${answer.id}; waiting for the daemon…`);
  return answer.id;
}

async function followControl(command: string, id: number): Promise<void> {
  for (let attempt = 0; attempt < CONTROL_POLL_TRIES; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, CONTROL_POLL_MS));
    const control = await getJson<{ consumed: boolean; result: string | null }>(`/control/${id}`);
    if (control.consumed && control.result !== null) {
      setText("control-result", `${command} #${id} done: ${control.result}`);
      return;
    }
  }
  setText("control-result", `${command} #${id} not consumed yet: is the daemon running?`);
}

// --- start -------------------------------------------------------------------------------

function start(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-command]")) {
    button.addEventListener("click", () => void sendControl(button));
  }
  byId("operation-type").addEventListener("change", () => void loadOperations());
  byId<HTMLSelectElement>("daemon-select").addEventListener("change", (event) => {
    daemonId = (event.target as HTMLSelectElement).value || null;
    events.reconnect();
    void Promise.all([getJson<StatusView>(`/status?daemon_id=${encodeURIComponent(daemonId ?? "")}`).then(renderStatus), loadHistory(), loadOperations()]);
  });
  setInterval(tick, 1000);
  void (async () => {
    renderStatus(await getJson<StatusView>("/status"));
    daemonId = view?.daemon_id ?? null;
    void loadBacktests();
    await Promise.all([loadHistory(), loadOperations()]);
    await events.run(() => (daemonId === null ? "/events" : `/events?daemon_id=${encodeURIComponent(daemonId)}`));
  })();
}

start();

// The server imports this file's source text; this default export only types that import.
export default "" as string;
