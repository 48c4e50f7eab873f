/**
 * One HTTP call with the client's retry policy.
 *
 * Retried, at most `maxRetries` times with exponential backoff and full jitter:
 * - 429, waiting the server's `Retry-After` (a 429 is refused before anything is done, so
 *   every request may repeat it); one longer than `maxRetryAfter` is thrown at once;
 * - for requests that are safe to repeat (reads, cancels, and submits, which carry an
 *   `Idempotency-Key` so a repeat returns the same job): connection errors, request
 *   timeouts, 5xx answers marked `retryable`, and 502/503/504 from a proxy.
 */

import { APIConnectionError, errorFor, ReelsmithError } from "./errors.js";
import { isNode, sleep } from "./platform.js";

export const VERSION = "0.1.0";

export interface TransportOptions {
  apiKey?: string | undefined;
  baseUrl: string;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Per-attempt timeout in milliseconds (default 60 000). */
  requestTimeout?: number;
  /** The longest `Retry-After` (seconds) the client waits out by itself (default 60). */
  maxRetryAfter?: number;
  /** First backoff step in milliseconds (default 500; doubles each retry, at most 8 s). */
  retryBaseDelay?: number;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  json?: unknown;
  /** A body built afresh for each attempt (FormData and streams are consumed by a send). */
  body?: () => BodyInit | Promise<BodyInit>;
  headers?: Record<string, string>;
  /** Safe to send again after a broken connection or a retryable 5xx. */
  idempotent: boolean;
  signal?: AbortSignal | undefined;
  /** The answer's bytes (a Uint8Array, redirects followed) instead of JSON. */
  binary?: boolean;
}

export interface Answer<T> {
  data: T;
  status: number;
  headers: Headers;
}

const RETRYABLE_GATEWAY = new Set([502, 503, 504]);
const MAX_BACKOFF_MS = 8_000;

export class Transport {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly maxRetries: number;
  readonly requestTimeout: number;
  readonly maxRetryAfter: number;
  readonly retryBaseDelay: number;
  readonly fetchImpl: typeof fetch;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.requestTimeout = options.requestTimeout ?? 60_000;
    this.maxRetryAfter = options.maxRetryAfter ?? 60;
    this.retryBaseDelay = options.retryBaseDelay ?? 500;
    const impl = options.fetch ?? (globalThis as any).fetch;
    if (typeof impl !== "function") {
      throw new Error("No fetch in this environment: pass options.fetch (Node ≥ 18 has one).");
    }
    this.fetchImpl = impl.bind(globalThis);
  }

  url(path: string, query?: CallOptions["query"]): string {
    const url = new URL(path.startsWith("http") ? path : `${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  headers(extra?: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { Accept: "application/json", ...extra };
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    if (isNode()) headers["User-Agent"] = `reelsmith-typescript/${VERSION}`;
    return headers;
  }

  /** The backoff before retry number `attempt` (0-based): full jitter. */
  backoff(attempt: number): number {
    const ceiling = Math.min(MAX_BACKOFF_MS, this.retryBaseDelay * 2 ** attempt);
    return Math.random() * ceiling;
  }

  async call<T>(options: CallOptions): Promise<Answer<T>> {
    const url = this.url(options.path, options.query);
    for (let attempt = 0; ; attempt++) {
      const headers = this.headers(options.binary ? { Accept: "*/*", ...options.headers } : options.headers);
      let body: BodyInit | undefined;
      if (options.json !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(options.json);
      } else if (options.body) {
        body = await options.body();
      }
      const timeout = AbortSignal.timeout(this.requestTimeout);
      const signal = options.signal ? anySignal([options.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method: options.method, headers, body, signal });
      } catch (cause) {
        if (options.signal?.aborted) throw options.signal.reason;
        const timedOut = timeout.aborted;
        if (options.idempotent && attempt < this.maxRetries) {
          await sleep(this.backoff(attempt), options.signal);
          continue;
        }
        throw new APIConnectionError({
          code: timedOut ? "REQUEST_TIMEOUT" : "CONNECTION_ERROR",
          message: `${options.method} ${url}: ${timedOut ? "no answer in time" : describe(cause)}`,
          retryable: true,
          cause,
        });
      }
      if (response.ok) {
        const data = options.binary ? new Uint8Array(await response.arrayBuffer()) : await readJson(response);
        return { data: data as T, status: response.status, headers: response.headers };
      }
      const error = await errorFromResponse(response);
      if (attempt < this.maxRetries) {
        const wait = this.retryDelay(error, response.status, options.idempotent, attempt);
        if (wait !== undefined) {
          await sleep(wait, options.signal);
          continue;
        }
      }
      throw error;
    }
  }

  /** Milliseconds to wait before retrying this error, or undefined not to retry. */
  private retryDelay(error: ReelsmithError, status: number, idempotent: boolean, attempt: number): number | undefined {
    if (status === 429) {
      const after = (error as { retryAfter?: number }).retryAfter;
      if (after === undefined) return this.backoff(attempt);
      if (after > this.maxRetryAfter) return undefined;
      // The window ends at Retry-After; a little jitter spreads the clients that all wait it out.
      return after * 1000 + Math.random() * 250;
    }
    if (!idempotent || status < 500) return undefined;
    if (error.retryable || (RETRYABLE_GATEWAY.has(status) && error.code.startsWith("HTTP_"))) {
      return this.backoff(attempt);
    }
    return undefined;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export async function errorFromResponse(response: Response): Promise<ReelsmithError> {
  const body = await readJson(response).catch(() => undefined);
  const envelope = (body as { error?: Record<string, unknown> } | undefined)?.error;
  const details = (envelope?.details as Record<string, unknown> | undefined) ?? {};
  let retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  if (retryAfter === undefined && typeof details.retry_after_s === "number") retryAfter = details.retry_after_s;
  if (envelope && typeof envelope.code === "string") {
    return errorFor({
      code: envelope.code,
      message: typeof envelope.message === "string" ? envelope.message : envelope.code,
      retryable: envelope.retryable === true,
      status: response.status,
      details,
      retryAfter,
    });
  }
  const text = typeof body === "string" ? body.slice(0, 200) : response.statusText;
  return errorFor({
    code: response.status === 429 ? "RATE_LIMIT_EXCEEDED" : `HTTP_${response.status}`,
    message: `HTTP ${response.status}: ${text}`,
    retryable: response.status === 429 || RETRYABLE_GATEWAY.has(response.status),
    status: response.status,
    retryAfter,
  });
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}

/** Aborts when any of the signals does (AbortSignal.any is not in Node 18). */
function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
