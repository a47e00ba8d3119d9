// A stand-in for the Workers AI binding in the "workers-ai" test project: an auxiliary Worker
// whose RPC method `run(model, inputs)` answers like `env.AI.run` in JSON mode. What it answers
// is chosen by a directive in the conversation it is shown — `[ai:ok:<kind>]`, `[ai:string:<kind>]`,
// `[ai:low:<kind>]`, `[ai:malformed]`, `[ai:badkind]`, `[ai:throw]`, `[ai:slow]`, `[ai:echo]` —
// so each test drives it through the real job, with no state shared between tests.
import { WorkerEntrypoint } from "cloudflare:workers";

export default class WorkersAiStub extends WorkerEntrypoint {
  async run(model, inputs) {
    const conversation = inputs.messages?.find((m) => m.role === "user")?.content ?? "";
    const keys = inputs.response_format?.json_schema?.properties?.kindKey?.enum ?? [];
    const [, directive, kind] = /\[ai:(\w+)(?::(\w+))?\]/.exec(conversation) ?? [];
    switch (directive) {
      case "ok":
        return { response: { kindKey: kind, confidence: 0.9, reason: "The contact asks for help with an existing order." } };
      case "string":
        return { response: JSON.stringify({ kindKey: kind, confidence: 0.8, reason: "Answered as a JSON string." }) };
      case "low":
        return { response: { kindKey: kind, confidence: 0.1, reason: "Hard to tell." } };
      case "malformed":
        return { response: "I think this one is a hot lead!" };
      case "badkind":
        return { response: { kindKey: "platinum", confidence: 0.9, reason: "A kind the workspace does not have." } };
      case "throw":
        throw new Error("3040: Capacity temporarily exceeded, please try again.");
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        return { response: { kindKey: keys[0], confidence: 0.9, reason: "Too late." } };
      case "echo":
        return {
          response: {
            kindKey: keys[0],
            confidence: 0.9,
            reason: JSON.stringify({
              model,
              keys,
              formatType: inputs.response_format?.type,
              required: inputs.response_format?.json_schema?.required,
              roles: inputs.messages?.map((m) => m.role),
              temperature: inputs.temperature,
            }).slice(0, 300),
          },
        };
      default:
        return { response: { kindKey: "warm", confidence: 0.7, reason: "No directive." } };
    }
  }
}
