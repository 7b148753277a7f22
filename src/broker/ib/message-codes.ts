// What each TWS error/info code means to gs. One table, unit-tested; the adapter
// acts on the class, never on message text.

export type FarmKind = "market_data" | "historical_data" | "security_definition";

export type IbMessageClass =
  | { readonly type: "client_id_in_use" }
  | { readonly type: "connectivity"; readonly state: "lost" | "restored_data_lost" | "restored_data_kept" }
  | { readonly type: "farm"; readonly farm: FarmKind; readonly ok: boolean }
  | { readonly type: "order_rejected" }
  | { readonly type: "order_held" }
  | { readonly type: "order_cancelled" }
  | { readonly type: "cancel_refused" }
  | { readonly type: "market_data_unavailable" }
  | { readonly type: "delayed_data_notice" }
  | { readonly type: "no_security_definition" }
  | { readonly type: "socket_failure" }
  | { readonly type: "decode_failure" }
  | { readonly type: "warning" };

const CLASS_BY_CODE: ReadonlyMap<number, IbMessageClass> = new Map<number, IbMessageClass>([
  [326, { type: "client_id_in_use" }],
  [1100, { type: "connectivity", state: "lost" }],
  [2110, { type: "connectivity", state: "lost" }], // TWS <-> server connectivity broken
  [1101, { type: "connectivity", state: "restored_data_lost" }],
  [1102, { type: "connectivity", state: "restored_data_kept" }],
  [2103, { type: "farm", farm: "market_data", ok: false }],
  [2104, { type: "farm", farm: "market_data", ok: true }],
  [2108, { type: "farm", farm: "market_data", ok: true }], // inactive but available on demand
  [2105, { type: "farm", farm: "historical_data", ok: false }],
  [2106, { type: "farm", farm: "historical_data", ok: true }],
  [2107, { type: "farm", farm: "historical_data", ok: true }],
  [2157, { type: "farm", farm: "security_definition", ok: false }],
  [2158, { type: "farm", farm: "security_definition", ok: true }],
  // Order rejections: the order will not work. gs never modifies an order, so 104/105 only
  // come when a new order reused a live order id: TWS refused to place it.
  [103, { type: "order_rejected" }], // duplicate order id
  [104, { type: "order_rejected" }], // cannot modify a filled order
  [105, { type: "order_rejected" }], // modification does not match original
  [110, { type: "order_rejected" }], // price does not conform to the minimum tick
  [201, { type: "order_rejected" }], // order rejected (margin, permissions, ...)
  [203, { type: "order_rejected" }], // security not available/allowed for this account
  [321, { type: "order_rejected" }], // validating request failed
  [382, { type: "order_rejected" }], // size exceeds limits
  [383, { type: "order_rejected" }], // size exceeds limits
  [387, { type: "order_rejected" }], // unsupported order type
  [434, { type: "order_rejected" }], // order size cannot be zero
  // The order stays working at IB; it may never fill, so gs's order timeout still applies.
  [404, { type: "order_held" }], // held while shares to short are located
  [202, { type: "order_cancelled" }],
  [161, { type: "cancel_refused" }], // not in a cancellable state
  [10147, { type: "cancel_refused" }], // order to cancel not found
  [10148, { type: "cancel_refused" }], // order cannot be cancelled in its state
  [354, { type: "market_data_unavailable" }], // not subscribed
  [10089, { type: "market_data_unavailable" }],
  [10090, { type: "market_data_unavailable" }],
  [10091, { type: "market_data_unavailable" }],
  [10168, { type: "market_data_unavailable" }], // delayed data not enabled
  [10167, { type: "delayed_data_notice" }], // displaying delayed data instead of live
  [200, { type: "no_security_definition" }],
  [502, { type: "socket_failure" }], // could not connect / socket error
  [504, { type: "socket_failure" }], // not connected
  [505, { type: "decode_failure" }], // client could not decode a message: a protocol mismatch
]);

/** Codes not listed are warnings: logged, never acted on. */
export function classifyIbMessage(code: number): IbMessageClass {
  return CLASS_BY_CODE.get(code) ?? { type: "warning" };
}
