// Attachments: files in R2 (under a workspace prefix) with their kind, name, type and size. Uploaded
// first, then claimed by the message that carries them; downloads need a user of the workspace.
import { and, eq, inArray, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { attachmentKinds, messageAttachments } from "../../db/schema";
import type { Caller } from "../../env";
import { chunks } from "../../lib/chunks";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { Viewer } from "../conversations/conversations.service";
import { append, appendIfChanged, newestId } from "../events/event-log";
import { findMessage } from "../messages/message-access";

export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** Attachments one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 20;

export type AttachmentRow = typeof messageAttachments.$inferSelect;
export type AttachmentKind = (typeof attachmentKinds)[number];

export const toAttachmentDto = (a: AttachmentRow) => ({
  id: a.id,
  messageId: a.messageId,
  kindKey: a.kindKey,
  fileName: a.fileName,
  contentType: a.contentType,
  sizeBytes: a.sizeBytes,
  url: `/v1/attachments/${a.id}`,
  createdAt: iso(a.createdAt),
});

export function attachmentKindOf(contentType: string): AttachmentKind {
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  if (essence.startsWith("image/")) return "image";
  if (essence.startsWith("video/")) return "video";
  if (essence.startsWith("audio/")) return "audio";
  return "document";
}

/** Every object of a workspace lives under this prefix. */
export const workspaceFilePrefix = (workspaceId: number) => `ws/${workspaceId}/`;

/** The last path segment, without control characters; never empty. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base.slice(0, 255) || "file";
}

export interface Upload {
  data: ArrayBuffer;
  fileName: string;
  contentType: string;
  /** Where the file came from in the request, for error details (`body.file`, `body`). */
  field: string;
}

export async function storeAttachment(db: Db, files: R2Bucket, caller: Caller, upload: Upload): Promise<AttachmentRow> {
  const sizeBytes = upload.data.byteLength;
  if (sizeBytes === 0) throw invalidField(upload.field, "the file is empty");
  if (sizeBytes > MAX_ATTACHMENT_BYTES) {
    throw new AppError("payload_too_large", `files are limited to ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
  }
  const contentType = upload.contentType.slice(0, 200);
  const fileName = cleanFileName(upload.fileName);
  const key = `${workspaceFilePrefix(caller.workspaceId)}attachments/${crypto.randomUUID()}`;
  await files.put(key, upload.data, { httpMetadata: { contentType } });
  const now = Date.now();
  try {
    const [[row]] = await db.batch([
      db
        .insert(messageAttachments)
        .values({
          workspaceId: caller.workspaceId,
          kindKey: attachmentKindOf(contentType),
          url: key,
          fileName,
          contentType,
          sizeBytes,
          uploadedByUserId: caller.userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      append(db, {
        workspaceId: caller.workspaceId,
        typeKey: "attachment.uploaded",
        entityTypeKey: "attachment",
        entityId: newestId(messageAttachments),
        actorUserId: caller.userId,
        payload: { fileName, contentType, sizeBytes },
        createdAt: now,
      }),
    ]);
    return row!;
  } catch (error) {
    // No row points at the object: do not leave it behind.
    await files.delete(key);
    throw error;
  }
}

/** The attachment and its R2 object, for a user who may see the message carrying it. */
export async function openAttachment(db: Db, files: R2Bucket, viewer: Viewer, id: number) {
  const [row] = await db
    .select()
    .from(messageAttachments)
    .where(and(eq(messageAttachments.workspaceId, viewer.workspaceId), eq(messageAttachments.id, id)));
  if (!row) throw notFound("attachment");
  if (row.messageId !== null) {
    await findMessage(db, viewer, row.messageId).catch(() => {
      throw notFound("attachment");
    });
  }
  const object = await files.get(row.url);
  if (!object) throw notFound("attachment");
  return { row, object };
}

/**
 * Refuse, by position (`body.attachmentIds.N`), any id that is not an unattached upload of the
 * caller's: another user's, another workspace's, or one a message already carries.
 */
export async function assertAttachable(db: Db, caller: Caller, ids: number[]): Promise<void> {
  const found = new Map<number, AttachmentRow>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db
      .select()
      .from(messageAttachments)
      .where(and(eq(messageAttachments.workspaceId, caller.workspaceId), inArray(messageAttachments.id, part)));
    for (const row of rows) found.set(row.id, row);
  }
  ids.forEach((id, i) => {
    const path = `body.attachmentIds.${i}`;
    const row = found.get(id);
    if (!row || row.uploadedByUserId !== caller.userId) throw invalidField(path, `attachment ${id} is not an upload of yours`);
    if (row.messageId !== null) throw invalidField(path, `attachment ${id} is already attached to message ${row.messageId}`);
    if (ids.indexOf(id) !== i) throw invalidField(path, `attachment ${id} is listed twice`);
  });
}

/** The UPDATE that hands the caller's unattached uploads to a message (batched with its insert). */
export function attachStatement(db: Db, caller: Caller, ids: number[], messageId: SQL | number, now: number) {
  return db
    .update(messageAttachments)
    .set({ messageId, updatedAt: now })
    .where(
      and(
        eq(messageAttachments.workspaceId, caller.workspaceId),
        eq(messageAttachments.uploadedByUserId, caller.userId),
        isNull(messageAttachments.messageId),
        inArray(messageAttachments.id, ids),
      ),
    );
}

/**
 * A file a provider sent with an inbound message, fetched after the message was stored (queue
 * work): into R2 under `key` and onto the message. The key is the caller's idempotency: a file
 * whose key the message already carries is not stored twice.
 */
export async function storeReceivedFile(
  db: Db,
  files: R2Bucket,
  file: { workspaceId: number; messageId: number; key: string; data: ArrayBuffer; fileName: string; contentType: string; source: string },
): Promise<AttachmentRow> {
  if (!file.key.startsWith(workspaceFilePrefix(file.workspaceId))) throw new Error(`attachment key ${file.key} is outside workspace ${file.workspaceId}`);
  const contentType = file.contentType.slice(0, 200);
  const fileName = cleanFileName(file.fileName);
  const sizeBytes = file.data.byteLength;
  await files.put(file.key, file.data, { httpMetadata: { contentType } });
  const now = Date.now();
  const [[row]] = await db.batch([
    db
      .insert(messageAttachments)
      .values({
        workspaceId: file.workspaceId,
        messageId: file.messageId,
        kindKey: attachmentKindOf(contentType),
        url: file.key,
        fileName,
        contentType,
        sizeBytes,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning(),
    appendIfChanged(db, {
      workspaceId: file.workspaceId,
      typeKey: "attachment.received",
      entityTypeKey: "attachment",
      entityId: newestId(messageAttachments),
      actorUserId: null,
      payload: { messageId: file.messageId, fileName, contentType, sizeBytes, source: file.source },
      createdAt: now,
    }),
  ]);
  if (row) return row;
  // Stored meanwhile by another run of the same task: that row is this file.
  const [stored] = await db
    .select()
    .from(messageAttachments)
    .where(and(eq(messageAttachments.workspaceId, file.workspaceId), eq(messageAttachments.url, file.key)));
  return stored!;
}
