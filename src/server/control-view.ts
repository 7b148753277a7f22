// POST /control/{command} and GET /control/{id}: the URL names of commands, the body
// schema, and the shape of a command's state as the daemon consumes it.
import { t } from "elysia";
import type { Static } from "elysia";
import type { ControlCommand, ControlRequest, ControlRow } from "../sink/records.ts";
import { InputError } from "./http-input.ts";

/** URL path segment -> sink command. Paths use kebab-case, the sink snake_case. */
export const CONTROL_COMMANDS = {
  stop: "stop",
  pause: "pause",
  resume: "resume",
  flatten: "flatten",
  "retry-broker": "retry_broker",
} as const satisfies Readonly<Record<string, ControlCommand>>;
export type ControlPath = keyof typeof CONTROL_COMMANDS;
export const CONTROL_PATHS = Object.keys(CONTROL_COMMANDS) as ControlPath[];

export function controlPathOf(command: ControlCommand): ControlPath {
  const path = CONTROL_PATHS.find((each) => CONTROL_COMMANDS[each] === command);
  if (path === undefined) throw new Error(`control command was ${command}, expected one of ${Object.values(CONTROL_COMMANDS).join(", ")}`);
  return path;
}

export const CONTROL_BODY_SCHEMA = t.Object(
  {
    confirm: t.Optional(t.Boolean({ description: "Must be true for flatten." })),
    daemon_id: t.Optional(t.String({ pattern: "^[A-Za-z0-9_.-]{1,64}$", description: "Target daemon; default status.daemon_id of the server's config." })),
    reason: t.Optional(t.String({ maxLength: 200, description: "Free text kept with the command for the audit trail." })),
  },
  { additionalProperties: false },
);
export type ControlBody = Static<typeof CONTROL_BODY_SCHEMA>;

export const CONTROL_ID_PARAMS_SCHEMA = t.Object({ id: t.String({ pattern: "^[0-9]{1,15}$", description: "Command id returned by POST /control/{command}." }) });

export const CONTROL_RECEIPT_SCHEMA = t.Object({
  id: t.Number(),
  command: t.String(),
  daemon_id: t.String(),
  status_url: t.String({ description: "GET it to see whether the daemon consumed the command." }),
});
export type ControlReceipt = Static<typeof CONTROL_RECEIPT_SCHEMA>;

export const CONTROL_VIEW_SCHEMA = t.Object({
  id: t.Number(),
  command: t.String(),
  daemon_id: t.String(),
  args: t.Record(t.String(), t.Unknown()),
  issued_by: t.String(),
  issued_at_ms: t.Number(),
  consumed: t.Boolean(),
  consumed_at_ms: t.Union([t.Number(), t.Null()]),
  result: t.Union([t.String(), t.Null()], { description: "The daemon's outcome text once consumed." }),
});
export type ControlView = Static<typeof CONTROL_VIEW_SCHEMA>;

export function toControlRequest(path: ControlPath, body: ControlBody, defaultDaemonId: string, issuedBy: string, nowMs: number): ControlRequest {
  const command = CONTROL_COMMANDS[path];
  if (command === "flatten" && body.confirm !== true) {
    throw new InputError("confirm", `confirm was ${body.confirm === undefined ? "missing" : String(body.confirm)}, expected true: flatten closes the whole position`);
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
