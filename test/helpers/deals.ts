// Fixtures for pipeline, deal and event tests. There is no contacts API on this branch yet, so
// contacts are inserted straight into D1.
import { env } from "cloudflare:workers";
import { type Client, newWorkspace } from "./api";

export async function insertContact(workspaceId: number, name = "Contact"): Promise<number> {
  const now = Date.now();
  const row = await env.DB.prepare("INSERT INTO contacts (workspace_id, name, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id")
    .bind(workspaceId, name, now, now)
    .first<{ id: number }>();
  return row!.id;
}

export interface Stage {
  id: number;
  name: string;
  sortIndex: number;
}

export interface Pipeline {
  id: number;
  name: string;
  stages: Stage[];
}

/** The "Sales" pipeline every new workspace starts with. */
export async function defaultPipeline(api: Client): Promise<Pipeline> {
  const res = await api.get("/v1/pipelines");
  if (res.status !== 200) throw new Error(`pipelines: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data[0];
}

/** A fresh workspace with one contact and its default pipeline, and a way to open deals in it. */
export async function newSalesWorkspace() {
  const ws = await newWorkspace();
  const contactId = await insertContact(ws.workspace.id, "Ada Lovelace");
  const pipeline = await defaultPipeline(ws.owner);
  return {
    ...ws,
    contactId,
    pipeline,
    async createDeal(body: Record<string, unknown> = {}, api: Client = ws.owner) {
      const res = await api.post("/v1/deals", { contactId, pipelineId: pipeline.id, ...body });
      if (res.status !== 201) throw new Error(`deal creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: number; stageId: number; status: string; [key: string]: unknown };
    },
  };
}
