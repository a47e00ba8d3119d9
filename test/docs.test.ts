// GET /docs works anywhere: the API reference's script is one of the Worker's own static assets,
// and the page references no other origin (no CDN, no web fonts).
import { describe, expect, it } from "vitest";
import { request } from "./helpers/api";

describe("GET /docs", () => {
  it("references nothing outside the Worker's own origin", async () => {
    const res = await request("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = String(res.body);
    expect(html).toContain("/openapi.json");
    // Every URL the page names, in attributes or in its inline scripts and styles.
    const urls = [...html.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    const absolute = [...html.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*/gi)].map((m) => m[0]);
    expect(absolute, "absolute URLs in the page").toEqual([]);
    expect(urls.every((u) => u.startsWith("/") && !u.startsWith("//")), JSON.stringify(urls)).toBe(true);
    // Without the default fonts, which the bundle would fetch from another origin.
    expect(html).toMatch(/"withDefaultFonts":\s*false/);
  });

  it("serves the script the page loads, from the Worker's static assets", async () => {
    const html = String((await request("GET", "/docs")).body);
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(["/docs/scalar-api-reference.js"]);
    const script = await request("GET", scripts[0]!);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(String(script.body).length).toBeGreaterThan(1_000_000);
    expect(String(script.body)).toContain("createApiReference");
  });
});
