// TOML text for one config value. JSON string escapes are valid TOML basic-string escapes.
export function tomlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`tomlValue: cannot write ${typeof value} as a config value`);
}

/** `# text` lines, wrapped near `width` columns so the file reads well in a terminal. */
export function commentLines(text: string, width = 88): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(/\s+/).filter((part) => part !== "")) {
    if (line.length + word.length + 1 > width && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  if (line !== "#") lines.push(line);
  return lines;
}
