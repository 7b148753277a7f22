// Maps the Hedger's snapshot plus the daemon's own state into the sink's StatusRow. Pure:
// the same inputs always give the same row, so the mapping is tested without a daemon.
import type { HedgerSnapshot } from "../core/hedger-snapshot.ts";
import type { SinkHealth } from "../sink/port.ts";
import type { BlockReason, DaemonState, StatusRow } from "../sink/records.ts";
import type { OperatorPause } from "./operator-pause.ts";

export interface DaemonStatusContext {
  readonly daemonId: string;
  readonly wallNowMs: number;
  readonly state: DaemonState;
  readonly configHash: string;
  readonly heartbeatIntervalS: number;
  readonly pid: number;
  readonly host: string;
  readonly version: string;
  readonly brokerName: "sim" | "ib";
  readonly brokerClientId: number | null;
  readonly brokerServerVersion: number | null;
  readonly nextRetryTsMs: number | null;
  readonly marketDataKind: "live" | "delayed" | "frozen" | null;
  /** The operator's pause, in every state: the next start reads it back from the last row. */
  readonly operatorPause: OperatorPause | null;
  /** Daemon-level reasons (e.g. broker unreachable, reconciliation mismatch) shown with core's. */
  readonly extraBlockReasons: readonly BlockReason[];
  /** Market time of the sim replay (equal to wall time on IB). */
  readonly marketNowMs: number;
  /** The daemon's own view of its sink: a slow or unreachable database shows here first. */
  readonly sinkHealth: Pick<SinkHealth, "queueDepth" | "spooledRows" | "failedWrites" | "lostRows" | "lastError">;
}

/** A full row from the Hedger snapshot; `snapshot` null gives the minimal row (no market yet). */
export function statusRow(context: DaemonStatusContext, snapshot: HedgerSnapshot | null, symbol: string): StatusRow {
  // The daemon's reason replaces core's of the same code: it knows the cause (e.g. why the broker is not connected).
  const daemonCodes = new Set(context.extraBlockReasons.map((reason) => reason.code));
  const coreReasons = (snapshot?.blockReasons ?? []).filter((reason) => !daemonCodes.has(reason.code)).map((reason) => ({ code: reason.code, message: reason.message }));
  const blockReasons = [...context.extraBlockReasons, ...coreReasons];
  return {
    daemonId: context.daemonId,
    tsMs: context.wallNowMs,
    state: context.state,
    hedgeState: snapshot?.hedgeState ?? "idle",
    symbol,
    spot: snapshot?.spot ?? null,
    bid: snapshot?.bid ?? null,
    ask: snapshot?.ask ?? null,
    portfolioDeltaShares: snapshot?.portfolioDeltaShares ?? null,
    optionDeltaShares: snapshot?.optionDeltaShares ?? null,
    hedgeShares: snapshot?.hedgeShares ?? 0,
    pendingShares: snapshot?.pendingShares ?? 0,
    legsCount: snapshot?.legs.length ?? 0,
    dailyHedgeCount: snapshot?.dailyHedgeCount ?? 0,
    dailyRealizedPnlUsd: snapshot?.dailyRealizedPnlUsd ?? 0,
    unrealizedPnlUsd: snapshot?.unrealizedPnlUsd ?? null,
    dataAgeMs: snapshot?.dataAgeMs ?? null,
    brokerConnected: snapshot?.brokerConnected ?? false,
    paused: context.state === "PAUSED" || (snapshot?.paused ?? false),
    blockReasons,
    configHash: context.configHash,
    heartbeatIntervalS: context.heartbeatIntervalS,
    details: {
      pid: context.pid,
      host: context.host,
      version: context.version,
      brokerName: context.brokerName,
      brokerClientId: context.brokerClientId,
      brokerServerVersion: context.brokerServerVersion,
      nextRetryTsMs: context.nextRetryTsMs,
      marketDataKind: context.marketDataKind,
      marketTsMs: context.marketNowMs,
      sinkQueueDepth: context.sinkHealth.queueDepth,
      sinkSpooledRows: context.sinkHealth.spooledRows,
      sinkFailedWrites: context.sinkHealth.failedWrites,
      operatorPause: context.operatorPause === null ? null : { sinceTsMs: context.operatorPause.sinceTsMs, command: context.operatorPause.command },
      ...(context.sinkHealth.lostRows > 0 ? { sinkLostRows: context.sinkHealth.lostRows, sinkLastError: context.sinkHealth.lastError } : {}),
      hardBlock: snapshot?.hardBlock ?? false,
      legs: snapshot?.legs ?? [],
      gammaShares: snapshot?.gammaShares ?? null,
      thetaUsdPerDay: snapshot?.thetaUsdPerDay ?? null,
      vegaUsd: snapshot?.vegaUsd ?? null,
      realizedVolToday: snapshot?.realizedVolToday ?? null,
      impliedVol: snapshot?.impliedVol ?? null,
      breakevenMoveUsd: snapshot?.breakevenMoveUsd ?? null,
      breakevenMovePct: snapshot?.breakevenMovePct ?? null,
      scalpingPnlUsd: snapshot?.scalpingPnlUsd ?? null,
      optionMtmPnlUsd: snapshot?.optionMtmPnlUsd ?? null,
      dailyPnlUsd: snapshot?.dailyPnlUsd ?? null,
      dailyCommissionsUsd: snapshot?.dailyCommissionsUsd ?? null,
      dailyLossLimitUsd: snapshot?.dailyLossLimitUsd ?? null,
      dailyHedgeLimit: snapshot?.dailyHedgeLimit,
      brokerHedgeShares: snapshot?.brokerHedgeShares ?? null,
      positionMismatchShares: snapshot?.positionMismatchShares ?? 0,
      externalShares: snapshot?.externalShares ?? 0,
      lastHedgeTsMs: snapshot?.lastHedgeTsMs ?? null,
      lastHedgePrice: snapshot?.lastHedgePrice ?? null,
      lastDecision: snapshot?.lastDecision ?? null,
    },
  };
}

/** Reasons only the daemon knows (why the broker is not connected, the daemon is stopping), shown with core's. */
export function daemonBlockReasons(state: DaemonState, lastBrokerError: string | null): BlockReason[] {
  const reasons: BlockReason[] = [];
  if (state === "WAITING_BROKER") {
    reasons.push({ code: "broker_not_connected", message: `broker not connected: ${lastBrokerError ?? "unknown"}; retrying` });
  }
  if (state === "STOPPING" || state === "STOPPED") reasons.push({ code: "stopped", message: `daemon is ${state}` });
  return reasons;
}
