// Types of scripts/copy-docs-assets.mjs, which vitest.config.ts imports.
export declare const DOCS_ASSETS: Record<string, string>;
export declare function copyDocsAssets(): void;
