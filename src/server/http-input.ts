// Validation of every query string and JSON body against the route's TypeBox schema, with
// errors that name the field ("limit was 5000, expected an integer <= 1000"). Done here
// instead of by Elysia's built-in validator because that one silently drops unknown
// parameters (a typo like `limt=5` would be ignored) and reports some failures without
// the field name.
import { Kind } from "@sinclair/typebox";
import type { Static, TObject, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { TypeCheck } from "@sinclair/typebox/compiler";

/** A request the client got wrong: 400 with the field and what was expected. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status: 400 | 413 | 415 = 400,
  ) {
    super(message);
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerOf<S extends TSchema>(schema: S): TypeCheck<S> {
  let checker = compiled.get(schema);
  if (checker === undefined) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker as TypeCheck<S>;
}

/** Parses `url`'s query string into the schema's type; unknown or repeated-scalar parameters are errors. */
export function parseQuery<S extends TObject>(schema: S, url: string): Static<S> {
  const queryStart = url.indexOf("?");
  if (queryStart === -1) return validate(schema, {}, "query");
  const params = new URLSearchParams(url.slice(queryStart + 1));
  const value: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const property = schema.properties[key];
    if (property === undefined) {
      throw new InputError(key, `${key} is not a parameter of this route, expected one of: ${Object.keys(schema.properties).join(", ") || "(none)"}`);
    }
    const raw = params.getAll(key);
    if (property[Kind] === "Array") {
      const items = (property as TSchema & { items: TSchema }).items;
      value[key] = raw.flatMap((each) => each.split(",")).map((each) => coerce(items, each));
    } else if (raw.length > 1) {
      throw new InputError(key, `${key} was given ${raw.length} times, expected once`);
    } else {
      value[key] = coerce(property, raw[0] ?? "");
    }
  }
  return validate(schema, value, "query");
}

/** Checks an already-parsed value (JSON body, path params) against the schema. */
export function validate<S extends TSchema>(schema: S, value: unknown, where: string): Static<S> {
  const checker = checkerOf(schema);
  if (checker.Check(value)) return value;
  const first = checker.Errors(value).First();
  // "/type/0" -> "type": the parameter is what the user typed, not the array slot.
  const segments = first ? first.path.split("/").filter((segment) => segment !== "" && !/^\d+$/.test(segment)) : [];
  const field = segments.length > 0 ? segments.join(".") : where;
  const shown = first ? describeValue(first.value) : describeValue(value);
  throw new InputError(field, `${field} was ${shown}, expected ${expectationOf(first?.schema ?? schema, first?.message)}`);
}

/** Reads a JSON object body of at most maxBytes; an empty body is `{}`. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new InputError("body", `body was ${declared} bytes, expected at most ${maxBytes}`, 413);
  const text = await readTextLimited(request, maxBytes);
  if (text.trim() === "") return {};
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new InputError("content-type", `content-type was ${JSON.stringify(type)}, expected application/json`, 415);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputError("body", "body was not valid JSON, expected a JSON object");
  }
}

async function readTextLimited(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new InputError("body", `body was more than ${maxBytes} bytes, expected at most ${maxBytes}`, 413);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** A daemon name, as config status.daemon_id allows it. */
export const DAEMON_ID_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";
/**
 * Free text without control characters: PostgreSQL text cannot hold U+0000 (the query would
 * fail as a 500), and a newline in an audit reason would forge log lines.
 */
export const PLAIN_TEXT_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$";
const PATTERN_WORDS: Readonly<Record<string, string>> = {
  [PLAIN_TEXT_PATTERN]: "without control characters (U+0000 to U+001F, U+007F)",
};

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Query strings are text; turn them into what the schema expects where that is unambiguous. */
function coerce(schema: TSchema, text: string): unknown {
  switch (schema[Kind]) {
    case "Integer":
      return INTEGER_TEXT.test(text) ? Number(text) : text;
    case "Number":
      return NUMBER_TEXT.test(text) ? Number(text) : text;
    case "Boolean":
      return text === "true" ? true : text === "false" ? false : text;
    default:
      return text;
  }
}

function expectationOf(schema: TSchema, typeboxMessage: string | undefined): string {
  const literals = literalsOf(schema);
  if (literals !== null) return `one of: ${literals.join(", ")}`;
  const limits: string[] = [];
  if (typeof schema.minimum === "number" && typeof schema.maximum === "number") limits.push(`from ${schema.minimum} to ${schema.maximum}`);
  else if (typeof schema.minimum === "number") limits.push(`>= ${schema.minimum}`);
  else if (typeof schema.maximum === "number") limits.push(`<= ${schema.maximum}`);
  if (typeof schema.minLength === "number") limits.push(`at least ${schema.minLength} characters`);
  if (typeof schema.maxLength === "number") limits.push(`at most ${schema.maxLength} characters`);
  if (typeof schema.pattern === "string") limits.push(PATTERN_WORDS[schema.pattern] ?? `matching ${schema.pattern}`);
  const kind = schema[Kind];
  const noun = kind === "Integer" ? "an integer" : kind === "Number" ? "a number" : kind === "Boolean" ? "true or false" : kind === "String" ? "text" : null;
  if (noun !== null) return [noun, ...limits].join(" ");
  if (typeof schema.description === "string") return schema.description;
  return (typeboxMessage ?? "a valid value").replace(/^Expected /, "").toLowerCase();
}

function literalsOf(schema: TSchema): string[] | null {
  if (schema[Kind] !== "Union") return null;
  const members = (schema as TSchema & { anyOf: TSchema[] }).anyOf;
  const values = members.map((member) => (member[Kind] === "Literal" ? String(member.const) : null));
  return values.every((value) => value !== null) ? (values as string[]) : null;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
