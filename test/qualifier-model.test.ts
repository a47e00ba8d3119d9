import { describe, expect, it } from "vitest";
import committed from "../src/qualifier/model.generated.json";
import { buildModel, type LabelledConversation } from "../src/qualifier/training";

// The training splits A–D exactly as scripts/qualifier-train.mjs reads them (never split E).
const files = import.meta.glob<string>(["../bench/qualifier/data/*.jsonl", "../bench/qualifier/fresh/*.jsonl", "../bench/qualifier/fresh-c/*.jsonl", "../bench/qualifier/fresh-d/*.jsonl"], {
  query: "?raw",
  import: "default",
  eager: true,
});
const FOLDERS = ["data", "fresh", "fresh-c", "fresh-d"];
const LANGUAGES = ["en", "es", "pt", "de", "fr", "ru"];

function trainingConversations(): LabelledConversation[] {
  return FOLDERS.flatMap((folder) =>
    LANGUAGES.flatMap((language) => {
      const text = files[`../bench/qualifier/${folder}/${language}.jsonl`];
      if (text === undefined) throw new Error(`bench/qualifier/${folder}/${language}.jsonl is missing`);
      return text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as LabelledConversation);
    }),
  );
}

describe("the offline model's weights", () => {
  it("are what npm run qualifier:train produces from splits A–D (training is deterministic)", () => {
    const conversations = trainingConversations();
    expect(conversations).toHaveLength(720);
    const { model } = buildModel(conversations);
    expect(model.temperature).toBe(committed.temperature);
    expect(model.bias).toEqual(committed.bias);
    expect(Object.keys(model.weights)).toEqual(Object.keys(committed.weights));
    expect(JSON.stringify(model)).toBe(JSON.stringify(committed));
  }, 120_000);
});
