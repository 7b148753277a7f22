// TWS API v100+ framing: every message is a uint32 big-endian length followed by
// NUL-terminated text fields. The client opens with a raw "API\0" prefix before its
// first (framed) message, the version range "v100..193".

/** One wire field before it is turned into text. */
export type WireField = string | number | boolean | null | undefined;

/** Java's Double.MAX_VALUE: TWS sends it for "unset" doubles. */
export const JAVA_DOUBLE_MAX = "1.7976931348623157E308";
/** Java's Integer.MAX_VALUE: TWS sends it for "unset" ints. */
export const JAVA_INT_MAX = 2147483647;

const API_PREFIX = Buffer.from("API\0", "latin1");
const LENGTH_BYTES = 4;

export function fieldText(field: WireField): string {
  if (field === null || field === undefined) return "";
  if (typeof field === "boolean") return field ? "1" : "0";
  return String(field);
}

/** Frames one message: length prefix, then each field followed by NUL. */
export function encodeFrame(fields: readonly WireField[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${fieldText(f)}\0`).join(""), "utf8");
  const frame = Buffer.alloc(LENGTH_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, LENGTH_BYTES);
  return frame;
}

/** Splits a frame body into its fields (the final NUL is mandatory, so the last split is empty). */
export function splitFields(body: Buffer): string[] {
  const parts = body.toString("utf8").split("\0");
  if (parts[parts.length - 1] !== "") {
    throw new Error(`frame not NUL-terminated: was ${JSON.stringify(body.toString("utf8"))}, expected a trailing NUL`);
  }
  return parts.slice(0, -1);
}

/** What arrives on a server socket: first the raw handshake, then framed messages. */
export type InboundFrame =
  | { readonly type: "handshake"; readonly minVersion: number; readonly maxVersion: number }
  | { readonly type: "message"; readonly fields: readonly string[] };

/** Incremental reader for the server side of one connection. */
export class ServerFrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private sawPrefix = false;
  private sawHandshake = false;

  push(chunk: Buffer): InboundFrame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: InboundFrame[] = [];
    if (!this.sawPrefix) {
      if (this.buffer.length < API_PREFIX.length) return frames;
      const prefix = this.buffer.subarray(0, API_PREFIX.length);
      if (!prefix.equals(API_PREFIX)) {
        throw new Error(`handshake prefix was ${JSON.stringify(prefix.toString("latin1"))}, expected "API\\0"`);
      }
      this.sawPrefix = true;
      this.buffer = this.buffer.subarray(API_PREFIX.length);
    }
    while (this.buffer.length >= LENGTH_BYTES) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < LENGTH_BYTES + length) break;
      const body = this.buffer.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
      this.buffer = this.buffer.subarray(LENGTH_BYTES + length);
      if (!this.sawHandshake) {
        this.sawHandshake = true;
        frames.push(parseVersionRange(body.toString("utf8")));
      } else {
        frames.push({ type: "message", fields: splitFields(body) });
      }
    }
    return frames;
  }
}

function parseVersionRange(text: string): InboundFrame {
  const match = /^v(\d+)(?:\.\.(\d+))?/.exec(text);
  if (!match || match[1] === undefined) {
    throw new Error(`version range was ${JSON.stringify(text)}, expected "v<min>..<max>"`);
  }
  const minVersion = Number(match[1]);
  return { type: "handshake", minVersion, maxVersion: match[2] === undefined ? minVersion : Number(match[2]) };
}
