// Offline checks: the builder, width/height mapping, error classes, retry timing against a
// local HTTP server, and webhook verification (with a vector signed by the server's own signer
// when RS_TEST_WEBHOOK_VECTOR is set).
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import {
  ContentPolicy,
  InsufficientCredits,
  RateLimited,
  Reelsmith,
  ReelsmithError,
  ValidationError,
  VideoGenerationRequest,
  ProcessRequest,
  shapeFor,
  verifyWebhook,
  WebhookVerificationError,
} from "@reelsmith/client";

test("every with… returns a new request and leaves the original unchanged", () => {
  const base = new VideoGenerationRequest("A person dancing");
  const built = base.withModel("local/text-to-video").withDuration(10).withWidth(1280).withHeight(720).withAudio();
  assert.notEqual(built, base);
  assert.deepEqual(base.options, {});
  assert.equal(base.prompt, "A person dancing");
  assert.deepEqual(built.options, { model: "local/text-to-video", duration: 10, width: 1280, height: 720, withAudio: true });
  const other = built.withDuration(3);
  assert.equal(built.options.duration, 10);
  assert.equal(other.options.duration, 3);
  assert.ok(Object.isFrozen(base) && Object.isFrozen(base.options));
  assert.throws(() => {
    (built.options as { duration?: number }).duration = 1;
  }, TypeError);
  const scenes = [{ prompt: "one", duration: 2 }];
  const board = base.withStoryboard(scenes);
  scenes[0]!.duration = 9;
  assert.equal(board.options.storyboard?.[0]?.duration, 2);
});

test("the spec's snake_case builder spellings are the same methods", () => {
  const request = new VideoGenerationRequest("A person dancing")
    .with_model("runway-gen-4")
    .with_duration(10)
    .with_width(1280)
    .with_height(720);
  assert.deepEqual(request.options, { model: "runway-gen-4", duration: 10, width: 1280, height: 720 });
});

test("the method follows the inputs unless set", () => {
  const base = new VideoGenerationRequest("x");
  assert.equal(base.method, "text-to-video");
  assert.equal(base.withImage("ast_abc").method, "image-to-video");
  assert.equal(base.withImage("ast_abc").withAudioFile("ast_def").method, "lip-sync");
  assert.equal(base.withVideo("https://example.com/a.mp4").method, "extend-video");
  assert.equal(base.withStoryboard([{ prompt: "a", duration: 1 }]).method, "storyboard");
  assert.equal(base.withImage("ast_abc").withMethod("text-to-video").method, "text-to-video");
});

test("builder arguments are checked at once", () => {
  assert.throws(() => new VideoGenerationRequest("x").withDuration(0), ValidationError);
  assert.throws(() => new VideoGenerationRequest("x").withWidth(12.5), ValidationError);
});

test("process requests are immutable too", () => {
  const base = new ProcessRequest("edit", "ast_abc");
  const trimmed = base.withSetting("trim_start", 1).withSettings({ mute: true });
  assert.deepEqual(base.options.settings, {});
  assert.deepEqual(trimmed.options.settings, { trim_start: 1, mute: true });
});

test("a process prompt is set by option or withPrompt, leaves the base unchanged, and must be text", () => {
  const base = new ProcessRequest("retake", "ast_take", { settings: { duration: 4 } });
  const first = base.withPrompt("She smiles");
  const second = first.withPrompt("She waves").withModel("lightricks/ltx-2-retake");
  assert.deepEqual([base.options.prompt, first.options.prompt, second.options.prompt], [undefined, "She smiles", "She waves"]);
  assert.deepEqual(second.options.settings, { duration: 4 });
  const byOption = new ProcessRequest("retake", "ast_take", { settings: { duration: 4 }, prompt: "She smiles" });
  assert.deepEqual(byOption.options, first.options);
  assert.throws(() => {
    (first.options as { prompt?: string }).prompt = "changed";
  }, TypeError);
  for (const bad of [42, ["She smiles"], { text: "She smiles" }]) {
    assert.throws(() => new ProcessRequest("retake", "ast_take", { prompt: bad as unknown as string }), ValidationError);
    assert.throws(() => base.withPrompt(bad as unknown as string), ValidationError);
  }
});

test("width and height map onto the nearest allowed resolution and aspect ratio", () => {
  assert.deepEqual(shapeFor(1280, 720), { resolution: "720p", aspectRatio: "16:9" });
  assert.deepEqual(shapeFor(1920, 1080), { resolution: "1080p", aspectRatio: "16:9" });
  assert.deepEqual(shapeFor(1080, 1920), { resolution: "1080p", aspectRatio: "9:16" });
  assert.deepEqual(shapeFor(1024, 576, ["480p", "720p", "1080p"]), { resolution: "480p", aspectRatio: "16:9" });
  assert.deepEqual(shapeFor(1000, 1000, ["480p", "720p", "1080p"]), { resolution: "1080p", aspectRatio: "1:1" });
  assert.deepEqual(shapeFor(1920, undefined), { resolution: "1080p", aspectRatio: undefined });
  assert.throws(
    () => shapeFor(3840, 2160, ["480p", "720p", "1080p"]),
    (error: unknown) =>
      error instanceof ValidationError &&
      error.code === "INVALID_RESOLUTION" &&
      /480p, 720p, 1080p/.test(error.message),
  );
  assert.throws(() => shapeFor(1280, 720, []), ValidationError);
});

test("error classes carry code, retryable and status, and subclass ReelsmithError", () => {
  const error = new RateLimited({ code: "RATE_LIMIT_EXCEEDED", message: "slow down", retryable: true, status: 429, retryAfter: 7 });
  assert.ok(error instanceof ReelsmithError);
  assert.equal(error.name, "RateLimited");
  assert.equal(error.retryAfter, 7);
  assert.ok(new InsufficientCredits({ code: "INSUFFICIENT_CREDITS", message: "" }) instanceof ReelsmithError);
  assert.ok(new ContentPolicy({ code: "CONTENT_POLICY", message: "" }) instanceof Error);
});

// A tiny server on loopback that answers from a script, to time the client's retries.
async function scripted(answers: ((res: ServerResponse, req: IncomingMessage) => void)[]) {
  const seen: { at: number; headers: IncomingMessage["headers"] }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    seen.push({ at: Date.now(), headers: req.headers });
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    answer(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const job = { id: "job_x", status: "queued", progress: 0, stage: "", method: "text-to-video", model: "m", prompt: "", params: {}, inputs: {}, notes: [], created_at: "", started_at: null, completed_at: null, error: null, result: null, credits: { estimated: 0, held: 0, charged: 0 } };
const limited = { error: { code: "RATE_LIMIT_EXCEEDED", message: "slow", retryable: true, details: {} } };

test("a 429 is retried after its Retry-After, with the same Idempotency-Key", async () => {
  const server = await scripted([json(429, limited, { "Retry-After": "1" }), json(202, job)]);
  try {
    const client = new Reelsmith({ baseUrl: server.url, apiKey: "k" });
    const response = await client.generateVideo(new VideoGenerationRequest("x"), { wait: false });
    assert.equal(response.taskId, "job_x");
    assert.equal(server.seen.length, 2);
    assert.ok(server.seen[1]!.at - server.seen[0]!.at >= 950, "waited out Retry-After");
    const keys = server.seen.map((s) => s.headers["idempotency-key"]);
    assert.ok(keys[0] && keys[0] === keys[1]);
    assert.equal(server.seen[0]!.headers.authorization, "Bearer k");
  } finally {
    await server.close();
  }
});

test("a Retry-After longer than maxRetryAfter is thrown at once as RateLimited", async () => {
  const server = await scripted([json(429, limited, { "Retry-After": "30" })]);
  try {
    const client = new Reelsmith({ baseUrl: server.url, apiKey: "k", maxRetryAfter: 5 });
    await assert.rejects(client.balance(), (e: unknown) => e instanceof RateLimited && e.retryAfter === 30 && e.status === 429);
    assert.equal(server.seen.length, 1);
  } finally {
    await server.close();
  }
});

test("retryable 5xx answers are retried at most three times, others not at all", async () => {
  const boom = { error: { code: "SERVICE_UNAVAILABLE", message: "later", retryable: true, details: {} } };
  const server = await scripted([json(503, boom)]);
  try {
    const client = new Reelsmith({ baseUrl: server.url, apiKey: "k", retryBaseDelay: 10 });
    await assert.rejects(client.pollVideo("job_x"), (e: unknown) => e instanceof ReelsmithError && e.status === 503 && e.retryable);
    assert.equal(server.seen.length, 4);
  } finally {
    await server.close();
  }
  const fatal = { error: { code: "INTERNAL", message: "no", retryable: false, details: {} } };
  const second = await scripted([json(500, fatal)]);
  try {
    const client = new Reelsmith({ baseUrl: second.url, apiKey: "k", retryBaseDelay: 10 });
    await assert.rejects(client.pollVideo("job_x"), ReelsmithError);
    assert.equal(second.seen.length, 1);
  } finally {
    await second.close();
  }
});

test("an upload (no idempotency key) is not retried after a 5xx", async () => {
  const boom = { error: { code: "SERVICE_UNAVAILABLE", message: "later", retryable: true, details: {} } };
  const server = await scripted([json(503, boom)]);
  try {
    const client = new Reelsmith({ baseUrl: server.url, apiKey: "k", retryBaseDelay: 10 });
    await assert.rejects(client.upload(new Uint8Array([1, 2, 3])), ReelsmithError);
    assert.equal(server.seen.length, 1);
  } finally {
    await server.close();
  }
});

const vector = process.env.RS_TEST_WEBHOOK_VECTOR ? JSON.parse(process.env.RS_TEST_WEBHOOK_VECTOR) : undefined;

test("verifyWebhook accepts a delivery signed by the server's signer and refuses tampering", { skip: !vector && "RS_TEST_WEBHOOK_VECTOR not set" }, async () => {
  const { body, headers, secret, old_secret } = vector as { body: string; headers: Record<string, string>; secret: string; old_secret: string };
  const event = await verifyWebhook(body, headers, secret);
  assert.equal(event.type, "task.completed");
  // Either secret of a rotation verifies; Headers objects work as well as records.
  await verifyWebhook(new TextEncoder().encode(body), new Headers(headers), old_secret);
  await assert.rejects(verifyWebhook(body.replace("completed", "failed"), headers, secret), WebhookVerificationError);
  await assert.rejects(verifyWebhook(body, headers, "whsec_" + btoa("another secret!!")), WebhookVerificationError);
  await assert.rejects(verifyWebhook(body, { ...headers, "webhook-id": "msg_other" }, secret), WebhookVerificationError);
  const late = Number(headers["webhook-timestamp"]) + 301;
  await assert.rejects(verifyWebhook(body, headers, secret, { now: late }), /more than 300 s/);
  const { "webhook-signature": _, ...unsigned } = headers;
  await assert.rejects(verifyWebhook(body, unsigned, secret), WebhookVerificationError);
});
