// Contacts: list/search, create, read, update, merge, duplicate suggestions.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { cursorQuery, limitQuery, pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import {
  ContactDetailSchema,
  ContactFilters,
  ContactSchema,
  contactSorts,
  CreateContactBody,
  DuplicateGroupSchema,
  MergeBody,
  MergeResultSchema,
  UpdateContactBody,
} from "./contacts.schemas";
import {
  createContact,
  getContactDetail,
  listContacts,
  listDuplicates,
  toContactDto,
  updateContact,
} from "./contacts.service";
import { mergeContacts } from "./merge.service";

const tags = ["Contacts"];
const errors = { ...commonErrors, ...errorResponses(409) };

const listRoute = createRoute({
  method: "get",
  path: "/contacts",
  tags,
  summary: "List live contacts: search, filter, sort, cursor",
  security: bearerSecurity,
  request: {
    query: ContactFilters.extend({
      sort: z.enum(contactSorts).default("name").openapi({ description: "Field, `-` prefix for descending" }),
      limit: limitQuery,
      cursor: cursorQuery,
    }),
  },
  responses: { 200: jsonResponse(pageSchema(ContactSchema), "A page of contacts"), ...commonErrors },
});

const createContactRoute = createRoute({
  method: "post",
  path: "/contacts",
  tags,
  summary: "Create a contact (409 when a live contact has the same phone or e-mail)",
  security: bearerSecurity,
  request: jsonBody(CreateContactBody),
  responses: { 201: jsonResponse(ContactSchema, "The contact"), ...errors },
});

const duplicatesRoute = createRoute({
  method: "get",
  path: "/contacts/duplicates",
  tags,
  summary: "Groups of live contacts sharing a normalised phone or e-mail (merge suggestions)",
  security: bearerSecurity,
  request: { query: z.object({ limit: limitQuery, cursor: cursorQuery }) },
  responses: { 200: jsonResponse(pageSchema(DuplicateGroupSchema), "Duplicate groups"), ...commonErrors },
});

const getRoute = createRoute({
  method: "get",
  path: "/contacts/{id}",
  tags,
  summary: "A contact with identities, the caller's pin, open deals and last conversation. A merged id answers its tombstone (mergedIntoId says where it went).",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ContactDetailSchema, "The contact"), ...commonErrors },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/contacts/{id}",
  tags,
  summary: "Change some fields (null clears one)",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(UpdateContactBody) },
  responses: { 200: jsonResponse(ContactSchema, "The contact"), ...errors },
});

const mergeRoute = createRoute({
  method: "post",
  path: "/contacts/{id}/merge",
  tags,
  summary: "Merge source contacts into this one; `dryRun=true` previews without writing",
  security: bearerSecurity,
  request: {
    params: IdParams,
    query: z.object({ dryRun: z.enum(["true", "false"]).default("false").transform((v) => v === "true") }),
    ...jsonBody(MergeBody),
  },
  responses: { 200: jsonResponse(MergeResultSchema, "The merged (or previewed) target"), ...errors },
});

export const contactsRouter = createRouter()
  .openapi(listRoute, async (c) => c.json(await listContacts(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(createContactRoute, async (c) =>
    c.json(toContactDto(await createContact(c.var.db, c.var.caller, c.req.valid("json"))), 201),
  )
  .openapi(duplicatesRoute, async (c) => c.json(await listDuplicates(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(getRoute, async (c) => c.json(await getContactDetail(c.var.db, c.var.caller, c.req.valid("param").id), 200))
  .openapi(updateRoute, async (c) =>
    c.json(toContactDto(await updateContact(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json"))), 200),
  )
  .openapi(mergeRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { dryRun } = c.req.valid("query");
    return c.json(await mergeContacts(c.var.db, c.var.caller, id, c.req.valid("json").sourceIds, dryRun), 200);
  });
