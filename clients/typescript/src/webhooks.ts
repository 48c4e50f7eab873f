/**
 * Verification of Reelsmith's outgoing webhooks (Standard Webhooks: base64 HMAC-SHA256,
 * keyed with the base64 part of the `whsec_…` secret, over `{id}.{timestamp}.{body}`),
 * with WebCrypto, so it runs in Node ≥ 18, browsers, and edge runtimes alike.
 */

import { ReelsmithError } from "./errors.js";
import { webCrypto } from "./platform.js";

/** The signature, timestamp or headers of a delivery do not check out. */
export class WebhookVerificationError extends ReelsmithError {
  constructor(message: string) {
    super({ code: "WEBHOOK_VERIFICATION_FAILED", message });
  }
}

export interface WebhookEvent<T = Record<string, unknown>> {
  /** e.g. `task.completed`. */
  type: string;
  timestamp: string;
  data: T;
}

export interface VerifyOptions {
  /** How far (seconds) the `webhook-timestamp` may be from now (default 300: stops replays). */
  tolerance?: number;
  /** Now, in seconds since the epoch (for tests). */
  now?: number;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

function base64Decode(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Checks a delivery and returns its parsed event; throws WebhookVerificationError.
 * `payload` must be the raw body exactly as received (not re-serialised JSON).
 * A header with several signatures (during a secret rotation) passes when any matches.
 */
export async function verifyWebhook<T = Record<string, unknown>>(
  payload: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyOptions = {},
): Promise<WebhookEvent<T>> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header.");
  }
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("Invalid webhook-timestamp.");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.tolerance ?? 300;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now.`);
  }
  let key: Uint8Array;
  try {
    key = base64Decode(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  } catch {
    throw new WebhookVerificationError("The secret is not base64 (expected whsec_…).");
  }
  const body =
    typeof payload === "string" ? payload : new TextDecoder().decode(payload instanceof Uint8Array ? payload : new Uint8Array(payload));
  const crypto = await webCrypto();
  const hmac = await crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const part of signatures.split(" ")) {
    const [version, signature] = part.split(",", 2);
    if (version !== "v1" || !signature) continue;
    let candidate: Uint8Array;
    try {
      candidate = base64Decode(signature);
    } catch {
      continue;
    }
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", hmac, candidate as Uint8Array<ArrayBuffer>, signed)) {
      try {
        return JSON.parse(body) as WebhookEvent<T>;
      } catch {
        throw new WebhookVerificationError("The payload is not JSON.");
      }
    }
  }
  throw new WebhookVerificationError("No matching signature.");
}
