// POST /control/{command} and GET /control/{id}: the URL names of commands, the body
// schema, and the shape of a command's state as the daemon consumes it.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { UserError } from "../config/user-error.ts";
import type { ControlCommand, ControlRequest, ControlRow } from "../sink/records.ts";
import { DAEMON_ID_PATTERN, PLAIN_TEXT_PATTERN } from "./http-input.ts";
import { InputError } from "./http-input.ts";

/** URL path segment -> sink command. Paths use kebab-case, the sink snake_case. */
export const CONTROL_COMMANDS = {
  stop: "stop",
  pause: "pause",
  resume: "resume",
  flatten: "flatten",
  "retry-broker": "retry_broker",
  "accept-position": "accept_position",
} as const satisfies Readonly<Record<string, ControlCommand>>;
export type ControlPath = keyof typeof CONTROL_COMMANDS;
export const CONTROL_PATHS = Object.keys(CONTROL_COMMANDS) as ControlPath[];

/** Commands that change real positions or what gs believes about them: sent only with confirm, and why. */
export const CONFIRM_NEEDED: Readonly<Partial<Record<ControlPath, string>>> = {
  flatten: "flatten closes all hedge stock at market and leaves hedging paused",
  "accept-position": "accept-position takes the broker's stock position as this strategy's hedge and clears the reconciliation block",
};

/**
 * A command for a daemon id that never wrote a status row (a typo, most likely). Refused:
 * stop and pause never expire, so a daemon later started under that id would obey at once.
 */
export class UnknownDaemonError extends UserError {
  constructor(daemonId: string, knownDaemonIds: readonly string[]) {
    const known = knownDaemonIds.length === 0 ? "none has written a status row to this database yet" : `expected one of: ${knownDaemonIds.join(", ")}`;
    super(`daemon_id was ${JSON.stringify(daemonId)}, which has never written a status row; ${known}`);
    this.name = "UnknownDaemonError";
  }
}

export function controlPathOf(command: ControlCommand): ControlPath {
  const path = CONTROL_PATHS.find((each) => CONTROL_COMMANDS[each] === command);
  if (path === undefined) throw new Error(`control command was ${command}, expected one of ${Object.values(CONTROL_COMMANDS).join(", ")}`);
  return path;
}

export const CONTROL_BODY_SCHEMA = Type.Object(
  {
    confirm: Type.Optional(Type.Boolean({ description: "Must be true for flatten and accept-position." })),
    daemon_id: Type.Optional(Type.String({ pattern: DAEMON_ID_PATTERN, description: "Target daemon; default status.daemon_id of the server's config." })),
    reason: Type.Optional(Type.String({ maxLength: 200, pattern: PLAIN_TEXT_PATTERN, description: "Free text kept with the command for the audit trail." })),
  },
  { additionalProperties: false },
);
export type ControlBody = Static<typeof CONTROL_BODY_SCHEMA>;

export const CONTROL_ID_PARAMS_SCHEMA = Type.Object({ id: Type.String({ pattern: "^[0-9]{1,15}$", description: "Command id returned by POST /control/{command}." }) });

export const CONTROL_RECEIPT_SCHEMA = Type.Object({
  id: Type.Number(),
  command: Type.String(),
  daemon_id: Type.String(),
  status_url: Type.String({ description: "GET it to see whether the daemon consumed the command." }),
});
export type ControlReceipt = Static<typeof CONTROL_RECEIPT_SCHEMA>;

export const CONTROL_VIEW_SCHEMA = Type.Object({
  id: Type.Number(),
  command: Type.String(),
  daemon_id: Type.String(),
  args: Type.Record(Type.String(), Type.Unknown()),
  issued_by: Type.String(),
  issued_at_ms: Type.Number(),
  consumed: Type.Boolean(),
  consumed_at_ms: Type.Union([Type.Number(), Type.Null()]),
  result: Type.Union([Type.String(), Type.Null()], { description: "The daemon's outcome text once consumed." }),
});
export type ControlView = Static<typeof CONTROL_VIEW_SCHEMA>;

export function toControlRequest(path: ControlPath, body: ControlBody, defaultDaemonId: string, issuedBy: string, nowMs: number): ControlRequest {
  const command = CONTROL_COMMANDS[path];
  const why = CONFIRM_NEEDED[path];
  if (why !== undefined && body.confirm !== true) {
    throw new InputError("confirm", `confirm was ${body.confirm === undefined ? "missing" : String(body.confirm)}, expected true: ${why}`);
  }
  return {
    daemonId: body.daemon_id ?? defaultDaemonId,
    command,
    args: { ...(body.confirm === undefined ? {} : { confirm: body.confirm }), ...(body.reason === undefined ? {} : { reason: body.reason }) },
    issuedBy,
    tsMs: nowMs,
  };
}

export function toControlView(row: ControlRow): ControlView {
  return {
    id: row.id,
    command: controlPathOf(row.command),
    daemon_id: row.daemonId,
    args: { ...row.args },
    issued_by: row.issuedBy,
    issued_at_ms: row.tsMs,
    consumed: row.consumedAtMs !== null,
    consumed_at_ms: row.consumedAtMs,
    result: row.result,
  };
}
