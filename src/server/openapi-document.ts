// /openapi.json built from the route catalog (the same schemas the routes validate with),
// and /docs: a self-contained HTML rendering of it (no CDN, works offline and in the binary).
import type { TObject, TSchema } from "@sinclair/typebox";
import { ROUTE_LIST } from "./route-catalog.ts";
import type { RouteSpec } from "./route-catalog.ts";

type JsonObject = Record<string, unknown>;

export function buildOpenApiDocument(version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of ROUTE_LIST) {
    const path = route.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "gs status and control API",
      version,
      description:
        "Read routes need no token on a loopback bind and `Authorization: Bearer <token>` otherwise; control routes always need it. Errors are JSON `{error, field?, message}`.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}

function operationOf(route: RouteSpec): JsonObject {
  const parameters = [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")];
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const contentType = response.contentType ?? "application/json";
    responses[status] = {
      description: response.description,
      ...(response.schema === undefined && contentType === "application/json" ? {} : { content: { [contentType]: response.schema === undefined ? {} : { schema: plain(response.schema) } } }),
    };
  }
  return {
    summary: route.summary,
    "x-access": route.access,
    // read routes: token optional on a loopback bind ({}), required otherwise
    ...(route.access === "public" ? {} : { security: route.access === "read" ? [{}, { bearer: [] }] : [{ bearer: [] }] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined ? {} : { requestBody: { required: false, content: { "application/json": { schema: plain(route.body) } } } }),
    responses,
  };
}

function parametersOf(schema: TObject | undefined, location: "path" | "query"): JsonObject[] {
  if (schema === undefined) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: plain(property),
    ...(property.type === "array" ? { style: "form", explode: true } : {}),
  }));
}

/** TypeBox schemas are JSON Schema plus symbol keys; JSON round-trip drops the symbols. */
function plain(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}

export function renderApiDocsPage(document: JsonObject): string {
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation.parameters as JsonObject[] | undefined) ?? [];
      const rows = parameters
        .map((parameter) => `<tr><td><code>${escapeHtml(String(parameter.name))}</code></td><td>${escapeHtml(String(parameter.in))}</td><td>${escapeHtml(String(parameter.description ?? ""))}</td><td><code>${escapeHtml(JSON.stringify(parameter.schema))}</code></td></tr>`)
        .join("");
      const responses = Object.entries(operation.responses as Record<string, JsonObject>)
        .map(([status, response]) => `<li><b>${status}</b> ${escapeHtml(String(response.description))}</li>`)
        .join("");
      const body = operation.requestBody === undefined ? "" : `<details><summary>JSON body</summary><pre>${escapeHtml(JSON.stringify(operation.requestBody, null, 2))}</pre></details>`;
      const schemas = Object.values(operation.responses as Record<string, JsonObject>)
        .filter((response) => response.content !== undefined)
        .map((response) => `<details><summary>Response schema: ${escapeHtml(String(response.description))}</summary><pre>${escapeHtml(JSON.stringify(response.content, null, 2))}</pre></details>`)
        .join("");
      sections.push(
        `<section><h2><span class="method">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <span class="access">${escapeHtml(String(operation["x-access"]))}</span></h2><p>${escapeHtml(String(operation.summary))}</p>${rows === "" ? "" : `<table><tr><th>Parameter</th><th>In</th><th>Meaning</th><th>Schema</th></tr>${rows}</table>`}${body}<ul>${responses}</ul>${schemas}</section>`,
      );
    }
  }
  const info = document.info as JsonObject;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gs API</title><link rel="stylesheet" href="/dashboard.css"></head><body class="docs"><header><h1>${escapeHtml(String(info.title))} <small>${escapeHtml(String(info.version))}</small></h1><p>${escapeHtml(String(info.description))} Machine-readable: <a href="/openapi.json">/openapi.json</a>. Dashboard: <a href="/">/</a>.</p></header>${sections.join("")}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
