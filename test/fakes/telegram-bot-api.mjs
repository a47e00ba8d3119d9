// A fake Telegram Bot API for tests and local runs: the real URL scheme
// (/bot<token>/<method>, /file/bot<token>/<path>), the real request encodings (JSON, form,
// multipart) and the real response envelope ({ok, result} / {ok:false, error_code,
// description, parameters}). It records every call per bot token and can be told to fail.
// Control endpoints live under /__fake/ and are not part of Telegram's API.
import { createServer } from "node:http";

const bots = new Map();

function botFor(token) {
  let bot = bots.get(token);
  if (!bot) {
    const id = Number(token.split(":")[0]);
    // `messages`: what the bot sent, by `${chatId}:${messageId}`, so edits can be checked as Telegram does.
    bot = { id, calls: [], failures: [], files: new Map(), nextMessageId: 1, webhook: null, pending: [], messages: new Map(), answered: new Set(), commands: {} };
    bots.set(token, bot);
  }
  return bot;
}

const ok = (result) => ({ status: 200, body: { ok: true, result } });
const error = (status, description, parameters) => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

function readParams(req, raw) {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return raw.length ? JSON.parse(raw.toString("utf8")) : {};
  if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  if (type.includes("multipart/form-data")) {
    // Files travel as parts of their own, named by `attach://<name>` in the field that uses them.
    const params = parseMultipart(type, raw);
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === "string" && value.startsWith("attach://")) params[key] = params[value.slice("attach://".length)] ?? value;
    }
    return params;
  }
  return Object.fromEntries(new URL(req.url, "http://fake").searchParams);
}

/**
 * multipart/form-data as Telegram accepts it. Parsed by hand because clients differ in what they
 * quote: grammY writes `filename=brochure 2026.pdf` unquoted, which stricter parsers refuse.
 * File parts are recorded as {fileName, size, type, base64}.
 */
function parseMultipart(type, raw) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!boundary) throw new Error("multipart body without a boundary");
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2].trim()}`);
  const params = {};
  let at = raw.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === "--") break;
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    // A part is CRLF, headers, CRLF CRLF, content, CRLF (before the next delimiter).
    const part = raw.subarray(start + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const disposition = headers.split("\r\n").find((line) => /^content-disposition:/i.test(line)) ?? "";
    const name = /name="([^"]*)"|name=([^;\r\n]*)/i.exec(disposition.replace(/filename=.*/i, ""));
    const fileName = /filename="([^"]*)"|filename=([^;\r\n]*)/i.exec(disposition);
    const contentType = /^content-type:\s*(.*)$/im.exec(headers);
    const key = name ? (name[1] ?? name[2]).trim() : "";
    params[key] = fileName
      ? { fileName: (fileName[1] ?? fileName[2]).trim(), size: content.length, type: contentType?.[1].trim() ?? "", base64: content.toString("base64") }
      : content.toString("utf8");
    at = next;
  }
  return params;
}

function parseJsonField(value) {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function sentMessage(bot, params, extra) {
  const chatId = Number(params.chat_id);
  const message = {
    message_id: bot.nextMessageId++,
    from: { id: bot.id, is_bot: true, first_name: `Bot ${bot.id}`, username: `bot${bot.id}_bot` },
    chat: { id: chatId, type: chatId < 0 ? "group" : "private" },
    date: Math.floor(Date.now() / 1000),
    ...extra,
    ...(params.reply_markup ? { reply_markup: parseJsonField(params.reply_markup) } : {}),
  };
  const replyTo = parseJsonField(params.reply_parameters);
  if (replyTo?.message_id) message.reply_to_message = { message_id: Number(replyTo.message_id), chat: message.chat };
  bot.messages.set(`${chatId}:${message.message_id}`, message);
  return message;
}

const fileMessage = (bot, params, kind, field) =>
  ok(
    sentMessage(bot, params, {
      [field]: { file_id: `${kind}-${bot.nextMessageId}`, file_unique_id: `u${kind}-${bot.nextMessageId}` },
      ...(params.caption ? { caption: params.caption } : {}),
    }),
  );

const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** editMessageText / editMessageReplyMarkup on a message the bot sent, with Telegram's refusals. */
function edit(bot, params, change) {
  const key = `${Number(params.chat_id)}:${Number(params.message_id)}`;
  const message = bot.messages.get(key);
  if (!message) return error(400, "Bad Request: message to edit not found");
  const markup = params.reply_markup === undefined ? undefined : parseJsonField(params.reply_markup);
  const next = { ...message, ...change, edit_date: Math.floor(Date.now() / 1000) };
  if (markup === undefined || (markup.inline_keyboard && markup.inline_keyboard.length === 0)) delete next.reply_markup;
  else next.reply_markup = markup;
  const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (same(message.text, next.text) && same(message.reply_markup, next.reply_markup)) return error(400, NOT_MODIFIED);
  bot.messages.set(key, next);
  return ok(next);
}

function answer(bot, token, method, params) {
  if (token.endsWith(":invalid")) return error(401, "Unauthorized");
  const failure = bot.failures.find((f) => f.method === method && f.times > 0);
  if (failure) {
    failure.times -= 1;
    return error(failure.status, failure.description, failure.retryAfter ? { retry_after: failure.retryAfter } : undefined);
  }
  switch (method) {
    case "getMe":
      return ok({
        id: bot.id,
        is_bot: true,
        first_name: `Bot ${bot.id}`,
        username: `bot${bot.id}_bot`,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      });
    case "setWebhook":
      if (!params.url) return error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
      bot.webhook = { url: params.url, secretToken: params.secret_token ?? null };
      return ok(true);
    case "getUpdates": {
      if (bot.webhook) return error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      const offset = Number(params.offset ?? 0);
      bot.pending = bot.pending.filter((u) => u.update_id >= offset);
      return ok(bot.pending);
    }
    case "deleteWebhook":
      bot.webhook = null;
      return ok(true);
    case "sendMessage":
      if (!params.text) return error(400, "Bad Request: message text is empty");
      return ok(sentMessage(bot, params, { text: params.text }));
    case "sendPhoto":
      return ok(
        sentMessage(bot, params, {
          photo: [{ file_id: `photo-${bot.nextMessageId}`, file_unique_id: `uphoto-${bot.nextMessageId}`, width: 1, height: 1 }],
          ...(params.caption ? { caption: params.caption } : {}),
        }),
      );
    case "sendDocument":
      return fileMessage(bot, params, "doc", "document");
    case "sendVoice":
      return fileMessage(bot, params, "voice", "voice");
    case "sendAudio":
      return fileMessage(bot, params, "audio", "audio");
    case "sendVideo":
      return fileMessage(bot, params, "video", "video");
    case "copyMessage": {
      // Telegram answers a MessageId: the copy's id in the target chat. The source message was the
      // user's (the fake never saw it), so only its coordinates are checked.
      if (!params.from_chat_id || !params.message_id) return error(400, "Bad Request: message to copy not found");
      const copy = sentMessage(bot, params, { copy_of: { chat_id: Number(params.from_chat_id), message_id: Number(params.message_id) } });
      return ok({ message_id: copy.message_id });
    }
    case "getFile": {
      const file = bot.files.get(params.file_id);
      if (!file) return error(400, "Bad Request: invalid file_id");
      return ok({ file_id: params.file_id, file_unique_id: file.uniqueId, file_size: file.content.length, file_path: file.path });
    }
    case "answerCallbackQuery":
      // A callback query is answered once; later answers are refused, as Telegram does.
      if (!params.callback_query_id) return error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
      if (bot.answered.has(params.callback_query_id)) return error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
      bot.answered.add(params.callback_query_id);
      return ok(true);
    case "setMyCommands": {
      const scope = parseJsonField(params.scope) ?? { type: "default" };
      bot.commands[JSON.stringify(scope)] = parseJsonField(params.commands);
      return ok(true);
    }
    case "getMyCommands":
      return ok(bot.commands[JSON.stringify(parseJsonField(params.scope) ?? { type: "default" })] ?? []);
    case "editMessageText":
      if (!params.text) return error(400, "Bad Request: message text is empty");
      return edit(bot, params, { text: params.text });
    case "editMessageReplyMarkup":
      return edit(bot, params, {});
    default:
      return error(404, "Not Found");
  }
}

async function control(req, url, raw, res) {
  const send = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const token = url.searchParams.get("token");
  if (url.pathname === "/__fake/calls" && token) return send(200, botFor(token).calls);
  if (url.pathname === "/__fake/webhook" && token) return send(200, botFor(token).webhook);
  // The messages the bot sent to a chat as they stand now, oldest first.
  if (url.pathname === "/__fake/sent" && token) {
    const chat = url.searchParams.get("chat");
    const sent = [...botFor(token).messages.values()].filter((m) => String(m.chat.id) === chat);
    return send(200, sent.sort((a, b) => a.message_id - b.message_id));
  }
  // A message as it stands now, after its edits: what the user sees in the chat.
  if (url.pathname === "/__fake/message" && token) {
    return send(200, botFor(token).messages.get(`${url.searchParams.get("chat")}:${url.searchParams.get("id")}`) ?? null);
  }
  const body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
  if (url.pathname === "/__fake/fail") {
    botFor(body.token).failures.push({ times: 1, ...body });
    return send(200, { ok: true });
  }
  if (url.pathname === "/__fake/updates") {
    botFor(body.token).pending.push(body.update);
    return send(200, { ok: true });
  }
  if (url.pathname === "/__fake/files") {
    botFor(body.token).files.set(body.fileId, {
      uniqueId: body.uniqueId ?? `u-${body.fileId}`,
      path: body.filePath,
      content: Buffer.from(body.base64, "base64"),
    });
    return send(200, { ok: true });
  }
  return send(404, { error: "unknown control endpoint" });
}

export function startFakeTelegram(port = 0) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, "http://fake");
    if (url.pathname.startsWith("/__fake/")) return control(req, url, raw, res);

    const download = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (download) {
      const bot = botFor(decodeURIComponent(download[1]));
      const file = [...bot.files.values()].find((f) => f.path === download[2]);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.content.length });
      res.end(file.content);
      return;
    }

    const call = url.pathname.match(/^\/bot([^/]+)\/([A-Za-z]+)$/);
    if (!call) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
      return;
    }
    const token = decodeURIComponent(call[1]);
    const method = call[2];
    let params;
    try {
      params = readParams(req, raw);
    } catch (parseError) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: 400, description: `Bad Request: ${parseError.message}` }));
      return;
    }
    const bot = botFor(token);
    bot.calls.push({ method, params, at: Date.now() });
    const { status, body } = answer(bot, token, method, params);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({ port: address.port, url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// `node test/fakes/telegram-bot-api.mjs [port]` serves it for local runs.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeTelegram(Number(process.argv[2] ?? 8081));
  console.log(`fake Telegram Bot API on ${fake.url}`);
}
