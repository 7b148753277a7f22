import { expect, test } from "bun:test";
import { canonicalJson } from "../../../src/config/config-hash.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { maskSecret } from "../../../src/config/secret-mask.ts";
import { makeSandbox } from "./config-fixture.ts";

const cwd = "/nonexistent-gs-test-dir";

test("canonical JSON does not depend on key order", () => {
  expect(canonicalJson({ b: 1, a: { d: [1, "x"], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, "x"] }, b: 1 }));
});

test("configHash depends on effective values only, not on where they came from", () => {
  const sandbox = makeSandbox();
  try {
    const file = sandbox.write("gs.toml", "[hedge]\ncooldown_s = 30\n");
    const fromFile = loadConfig({ cwd, env: {}, configPath: file }).configHash;
    const fromEnv = loadConfig({ cwd, env: { GS_HEDGE_COOLDOWN_S: "30" } }).configHash;
    const defaults = loadConfig({ cwd, env: {} }).configHash;
    expect(fromFile).toMatch(/^[0-9a-f]{64}$/);
    expect(fromFile).toBe(fromEnv);
    expect(fromFile).not.toBe(defaults);
  } finally {
    sandbox.remove();
  }
});

test("a changed secret changes the hash", () => {
  const one = loadConfig({ cwd, env: { GS_SERVER_TOKEN: "one" } }).configHash;
  const two = loadConfig({ cwd, env: { GS_SERVER_TOKEN: "two" } }).configHash;
  expect(one).not.toBe(two);
});

test.each([
  ["", ""],
  ["s3cret-token", "****"],
  ["postgres://gs:hunter2@db.example:5432/gs", "postgres://gs:****@db.example:5432/gs"],
  ["postgresql://gs@db.example/gs", "postgresql://gs@db.example/gs"],
  ["not a url hunter2", "****"],
])("maskSecret(%p) = %p", (value, masked) => {
  expect(maskSecret(value)).toBe(masked);
});
