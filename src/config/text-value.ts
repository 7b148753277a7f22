// Environment variables and `--set` give text; this turns it into the leaf's type.
// Text that does not parse is returned as-is so validation reports "was "abc", expected ...".
import { KindGuard } from "@sinclair/typebox";
import type { TSchema } from "@sinclair/typebox";

const NUMBER_TEXT = /^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const TRUE_TEXT = new Set(["true", "1", "yes", "on"]);
const FALSE_TEXT = new Set(["false", "0", "no", "off"]);

export function parseTextValue(schema: TSchema, text: string): unknown {
  const trimmed = text.trim();
  if (KindGuard.IsInteger(schema) || KindGuard.IsNumber(schema)) {
    return NUMBER_TEXT.test(trimmed) ? Number(trimmed.replaceAll("_", "")) : text;
  }
  if (KindGuard.IsBoolean(schema)) {
    const lower = trimmed.toLowerCase();
    if (TRUE_TEXT.has(lower)) return true;
    if (FALSE_TEXT.has(lower)) return false;
    return text;
  }
  if (KindGuard.IsArray(schema)) {
    return trimmed === "" ? [] : trimmed.split(",").map((item) => parseTextValue(schema.items, item.trim()));
  }
  if (KindGuard.IsUnion(schema)) return trimmed;
  return text;
}
