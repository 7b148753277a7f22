// Tick-to-order latency of the IB adapter over loopback, next to the raw socket round
// trip measured in the same run.
//
//   raw round trip: a 40-byte frame written to a TCP echo server and read back.
//   tick-to-order:  the fake TWS writes a tickPrice -> @stoqey/ib decodes it -> the
//                   adapter emits a quote -> a trivial decision (bid moved: buy 1) ->
//                   placeOrder -> the fake TWS reads the PLACE_ORDER message.
// Both are two loopback hops in one process, so their ratio is the adapter's cost.
// Ticks are spaced so the client's production send-rate limit (45 msg/s) never queues.
//
// Run: bun bench/ib.ts [samples]
import { createServer, connect } from "node:net";
import type { Socket } from "node:net";
import { IbBroker } from "../src/broker/ib/ib-broker.ts";
import { FakeTws } from "../test/fake-tws/index.ts";

const SAMPLES = Number(process.argv[2] ?? 300);
const WARMUP = 20;
const TICK_SPACING_MS = 30;
const PRODUCTION_SEND_RATE = 45;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samplesMs: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((s, v) => s + v, 0) / sorted.length };
}

async function rawRoundTrips(n: number): Promise<number[]> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", (chunk) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const client: Socket = connect({ host: "127.0.0.1", port });
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
  const frame = Buffer.alloc(40, 1);
  const samples: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let received = 0;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received < frame.length) return;
        client.off("data", onData);
        resolve();
      };
      client.on("data", onData);
      client.write(frame);
    });
    if (i >= WARMUP) samples.push(performance.now() - t0);
    await Bun.sleep(TICK_SPACING_MS);
  }
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return samples;
}

async function tickToOrder(n: number): Promise<{ toEvent: number[]; toOrder: number[] }> {
  const tws = new FakeTws();
  await tws.start(0);
  const broker = new IbBroker({
    host: "127.0.0.1", port: tws.port, clientId: 1, clientIdMaxTries: 1, connectTimeoutMs: 5_000, requestTimeoutMs: 5_000,
    account: "", marketDataType: "live", exchange: "SMART", currency: "USD", maxRequestsPerSecond: PRODUCTION_SEND_RATE,
    log: () => undefined, now: Date.now,
  });
  await broker.connect();
  let tickSentAt = 0;
  let eventAt = 0;
  let lastBid: number | null = null;
  let seq = 0;
  broker.onEvent((event) => {
    if (event.type !== "quote" || event.bid === null || event.bid === lastBid) return;
    eventAt = performance.now();
    lastBid = event.bid;
    broker.placeOrder({ orderRef: `gs:bench:SPY:${++seq}`, symbol: "SPY", side: "BUY", quantityShares: 1, orderType: "market" });
  });
  broker.subscribeMarketData([{ secType: "STK", symbol: "SPY" }]);
  await tws.waitForRequest("req_mkt_data");
  const toEvent: number[] = [];
  const toOrder: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const from = tws.requests.length;
    const arrived = tws.waitForRequest("place_order", () => true, from);
    tickSentAt = performance.now();
    tws.setQuote("SPY", { bid: 600 + (i % 2 === 0 ? 0.01 : 0.02) + i / 1000 });
    await arrived;
    const receivedAt = tws.requests.slice(from).find((e) => e.request.type === "place_order")?.receivedAtPerfMs ?? Number.NaN;
    if (i >= WARMUP) {
      toEvent.push(eventAt - tickSentAt);
      toOrder.push(receivedAt - tickSentAt);
    }
    await Bun.sleep(TICK_SPACING_MS);
  }
  await broker.disconnect();
  await tws.stop();
  return { toEvent, toOrder };
}

const raw = summary(await rawRoundTrips(SAMPLES));
const { toEvent, toOrder } = await tickToOrder(SAMPLES);
const event = summary(toEvent);
const order = summary(toOrder);
const fmt = (v: number) => `${(v * 1000).toFixed(0)} µs`;
console.log(`samples ${SAMPLES} (after ${WARMUP} warm-up), ticks ${TICK_SPACING_MS} ms apart, Bun ${Bun.version}`);
console.log(`raw TCP round trip      p50 ${fmt(raw.p50)}  p99 ${fmt(raw.p99)}  mean ${fmt(raw.mean)}`);
console.log(`tick -> quote event     p50 ${fmt(event.p50)}  p99 ${fmt(event.p99)}  mean ${fmt(event.mean)}`);
console.log(`tick -> order at TWS    p50 ${fmt(order.p50)}  p99 ${fmt(order.p99)}  mean ${fmt(order.mean)}`);
console.log(`ratio tick->order / raw round trip: p50 ${(order.p50 / raw.p50).toFixed(1)}x  p99 ${(order.p99 / raw.p99).toFixed(1)}x`);
