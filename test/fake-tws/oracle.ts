// Decodes fake-server fields with @stoqey/ib's own Decoder, the oracle for the fake's
// encoders: a layout the real client cannot read shows up here as an error (code 505).
import { Decoder } from "@stoqey/ib/dist/core/io/decoder";
import type { DecoderCallbacks } from "@stoqey/ib/dist/core/io/decoder";
import { fieldText } from "./framing.ts";
import type { WireField } from "./framing.ts";
import { SERVER_VERSION } from "./messages/connection.ts";

export interface DecodedEvent {
  readonly name: string;
  readonly args: readonly unknown[];
}

export interface DecodeResult {
  readonly events: readonly DecodedEvent[];
  readonly errors: readonly { readonly message: string; readonly code: number }[];
}

export function decodeWithClient(messages: readonly (readonly WireField[])[], serverVersion = SERVER_VERSION): DecodeResult {
  const events: DecodedEvent[] = [];
  const errors: { message: string; code: number }[] = [];
  const callbacks: DecoderCallbacks = {
    serverVersion,
    emitEvent: (name, ...args) => void events.push({ name, args }),
    emitError: (message, code) => void errors.push({ message, code }),
    emitInfo: (message, code) => void events.push({ name: "info", args: [message, code] }),
  };
  const decoder = new Decoder(callbacks);
  for (const fields of messages) decoder.enqueueMessage(fields.map(fieldText));
  decoder.process();
  return { events, errors };
}
