// Scores and qualifications of contacts and conversations, and the workspace's qualification kinds.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { JobSchema } from "../jobs/jobs.schemas";
import { toJobDto } from "../jobs/jobs.service";
import { requestContactClassification, requestConversationClassification } from "./classification.service";
import {
  QualificationBody,
  QualificationKindSchema,
  QualificationStateSchema,
  ScoreBody,
  ScoreStateSchema,
} from "./qualification.schemas";
import {
  getContactQualification,
  getContactScore,
  getConversationQualification,
  getConversationScore,
  listQualificationKinds,
  setContactQualification,
  setContactScore,
  setConversationQualification,
  setConversationScore,
} from "./qualification.service";

const tags = ["Qualification"];
const errors = { ...commonErrors, ...errorResponses(409) };

const listKindsRoute = createRoute({
  method: "get",
  path: "/qualification-kinds",
  tags,
  summary: "The workspace's qualification kinds, in display order",
  security: bearerSecurity,
  responses: { 200: jsonResponse(z.object({ data: z.array(QualificationKindSchema) }), "Kinds"), ...commonErrors },
});

const getScoreRoute = createRoute({
  method: "get",
  path: "/contacts/{id}/score",
  tags,
  summary: "A contact's effective score and its recent history",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ScoreStateSchema, "Score"), ...errors },
});

const setScoreRoute = createRoute({
  method: "put",
  path: "/contacts/{id}/score",
  tags,
  summary: "Score a contact 1–5 (appends history; a user's score overrides the AI's)",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(ScoreBody) },
  responses: { 200: jsonResponse(ScoreStateSchema, "Score after the change"), ...errors },
});

const getQualificationRoute = createRoute({
  method: "get",
  path: "/contacts/{id}/qualification",
  tags,
  summary: "A contact's effective qualification, whether a user override is in force, and history",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(QualificationStateSchema, "Qualification"), ...errors },
});

const setQualificationRoute = createRoute({
  method: "put",
  path: "/contacts/{id}/qualification",
  tags,
  summary: "Qualify a contact (a sticky user override: later AI classifications do not replace it)",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(QualificationBody) },
  responses: { 200: jsonResponse(QualificationStateSchema, "Qualification after the change"), ...errors },
});

const clearQualificationRoute = createRoute({
  method: "delete",
  path: "/contacts/{id}/qualification",
  tags,
  summary: "Clear the user override; the latest AI classification applies again",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(QualificationStateSchema, "Qualification after the change"), ...errors },
});

const getConversationScoreRoute = createRoute({
  method: "get",
  path: "/conversations/{id}/score",
  tags,
  summary: "A conversation's effective score and its recent history",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ScoreStateSchema, "Score"), ...commonErrors },
});

const setConversationScoreRoute = createRoute({
  method: "put",
  path: "/conversations/{id}/score",
  tags,
  summary: "Score a conversation 1–5 (appends history; a user's score overrides the AI's)",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(ScoreBody) },
  responses: { 200: jsonResponse(ScoreStateSchema, "Score after the change"), ...commonErrors },
});

const getConversationQualificationRoute = createRoute({
  method: "get",
  path: "/conversations/{id}/qualification",
  tags,
  summary: "A conversation's effective qualification, whether a user override is in force, and history",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(QualificationStateSchema, "Qualification"), ...commonErrors },
});

const setConversationQualificationRoute = createRoute({
  method: "put",
  path: "/conversations/{id}/qualification",
  tags,
  summary: "Qualify a conversation (a sticky user override: later AI classifications do not replace it)",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(QualificationBody) },
  responses: { 200: jsonResponse(QualificationStateSchema, "Qualification after the change"), ...commonErrors },
});

const clearConversationQualificationRoute = createRoute({
  method: "delete",
  path: "/conversations/{id}/qualification",
  tags,
  summary: "Clear the user override on a conversation; the latest AI classification applies again",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(QualificationStateSchema, "Qualification after the change"), ...commonErrors },
});

const classifyConversationRoute = createRoute({
  method: "post",
  path: "/conversations/{id}/classify",
  tags,
  summary:
    "Ask the Qualifier to classify a conversation and its contact now; answers 202 with the classify_conversation job (its result says which classifier decided)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 202: jsonResponse(JobSchema, "The queued job"), ...errors },
});

const classifyContactRoute = createRoute({
  method: "post",
  path: "/contacts/{id}/classify",
  tags,
  summary: "Ask the Qualifier to classify a contact from its latest conversation; answers 202 with the job (409 when it has no conversation)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 202: jsonResponse(JobSchema, "The queued job"), ...errors },
});

export const qualificationRouter = createRouter()
  .openapi(classifyConversationRoute, async (c) =>
    c.json(toJobDto(await requestConversationClassification(c.var.db, c.env, c.var.caller, c.req.valid("param").id)), 202),
  )
  .openapi(classifyContactRoute, async (c) =>
    c.json(toJobDto(await requestContactClassification(c.var.db, c.env, c.var.caller, c.req.valid("param").id)), 202),
  )
  .openapi(listKindsRoute, async (c) => c.json({ data: await listQualificationKinds(c.var.db, c.var.caller.workspaceId) }, 200))
  .openapi(getScoreRoute, async (c) =>
    c.json(await getContactScore(c.var.db, c.var.caller, c.req.valid("param").id), 200),
  )
  .openapi(setScoreRoute, async (c) =>
    c.json(await setContactScore(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json").value), 200),
  )
  .openapi(getQualificationRoute, async (c) =>
    c.json(await getContactQualification(c.var.db, c.var.caller, c.req.valid("param").id), 200),
  )
  .openapi(setQualificationRoute, async (c) =>
    c.json(
      await setContactQualification(c.var.db, c.var.caller, c.req.valid("param").id, {
        kindKey: c.req.valid("json").kindKey,
      }),
      200,
    ),
  )
  .openapi(clearQualificationRoute, async (c) =>
    c.json(await setContactQualification(c.var.db, c.var.caller, c.req.valid("param").id, { kindKey: null }), 200),
  )
  .openapi(getConversationScoreRoute, async (c) =>
    c.json(await getConversationScore(c.var.db, c.var.caller, c.req.valid("param").id), 200),
  )
  .openapi(setConversationScoreRoute, async (c) =>
    c.json(await setConversationScore(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json").value), 200),
  )
  .openapi(getConversationQualificationRoute, async (c) =>
    c.json(await getConversationQualification(c.var.db, c.var.caller, c.req.valid("param").id), 200),
  )
  .openapi(setConversationQualificationRoute, async (c) =>
    c.json(
      await setConversationQualification(c.var.db, c.var.caller, c.req.valid("param").id, {
        kindKey: c.req.valid("json").kindKey,
      }),
      200,
    ),
  )
  .openapi(clearConversationQualificationRoute, async (c) =>
    c.json(await setConversationQualification(c.var.db, c.var.caller, c.req.valid("param").id, { kindKey: null }), 200),
  );
