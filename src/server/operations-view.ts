// GET /operations: query schema, row shape, cursor pagination and CSV rendering.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import type { OperationQuery, OperationType, StoredOperation } from "../sink/records.ts";
import { DAEMON_ID_PATTERN, PLAIN_TEXT_PATTERN } from "./http-input.ts";
import { InputError } from "./http-input.ts";
import { parseTimeRange } from "./time-query.ts";

export const OPERATION_TYPES = [
  "hedge_intent",
  "order_sent",
  "order_ack",
  "order_warning",
  "partial_fill",
  "fill",
  "fill_correction",
  "commission",
  "reject",
  "cancel_request",
  "cancel",
  "control",
  "reconcile",
  "state_change",
] as const satisfies readonly OperationType[];
// Fails to compile when records.ts gains a type this list lacks.
const EVERY_TYPE_LISTED: Exclude<OperationType, (typeof OPERATION_TYPES)[number]> extends never ? true : never = true;
void EVERY_TYPE_LISTED;

export const DEFAULT_OPERATIONS_LIMIT = 100;
export const MAX_OPERATIONS_LIMIT = 1000;

export const OPERATIONS_QUERY_SCHEMA = Type.Object(
  {
    since: Type.Optional(Type.String({ description: "Oldest time included: ISO-8601 with zone, or epoch ms." })),
    until: Type.Optional(Type.String({ description: "Newest time included: ISO-8601 with zone, or epoch ms." })),
    type: Type.Optional(Type.Array(Type.Union(OPERATION_TYPES.map((type) => Type.Literal(type))), { description: "Repeatable (type=fill&type=reject) or comma-separated." })),
    order_ref: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: PLAIN_TEXT_PATTERN })),
    daemon_id: Type.Optional(Type.String({ pattern: DAEMON_ID_PATTERN })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_OPERATIONS_LIMIT, description: `Rows per page, default ${DEFAULT_OPERATIONS_LIMIT}.` })),
    cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$", description: "next_cursor of the previous page." })),
  },
  { additionalProperties: false },
);
export type OperationsQueryInput = Static<typeof OPERATIONS_QUERY_SCHEMA>;

const NULLABLE_NUMBER = Type.Union([Type.Number(), Type.Null()]);
const NULLABLE_STRING = Type.Union([Type.String(), Type.Null()]);

export const OPERATION_VIEW_SCHEMA = Type.Object({
  id: Type.Number({ description: "Sink sequence id; larger is newer." }),
  ts_ms: Type.Number(),
  ts: Type.String({ description: "ISO-8601 UTC." }),
  daemon_id: Type.String(),
  type: Type.String(),
  order_ref: NULLABLE_STRING,
  broker_order_id: NULLABLE_NUMBER,
  exec_id: NULLABLE_STRING,
  side: NULLABLE_STRING,
  quantity_shares: NULLABLE_NUMBER,
  price: NULLABLE_NUMBER,
  commission_usd: NULLABLE_NUMBER,
  reason: NULLABLE_STRING,
  payload: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
export type OperationView = Static<typeof OPERATION_VIEW_SCHEMA>;

export const OPERATIONS_PAGE_SCHEMA = Type.Object({
  operations: Type.Array(OPERATION_VIEW_SCHEMA, { description: "Newest first." }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as cursor for the next (older) page; null on the last page." }),
});
export type OperationsPage = Static<typeof OPERATIONS_PAGE_SCHEMA>;

/** The sink query for one page; asks for one row more than the page to know whether another follows. */
export function toSinkOperationQuery(input: OperationsQueryInput): OperationQuery {
  const limit = input.limit ?? DEFAULT_OPERATIONS_LIMIT;
  const beforeId = input.cursor === undefined ? undefined : Number(input.cursor);
  if (beforeId !== undefined && !Number.isSafeInteger(beforeId)) throw new InputError("cursor", `cursor was ${input.cursor}, expected a next_cursor from a previous page`);
  return {
    ...parseTimeRange(input),
    ...(input.type === undefined ? {} : { types: input.type }),
    ...(input.order_ref === undefined ? {} : { orderRef: input.order_ref }),
    ...(input.daemon_id === undefined ? {} : { daemonId: input.daemon_id }),
    ...(beforeId === undefined ? {} : { beforeId }),
    limit: limit + 1,
  };
}

export function toOperationsPage(rows: readonly StoredOperation[], pageSize: number): OperationsPage {
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return { operations: page.map(toOperationView), next_cursor: rows.length > pageSize && last ? String(last.id) : null };
}

export function toOperationView(row: StoredOperation): OperationView {
  return {
    id: row.id,
    ts_ms: row.tsMs,
    ts: new Date(row.tsMs).toISOString(),
    daemon_id: row.daemonId,
    type: row.type,
    order_ref: row.orderRef,
    broker_order_id: row.brokerOrderId,
    exec_id: row.execId,
    side: row.side,
    quantity_shares: row.quantityShares,
    price: row.price,
    commission_usd: row.commissionUsd,
    reason: row.reason,
    payload: row.payload === null ? null : { ...row.payload },
  };
}

const CSV_COLUMNS = [
  "id",
  "ts",
  "ts_ms",
  "daemon_id",
  "type",
  "order_ref",
  "broker_order_id",
  "exec_id",
  "side",
  "quantity_shares",
  "price",
  "commission_usd",
  "reason",
  "payload",
] as const satisfies readonly (keyof OperationView)[];

/** RFC 4180 CSV with a header row; the payload column holds JSON. */
export function operationsToCsv(operations: readonly OperationView[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const operation of operations) lines.push(CSV_COLUMNS.map((column) => csvCell(operation[column])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // A leading = + - @ would run as a formula in a spreadsheet; quote-prefix it.
  const safe = /^[=+\-@]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
