// Jobs: status and progress of background work, the caller's job list, a job's result file.
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, IdParams, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { JobSchema, ListJobsQuery } from "./jobs.schemas";
import { getJob, jobFileResponse, listJobs, toJobDto } from "./jobs.service";

const tags = ["Jobs"];

const listRoute = createRoute({
  method: "get",
  path: "/jobs",
  tags,
  summary: "The caller's jobs, newest first; filter by kind and status",
  security: bearerSecurity,
  request: { query: ListJobsQuery },
  responses: { 200: jsonResponse(pageSchema(JobSchema), "A page of jobs"), ...commonErrors },
});

const getRoute = createRoute({
  method: "get",
  path: "/jobs/{id}",
  tags,
  summary: "A job: status, progress while it runs, result, file",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(JobSchema, "The job"), ...commonErrors },
});

const fileRoute = createRoute({
  method: "get",
  path: "/jobs/{id}/file",
  tags,
  summary: "Download the job's file (an export, or an import's error report); 404 when it has none",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: {
    200: {
      description: "The file",
      content: {
        "text/csv": { schema: { type: "string" } },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: { type: "string", format: "binary" } },
      },
    },
    ...commonErrors,
  },
});

export const jobsRouter = createRouter()
  .openapi(listRoute, async (c) => c.json(await listJobs(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(getRoute, async (c) => c.json(toJobDto(await getJob(c.var.db, c.var.caller, c.req.valid("param").id)), 200))
  .openapi(fileRoute, async (c) => jobFileResponse(c.var.db, c.env.FILES, c.var.caller, c.req.valid("param").id));
