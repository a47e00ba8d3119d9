// The API reference's browser bundle, copied from node_modules into the Worker's static assets
// (public/, git-ignored), so GET /docs needs no CDN and the Worker bundle does not grow.
// Runs before `npm run dev`, `npm test` (and any vitest run: vitest.config.ts), `npm run bench`
// and `npm run deploy`; cheap when the copy is already current.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** What /docs loads: public path → file under node_modules. */
export const DOCS_ASSETS = {
  "docs/scalar-api-reference.js": "node_modules/@scalar/api-reference/dist/browser/standalone.js",
};

export function copyDocsAssets() {
  for (const [target, source] of Object.entries(DOCS_ASSETS)) {
    const from = join(root, source);
    const to = join(root, "public", target);
    if (!existsSync(from)) throw new Error(`${source} is missing: run npm install`);
    if (existsSync(to) && statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyDocsAssets();
