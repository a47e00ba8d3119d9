// Raw RFC 822 fixtures, imported as text (Vite's ?raw).
declare module "*.eml?raw" {
  const content: string;
  export default content;
}

// The Qualifier's hand-written conversations (bench/qualifier/), one JSON object a line.
declare module "*.jsonl?raw" {
  const content: string;
  export default content;
}

/** Vite's import.meta.glob, as the tests use it (eager, one export of each file). */
interface ImportMeta {
  glob<T>(patterns: string | string[], options: { query?: string; import?: string; eager: true }): Record<string, T>;
}
