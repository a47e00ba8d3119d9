// Direct row access for arranging and checking state the API of this module does not expose.
import { env } from "cloudflare:workers";

export async function one<T>(query: string, ...params: unknown[]): Promise<T> {
  const row = await env.DB.prepare(query).bind(...params).first<T>();
  if (row === null) throw new Error(`no row for: ${query}`);
  return row;
}

export async function all<T>(query: string, ...params: unknown[]): Promise<T[]> {
  return (await env.DB.prepare(query).bind(...params).all<T>()).results;
}

export async function count(query: string, ...params: unknown[]): Promise<number> {
  return (await one<{ n: number }>(query, ...params)).n;
}
