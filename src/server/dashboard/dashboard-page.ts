// The dashboard page. Plain markup only: behaviour lives in dashboard-client.ts, styles in
// dashboard.css (the Content-Security-Policy forbids inline script and style).
export const DASHBOARD_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gs dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
<script type="module" src="/dashboard.js"></script>
</head>
<body>
<header class="topbar">
  <h1>gs <small>gamma scalper</small></h1>
  <label class="daemon-pick">daemon <select id="daemon-select" aria-label="daemon"></select></label>
  <span id="stream-state" class="stream" data-state="connecting">connecting…</span>
  <a href="/docs">API</a>
</header>
<main class="grid">
  <section class="card lamp-card" aria-labelledby="lamp-title">
    <h2 id="lamp-title" class="sr-only">Status lamp</h2>
    <div class="lamp-row">
      <div id="lamp" class="lamp" data-lamp="unknown" role="img" aria-label="lamp unknown"></div>
      <div>
        <div id="lamp-text" class="lamp-text">…</div>
        <div id="lamp-why" class="lamp-why" role="alert"></div>
        <div class="muted">state <b id="state">–</b> · hedge <b id="hedge-state">–</b></div>
        <div class="muted">heartbeat <b id="heartbeat-age">–</b> ago (every <span id="heartbeat-interval">–</span>)</div>
      </div>
    </div>
    <ul id="reasons" class="reasons"></ul>
  </section>

  <section class="card">
    <h2>Broker &amp; market</h2>
    <dl class="kv">
      <dt>broker</dt><dd id="broker">–</dd>
      <dt>spot</dt><dd id="spot">–</dd>
      <dt>bid / ask</dt><dd id="bid-ask">–</dd>
      <dt>quote age</dt><dd id="data-age">–</dd>
    </dl>
  </section>

  <section class="card">
    <h2>Delta</h2>
    <div class="big" id="portfolio-delta">–</div>
    <dl class="kv">
      <dt>options</dt><dd id="option-delta">–</dd>
      <dt>hedge stock</dt><dd id="hedge-shares">–</dd>
      <dt>working orders</dt><dd id="pending-shares">–</dd>
      <dt class="external-row hidden" title="strategy.external_shares: in the account, never hedged or traded">external stock</dt><dd id="external-shares" class="external-row hidden">–</dd>
      <dt>gamma · theta</dt><dd id="gamma-theta">–</dd>
    </dl>
  </section>

  <section class="card">
    <h2>Volatility</h2>
    <dl class="kv">
      <dt>realised today</dt><dd id="realized-vol">–</dd>
      <dt>implied</dt><dd id="implied-vol">–</dd>
      <dt>breakeven move</dt><dd id="breakeven">–</dd>
    </dl>
    <p class="muted small">The day pays its theta when the underlying moves more than the breakeven √(2|θ|/Γ).</p>
  </section>

  <section class="card">
    <h2>Today</h2>
    <div>hedges <b id="hedges-count">–</b> of <span id="hedges-limit">–</span></div>
    <meter id="hedges-meter" min="0" max="1" value="0"></meter>
    <dl class="kv">
      <dt>PnL today</dt><dd id="pnl-today">–</dd>
      <dt>loss limit (breaker)</dt><dd id="pnl-limit">–</dd>
      <dt>scalping (hedges)</dt><dd id="pnl-scalping">–</dd>
      <dt>option mark-to-market</dt><dd id="pnl-option">–</dd>
      <dt>commissions</dt><dd id="pnl-commissions">–</dd>
      <dt>hedge realised today</dt><dd id="pnl-realized">–</dd>
      <dt>hedge unrealised (avg cost)</dt><dd id="pnl-unrealized">–</dd>
    </dl>
  </section>

  <section class="card controls">
    <h2>Control</h2>
    <div class="buttons">
      <button type="button" data-command="pause">Pause</button>
      <button type="button" data-command="resume">Resume</button>
      <button type="button" data-command="retry-broker">Retry broker</button>
      <button type="button" data-command="stop" class="danger">Stop</button>
      <button type="button" data-command="flatten" class="danger"
        data-explain="Flatten cancels working hedge orders, closes all hedge stock at market (sending the rest until it is closed) and leaves hedging paused. The options and shares declared external stay. Refused while a hard block (a reconciliation mismatch) is active: resolve that first."
        data-confirm="I understand flatten closes all hedge stock at market">Flatten</button>
      <button type="button" data-command="accept-position" class="danger" title="Clear a reconciliation block by taking the broker's stock position as the hedge"
        data-explain="Accept position takes the broker's stock position (less external shares) as this strategy's hedge and clears the reconciliation block; hedging then goes on from it unless paused."
        data-confirm="I checked the account: these shares are the strategy's hedge">Accept position</button>
    </div>
    <p id="control-result" class="muted small" aria-live="polite"></p>
    <p class="muted small">config <code id="config-hash">–</code> · <span id="process">–</span></p>
  </section>

  <section class="card wide">
    <h2>Delta and hedge shares today</h2>
    <svg id="chart" viewBox="0 0 800 220" preserveAspectRatio="none" role="img" aria-label="delta and hedge shares over the day"></svg>
    <div class="legend"><span class="swatch delta"></span>portfolio delta <span class="swatch hedge"></span>hedge shares</div>
  </section>

  <section class="card wide">
    <h2>Legs</h2>
    <table id="legs"><thead><tr><th>contract</th><th>qty</th><th>price</th><th>IV</th><th>delta</th><th>gamma</th><th>theta</th><th>vega</th><th>greeks</th></tr></thead><tbody></tbody></table>
  </section>

  <section class="card wide">
    <h2>Recent operations
      <select id="operation-type" aria-label="operation type">
        <option value="">all types</option>
        <option>hedge_intent</option><option>order_sent</option><option>order_ack</option><option>partial_fill</option><option>fill</option>
        <option>order_warning</option><option>commission</option><option>reject</option><option>cancel_request</option><option>cancel</option><option>control</option>
        <option>reconcile</option><option>state_change</option>
      </select>
    </h2>
    <table id="operations"><thead><tr><th>time</th><th>type</th><th>order ref</th><th>side</th><th>shares</th><th>price</th><th>reason</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="card wide">
    <h2>Backtest runs</h2>
    <table id="backtests"><thead><tr><th>started</th><th>run</th><th>days replayed</th><th>total PnL</th><th>scalping</th><th>hedges</th><th>max drawdown</th><th>Sharpe</th></tr></thead><tbody></tbody></table>
  </section>
</main>

<dialog id="control-dialog">
  <form method="dialog" id="control-form">
    <h2 id="dialog-title">Confirm</h2>
    <p id="dialog-text"></p>
    <label>Token <input id="token-input" type="password" autocomplete="off" required></label>
    <label id="command-confirm-label" class="hidden"><input id="command-confirm" type="checkbox"> <span id="command-confirm-text"></span></label>
    <div class="buttons">
      <button value="cancel" formnovalidate>Cancel</button>
      <button id="dialog-send" value="send" class="danger">Send</button>
    </div>
  </form>
</dialog>
</body>
</html>`;
