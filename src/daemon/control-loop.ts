// Polls the two operator channels every poll_ms: the control file (local) and the sink's
// daemon_control queue (written by `gs serve` / `gs ctl`, possibly from another host).
// Every command, valid or not, leaves a `control` operation with its result.
import type { Sink } from "../sink/port.ts";
import type { ControlCommand } from "../sink/records.ts";
import type { Clock } from "./clock.ts";
import { CONTROL_COMMANDS, parseControlLine } from "./control-command.ts";
import { type ClaimedCommands, takeControlFile } from "./control-file.ts";
import type { DaemonLog } from "./daemon-log.ts";
import type { OperationRecorder } from "./operation-recorder.ts";

/**
 * A command older than this (the daemon was down when it was issued or written) is not acted
 * on blindly: resuming or trading days later could surprise the operator. Stop and pause only
 * make things safer, so they are always carried out, however old (SPEC §10 defect 15).
 */
const STALE_COMMAND_MS = 10 * 60_000;
const ALWAYS_SAFE: ReadonlySet<ControlCommand> = new Set(["stop", "pause"]);

/** Why a command this old is not carried out, or null when it is. */
function staleness(command: ControlCommand, ageMs: number): string | null {
  if (ageMs <= STALE_COMMAND_MS || ALWAYS_SAFE.has(command)) return null;
  return `${command} was issued ${Math.round(ageMs / 1000)} s ago, expected within ${STALE_COMMAND_MS / 1000} s; issue it again if it still applies`;
}

export interface ControlLoopDeps {
  readonly controlFile: string | null;
  readonly sink: Sink;
  readonly daemonId: string;
  readonly wallClock: Clock;
  readonly log: DaemonLog;
  readonly recorder: OperationRecorder;
  readonly stateName: () => string;
  /** Commands are for the holder of the daemon id: a process that lost it leaves them to the new holder. */
  readonly holdsDaemonId: () => boolean;
  /** Runs one command and returns its result text ("paused", "rejected: ..."). */
  readonly execute: (command: ControlCommand, source: string) => Promise<string>;
}

export class ControlLoop {
  private inFlight: Promise<void> | null = null;
  /** The poll that follows the one in flight, shared by every call made meanwhile. */
  private next: Promise<void> | null = null;
  private queueDown = false;

  constructor(private readonly deps: ControlLoopDeps) {}

  /**
   * A poll of both channels that starts after this call: one in flight may have read the queue
   * before a command the caller just wrote, so a call during a poll gets the next one (calls
   * made meanwhile share it). Errors are logged, never thrown.
   */
  poll(): Promise<void> {
    if (!this.deps.holdsDaemonId()) return Promise.resolve();
    if (this.inFlight === null) {
      this.inFlight = (async () => {
        try {
          await this.pollFile();
          await this.pollQueue();
        } finally {
          this.inFlight = null;
        }
      })();
      return this.inFlight;
    }
    this.next ??= this.inFlight.then(() => {
      this.next = null;
      return this.poll();
    });
    return this.next;
  }

  private async pollFile(): Promise<void> {
    const { controlFile } = this.deps;
    if (controlFile === null) return;
    let taken: ClaimedCommands | null;
    try {
      taken = takeControlFile(controlFile);
    } catch (error) {
      this.deps.log.log("warn", this.deps.stateName(), `control file unreadable: ${String(error)}`, { file: controlFile });
      return;
    }
    if (taken === null) return;
    // A file claimed by a daemon that stopped before reading it may be days old.
    const ageMs = this.deps.wallClock.nowMs() - taken.writtenAtMs;
    for (const raw of taken.lines) {
      const parsed = parseControlLine(raw);
      switch (parsed.type) {
        case "blank":
          break;
        case "invalid":
          this.reject(parsed.message, "file", { line: parsed.line });
          break;
        case "command": {
          const stale = staleness(parsed.command, ageMs);
          if (stale === null) await this.run(parsed.command, "file", {});
          else this.reject(stale, "file", { writtenAtMs: taken.writtenAtMs });
          break;
        }
        default: {
          const unreachable: never = parsed;
          throw new Error(`unknown control line ${JSON.stringify(unreachable)}`);
        }
      }
    }
  }

  private async pollQueue(): Promise<void> {
    const { sink, daemonId, wallClock } = this.deps;
    let rows;
    try {
      rows = await sink.claimControl(daemonId, wallClock.nowMs());
    } catch (error) {
      // Said once per outage, not on every poll; the control file keeps working meanwhile.
      if (!this.queueDown) this.deps.log.log("warn", this.deps.stateName(), `control queue unreadable (the control file still works): ${String(error)}`);
      this.queueDown = true;
      return;
    }
    if (this.queueDown) this.deps.log.log("info", this.deps.stateName(), "control queue readable again");
    this.queueDown = false;
    for (const row of rows) {
      // Rows come from outside (another host may write them): check the command again.
      const command = CONTROL_COMMANDS.find((candidate) => candidate === row.command);
      const source = { controlId: row.id, issuedBy: row.issuedBy, issuedAtMs: row.tsMs };
      const stale = command ? staleness(command, wallClock.nowMs() - row.tsMs) : null;
      const result = !command
        ? this.reject(`control command was ${JSON.stringify(row.command)}, expected one of ${CONTROL_COMMANDS.join(", ")}`, "queue", source)
        : stale !== null
          ? this.reject(stale, "queue", source)
          : await this.run(command, "queue", source);
      sink.completeControl(row.id, result, wallClock.nowMs());
    }
  }

  private async run(command: ControlCommand, channel: string, source: Readonly<Record<string, unknown>>): Promise<string> {
    let result: string;
    try {
      result = await this.deps.execute(command, channel);
    } catch (error) {
      result = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.deps.log.log("info", this.deps.stateName(), `control ${command}: ${result}`, { channel });
    this.deps.recorder.record("control", { reason: result, payload: { command, channel, ...source } });
    return result;
  }

  private reject(message: string, channel: string, source: Readonly<Record<string, unknown>>): string {
    const result = `rejected: ${message}`;
    this.deps.log.log("warn", this.deps.stateName(), result, { channel });
    this.deps.recorder.record("control", { reason: result, payload: { command: null, channel, ...source } });
    return result;
  }
}
