// Against a live Reelsmith (a live server and a real worker), set up by
// tests/clients/typescript/test_node_client.py, which passes keys and URLs in env vars and
// checks afterwards, server-side, what these tests wrote to RS_TEST_OUT (videos, job ids).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import {
  AuthenticationError,
  Conflict,
  ContentPolicy,
  FileTooLarge,
  InsufficientCredits,
  ModelUnavailable,
  NotFound,
  ProcessRequest,
  RateLimited,
  Reelsmith,
  StorageFull,
  ReelsmithError,
  ValidationError,
  VideoGenerationRequest,
  verifyWebhook,
  WebhookVerificationError,
  type Progress,
} from "@reelsmith/client";

const env = process.env;
const live = Boolean(env.REELSMITH_BASE_URL && env.REELSMITH_API_KEY && env.RS_TEST_OUT);
const skip = !live && "needs REELSMITH_BASE_URL, REELSMITH_API_KEY and RS_TEST_OUT (run by tests/clients/typescript)";
// A case that needs another workspace or a helper runs only when its variables are set.
const needs = (...names: string[]) => {
  const missing = names.filter((name) => !env[name]);
  return skip || (missing.length > 0 && `needs ${missing.join(", ")}`);
};
const out = (name: string) => join(env.RS_TEST_OUT ?? ".", name);
const note = (name: string, facts: unknown) => writeFileSync(out(name), JSON.stringify(facts));
const client = (key = env.REELSMITH_API_KEY, extra: ConstructorParameters<typeof Reelsmith>[0] = {}) =>
  new Reelsmith({ baseUrl: env.REELSMITH_BASE_URL, apiKey: key, timeout: 240, ...extra });

const MP4_BRAND = /^....ftyp/s;
const isMp4 = (bytes: Uint8Array) => MP4_BRAND.test(Buffer.from(bytes.subarray(0, 8)).toString("latin1"));

test("the spec's TypeScript quick start runs unchanged and its video downloads", { skip, timeout: 300_000 }, async () => {
  const script = fileURLToPath(new URL("../examples/quickstart.js", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], { env: { ...env }, timeout: 280_000 });
  const lines = Object.fromEntries(stdout.trim().split("\n").map((line) => line.split(/: (.*)/s).slice(0, 2)));
  assert.equal(lines.Status, "completed", stdout);
  assert.match(lines["Task ID"] ?? "", /^job_/);
  assert.match(lines["Video URL"] ?? "", /^http/);
  const video = await fetch(lines["Video URL"]!);
  assert.equal(video.status, 200);
  const bytes = new Uint8Array(await video.arrayBuffer());
  assert.ok(isMp4(bytes));
  writeFileSync(out("quickstart.mp4"), bytes);
  note("quickstart.json", { task_id: lines["Task ID"] });
});

test("generate with wait reports progress and returns a completed video with its bytes", { skip, timeout: 300_000 }, async () => {
  const rs = client();
  const seen: Progress[] = [];
  const request = new VideoGenerationRequest("A lighthouse at dusk, waves below")
    .withModel("local/text-to-video")
    .withDuration(2)
    .withWidth(854)
    .withHeight(480);
  const response = await rs.generateVideo(request, { wait: true, onProgress: (p) => seen.push(p) });
  assert.equal(response.status, "completed");
  assert.match(response.taskId, /^job_/);
  assert.equal(response.task_id, response.taskId);
  assert.equal(response.format, "mp4");
  assert.ok(Math.abs((response.duration ?? 0) - 2) < 0.2, `duration ${response.duration}`);
  assert.equal(response.height, 480);
  assert.equal(response.width, 854);
  assert.equal(response.job.params.resolution, "480p");
  assert.equal(response.job.params.aspect_ratio, "16:9");
  assert.ok(seen.length >= 1 && seen.at(-1)!.status === "completed");
  const bytes = await response.videoBytes;
  assert.ok(bytes && isMp4(bytes));
  assert.equal(bytes.length, response.size);
  assert.equal(await response.video_bytes, bytes, "downloaded once, shared");
  writeFileSync(out("generate.mp4"), bytes);
  const saved = await response.save(out("generate-saved.mp4"));
  assert.deepEqual(new Uint8Array(readFileSync(saved)), bytes);
  const fresh = await rs.pollVideo(response.taskId);
  await fresh.save(out("generate-streamed.mp4"));
  assert.deepEqual(new Uint8Array(readFileSync(out("generate-streamed.mp4"))), bytes);
  note("generate.json", { task_id: response.taskId, asset: response.assetId });

  // The result can be processed further (trim the first second) and saved to the gallery.
  const trimmed = await rs.process(new ProcessRequest("edit", response.assetId!).withSetting("trim_start", 1));
  assert.equal(trimmed.status, "completed");
  assert.ok(Math.abs((trimmed.duration ?? 0) - 1) < 0.2, `trimmed to ${trimmed.duration}`);
  const kept = await rs.gallery.save(trimmed.assetId!, { title: "Trimmed lighthouse", tags: ["ts-client"] });
  assert.equal(kept.saved, true);
  assert.equal(kept.title, "Trimmed lighthouse");
  const page = await rs.gallery.list({ saved: true });
  assert.ok(page.results.some((asset) => asset.id === kept.id));
  const all: string[] = [];
  for await (const asset of rs.gallery.iterate({ kind: "video" })) all.push(asset.id);
  assert.ok(all.includes(kept.id) && all.includes(response.assetId!));
});

test("withImage takes a file path (uploaded first) and runs image-to-video", { skip, timeout: 300_000 }, async () => {
  const rs = client();
  const { asset } = JSON.parse(readFileSync(out("generate.json"), "utf8")) as { asset: string };
  const thumbnail = (await rs.gallery.get(asset)).thumbnail_url;
  assert.ok(thumbnail, "the generated video has a thumbnail");
  const still = await fetch(thumbnail);
  assert.equal(still.status, 200);
  const type = still.headers.get("content-type") ?? "";
  const path = out(type.includes("png") ? "still.png" : type.includes("webp") ? "still.webp" : "still.jpg");
  writeFileSync(path, new Uint8Array(await still.arrayBuffer()));
  const request = new VideoGenerationRequest("Slowly pan across").withImage(path).withModel("local/image-to-video").withDuration(1);
  assert.equal(request.method, "image-to-video");
  const response = await rs.generateVideo(request);
  assert.equal(response.status, "completed");
  assert.equal(response.job.method, "image-to-video");
  assert.ok(Math.abs((response.duration ?? 0) - 1) < 0.2);
  // Bytes and Blobs upload the same way.
  const blob = new Blob([readFileSync(path)]);
  const uploaded = await rs.upload(blob, { filename: "still-from-blob" + path.slice(path.lastIndexOf(".")) });
  assert.equal(uploaded.kind, "image");
});

test("wait=false answers at once; pollVideo follows the job to completion", { skip, timeout: 300_000 }, async () => {
  const rs = client();
  const request = new VideoGenerationRequest("A paper boat on a pond").withModel("local/text-to-video").withDuration(1).withResolution("480p");
  const submitted = await rs.generateVideo(request, { wait: false });
  assert.ok(["queued", "running", "delivering"].includes(submitted.status), submitted.status);
  assert.equal(submitted.videoUrl, undefined);
  assert.equal(await submitted.videoBytes, undefined);
  const deadline = Date.now() + 240_000;
  let now = submitted;
  while (!now.done) {
    assert.ok(Date.now() < deadline, `still ${now.status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    now = await rs.pollVideo(submitted.taskId);
  }
  assert.equal(now.status, "completed");
  assert.match(now.video_url ?? "", /^http/);
  assert.ok(now.size > 0);
  const waited = await rs.waitForVideo(submitted.taskId);
  assert.equal(waited.videoUrl !== undefined, true);
  // A job that has ended cannot be cancelled: 409 Conflict.
  await assert.rejects(rs.cancel(submitted.taskId), (e: unknown) => e instanceof Conflict && e.code === "CONFLICT" && e.status === 409);
});

test("models, balance, estimate and upload answer with the API's shapes", { skip: needs("RS_TEST_PRICE"), timeout: 60_000 }, async () => {
  const rs = client();
  const models = await rs.models({ method: "text-to-video" });
  assert.ok(models.some((m) => m.id === "local/text-to-video" && m.available));
  assert.ok(models.every((m) => m.methods.includes("text-to-video")));
  const balance = await rs.balance();
  assert.equal(balance.available, balance.balance - balance.held);
  const estimate = await rs.estimateCost(new VideoGenerationRequest("A fox").withModel("local/text-to-video").withDuration(3));
  assert.equal(estimate.model, "local/text-to-video");
  assert.equal(estimate.estimated_credits, Number(env.RS_TEST_PRICE));
  const asset = await rs.upload(out("generate.mp4"));
  assert.match(asset.id, /^ast_/);
  assert.equal(asset.kind, "video");
  assert.equal(asset.original_name, "generate.mp4");
});

test("cancel stops a running job and charges nothing", { skip: needs("RS_TEST_CANCEL_KEY", "RS_TEST_PRICE"), timeout: 300_000 }, async () => {
  const rs = client(env.RS_TEST_CANCEL_KEY);
  const before = await rs.balance();
  const long = new VideoGenerationRequest("A very long sunset").withModel("local/text-to-video").withDuration(60).withResolution("1080p");
  const submitted = await rs.generateVideo(long, { wait: false });
  assert.equal(submitted.credits.held, Number(env.RS_TEST_PRICE));
  const deadline = Date.now() + 120_000;
  while ((await rs.pollVideo(submitted.taskId)).status === "queued") {
    assert.ok(Date.now() < deadline, "never started");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const cancelled = await rs.cancel(submitted.taskId);
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.credits.charged, 0);
  // Cancelling again (as a retried cancel would) answers the cancelled job.
  assert.equal((await rs.cancel(submitted.taskId)).status, "cancelled");
  const after = await rs.balance();
  assert.equal(after.balance, before.balance);
  assert.equal(after.held, 0);
  // Waiting on a cancelled job ends at once with its typed error.
  await assert.rejects(rs.waitForVideo(submitted.taskId), (e: unknown) => e instanceof ReelsmithError && e.taskId === submitted.taskId);
  note("cancel.json", { task_id: submitted.taskId });
});

test("InsufficientCredits when the workspace cannot pay", { skip: needs("RS_TEST_BROKE_KEY"), timeout: 60_000 }, async () => {
  const rs = client(env.RS_TEST_BROKE_KEY);
  await assert.rejects(
    rs.generateVideo(new VideoGenerationRequest("A castle").withModel("local/text-to-video").withDuration(1)),
    (e: unknown) => e instanceof InsufficientCredits && e.code === "INSUFFICIENT_CREDITS" && e.status === 402 && !e.retryable,
  );
});

test("RateLimited with retryAfter from the tier's request limit", { skip: needs("RS_TEST_LIMITED_KEY"), timeout: 60_000 }, async () => {
  const rs = client(env.RS_TEST_LIMITED_KEY, { maxRetries: 0 });
  let error: unknown;
  for (let i = 0; i < 10 && !error; i++) {
    await rs.balance().catch((e: unknown) => {
      error = e;
    });
  }
  assert.ok(error instanceof RateLimited, String(error));
  assert.equal(error.code, "RATE_LIMIT_EXCEEDED");
  assert.equal(error.status, 429);
  assert.equal(error.retryable, true);
  assert.ok(error.retryAfter !== undefined && error.retryAfter >= 1 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
  // With retries allowed but a shorter patience than the window, it is thrown at once.
  const impatient = client(env.RS_TEST_LIMITED_KEY, { maxRetryAfter: 0 });
  const started = Date.now();
  await assert.rejects(impatient.balance(), RateLimited);
  assert.ok(Date.now() - started < 5_000);
});

test("ContentPolicy for a prompt the moderation rules block", { skip, timeout: 60_000 }, async () => {
  await assert.rejects(
    client().generateVideo(new VideoGenerationRequest("csam").withModel("local/text-to-video").withDuration(1)),
    (e: unknown) => e instanceof ContentPolicy && e.code === "CONTENT_POLICY" && e.status === 400,
  );
});

test("FileTooLarge for an upload past the tier's per-file limit", { skip: needs("RS_TEST_SMALL_UPLOAD_KEY", "RS_TEST_UPLOAD_LIMIT"), timeout: 60_000 }, async () => {
  const rs = client(env.RS_TEST_SMALL_UPLOAD_KEY);
  const big = new Uint8Array(Number(env.RS_TEST_UPLOAD_LIMIT) * 4).fill(7);
  await assert.rejects(rs.upload(big, { filename: "big.png" }), (e: unknown) => e instanceof FileTooLarge && e.status === 413);
  // A file far past the limit is refused from its Content-Length, before its bytes are read.
  const huge = new Uint8Array(8 * 1024 * 1024);
  await assert.rejects(rs.upload(huge, { filename: "huge.mp4" }), (e: unknown) => e instanceof FileTooLarge && e.status === 413);
  // The same limit applies to a file given to the builder.
  await assert.rejects(rs.generateVideo(new VideoGenerationRequest("x").withImage(big)), FileTooLarge);
});

test("StorageFull for an upload, and for a job whose video does not fit, which charges nothing", { skip: needs("RS_TEST_FULL_KEY"), timeout: 300_000 }, async () => {
  const rs = client(env.RS_TEST_FULL_KEY);
  const before = await rs.balance();
  await assert.rejects(rs.upload(readFileSync(out("generate.mp4")), { filename: "clip.mp4" }), (e: unknown) => e instanceof StorageFull && e.status === 507);
  let failed: unknown;
  await rs.generateVideo(new VideoGenerationRequest("A crowded shelf").withModel("local/text-to-video").withDuration(1).withResolution("480p")).catch((e: unknown) => {
    failed = e;
  });
  assert.ok(failed instanceof StorageFull, String(failed));
  assert.match(failed.taskId ?? "", /^job_/, "the job failed at delivery");
  assert.equal((await rs.pollVideo(failed.taskId!)).status, "failed");
  const after = await rs.balance();
  assert.deepEqual([after.balance, after.held], [before.balance, 0]);
});

test("ModelUnavailable, ValidationError, NotFound and AuthenticationError from the API", { skip, timeout: 60_000 }, async () => {
  const rs = client();
  // The spec's own example model: listed, but its provider has no key here.
  await assert.rejects(
    rs.generateVideo(new VideoGenerationRequest("A person dancing").with_model("runway-gen-4").with_duration(10)),
    (e: unknown) => e instanceof ModelUnavailable && e.status === 400,
  );
  await assert.rejects(
    rs.generateVideo(new VideoGenerationRequest("x").withModel("local/text-to-video").withDuration(600)),
    (e: unknown) => e instanceof ValidationError && e.status === 400 && Object.keys(e.details).length > 0,
  );
  await assert.rejects(
    rs.generateVideo(new VideoGenerationRequest("x").withModel("local/text-to-video").withWidth(3840).withHeight(2160)),
    (e: unknown) => e instanceof ValidationError && /480p, 720p, 1080p/.test(e.message),
  );
  await assert.rejects(rs.pollVideo("job_doesnotexist"), (e: unknown) => e instanceof NotFound && e.status === 404);
  await assert.rejects(client("rs_wrong_key").balance(), (e: unknown) => e instanceof AuthenticationError && e.status === 401);
});

test("a submit whose connection drops after the server took it is retried into the same job", { skip: needs("RS_TEST_PROXY_URL", "RS_TEST_PROXY_KEY"), timeout: 120_000 }, async () => {
  const rs = new Reelsmith({ baseUrl: env.RS_TEST_PROXY_URL, apiKey: env.RS_TEST_PROXY_KEY, retryBaseDelay: 50 });
  const response = await rs.generateVideo(new VideoGenerationRequest("A dropped call").withModel("local/text-to-video").withDuration(1), {
    wait: false,
  });
  assert.match(response.taskId, /^job_/);
  note("dropped.json", { task_id: response.taskId });
});

test("a job's webhook reaches a receiver and passes verifyWebhook with the job secret", { skip: needs("RS_TEST_WEBHOOK_PORT"), timeout: 300_000 }, async () => {
  const deliveries: { body: string; headers: Record<string, string> }[] = [];
  let arrived: () => void = () => {};
  const delivered = new Promise<void>((resolve) => (arrived = resolve));
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      deliveries.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers as Record<string, string> });
      res.writeHead(204).end();
      arrived();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(Number(env.RS_TEST_WEBHOOK_PORT), "127.0.0.1", resolve));
  try {
    const rs = client();
    const request = new VideoGenerationRequest("A kite in the wind")
      .withModel("local/text-to-video")
      .withDuration(1)
      .withResolution("480p")
      .withWebhookUrl(`http://127.0.0.1:${env.RS_TEST_WEBHOOK_PORT}/hooks/reelsmith`);
    const response = await rs.generateVideo(request);
    await Promise.race([delivered, new Promise((_, reject) => setTimeout(() => reject(new Error("no delivery in 60 s")), 60_000))]);
    const secretAnswer = await fetch(`${env.REELSMITH_BASE_URL}/api/v1/webhooks/job-secret`, {
      headers: { Authorization: `Bearer ${env.REELSMITH_API_KEY}` },
    });
    const { secret } = (await secretAnswer.json()) as { secret: string };
    const { body, headers } = deliveries[0]!;
    const event = await verifyWebhook<{ id: string; status: string }>(body, headers, secret);
    assert.equal(event.type, "task.completed");
    assert.equal(event.data.id, response.taskId);
    assert.equal(event.data.status, "completed");
    await assert.rejects(verifyWebhook(body + " ", headers, secret), WebhookVerificationError);
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
