// Fallback models, continuation and the last frame, HLS output and the free perk without a
// key, against a live Reelsmith set up by tests/clients/typescript/test_node_client_issue17.py
// (which keeps the sandbox's wavespeed in an outage for the whole run, passes keys and
// files in env vars, and checks server-side what these tests wrote to RS_TEST_OUT).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { AuthenticationError, Reelsmith, ValidationError, VideoGenerationRequest } from "@reelsmith/client";

const env = process.env;
const skip = !env.RS_I17_KEY && "needs RS_I17_* (run by tests/clients/typescript/test_node_client_issue17.py)";
const out = (name: string) => join(env.RS_TEST_OUT ?? ".", name);
const note = (name: string, facts: unknown) => writeFileSync(out(name), JSON.stringify(facts));
const client = (key = env.RS_I17_KEY) => new Reelsmith({ baseUrl: env.REELSMITH_BASE_URL, apiKey: key, timeout: 240 });

const PRIMARY = "wavespeed-ai/hunyuan-video-1.5/text-to-video"; // on wavespeed: down for this run
const FALLBACK = "seedance-lite-t2v"; // on fal
const FALLBACK_2 = "seedance-pro-t2v"; // on fal
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const isMp4 = (bytes: Uint8Array) => Buffer.from(bytes.subarray(4, 8)).toString("latin1") === "ftyp";

const fox = () =>
  new VideoGenerationRequest("A red fox at dawn").withModel(PRIMARY).withDuration(5).withResolution("480p").withAspectRatio("16:9");

test("fallback models: the estimate's hold is the highest price, and a fallback delivers during an outage", { skip, timeout: 300_000 }, async () => {
  const rs = client();
  const request = fox().withFallbackModels(FALLBACK, FALLBACK_2);
  const estimate = await rs.estimateCost(request);
  const prices = [
    (await rs.estimateCost(fox().withModel(FALLBACK))).estimated_credits,
    (await rs.estimateCost(fox().withModel(FALLBACK_2))).estimated_credits,
  ];
  assert.deepEqual(estimate.fallback_credits, { [FALLBACK]: prices[0], [FALLBACK_2]: prices[1] });
  assert.equal(estimate.hold_credits, Math.max(estimate.estimated_credits, ...prices));

  const response = await rs.generateVideo(request);
  assert.equal(response.status, "completed");
  assert.equal(response.model, FALLBACK);
  assert.deepEqual(response.fallbackModels, [FALLBACK, FALLBACK_2]);
  const [first, second] = response.attempts;
  assert.equal(response.attempts.length, 2);
  assert.deepEqual([first!.model, first!.provider], [PRIMARY, "wavespeed"]);
  assert.ok(first!.error?.code, "the primary's attempt carries its error");
  assert.deepEqual([second!.model, second!.provider, second!.error], [FALLBACK, "fal", null]);
  assert.equal(response.credits.held, estimate.hold_credits);
  assert.equal(response.credits.charged, prices[0]);
  note("fallback.json", { task_id: response.taskId });
});

test("continue a video with an image-to-video model; its last frame as PNG, saved", { skip, timeout: 300_000 }, async () => {
  const rs = client();
  const request = new VideoGenerationRequest("")
    .withVideo(env.RS_I17_CLIP!)
    .withContinuation("local/image-to-video", { crossfade: 0.25 })
    .withDuration(1);
  const estimate = await rs.estimateCost(request);
  assert.equal(estimate.method, "image-to-video"); // priced as the model's run
  const response = await rs.generateVideo(request);
  assert.equal(response.job.method, "extend-video");
  assert.equal(response.model, "local/image-to-video");
  assert.deepEqual(response.job.params.continuation, { crossfade: 0.25 });
  assert.ok(Math.abs((response.duration ?? 0) - 2.75) < 0.15, `duration ${response.duration}`);
  assert.equal(response.credits.charged, estimate.estimated_credits);

  const frame = await rs.lastFrame(response.taskId);
  assert.deepEqual([...frame.subarray(0, 4)], PNG_MAGIC);
  const path = await rs.saveLastFrame(response.taskId, out("last-frame.png"));
  assert.deepEqual(new Uint8Array(readFileSync(path)), frame);
  note("continuation.json", { task_id: response.taskId });
});

test("output format hls: a signed master playlist and the MP4; refused outside HLS_TIERS", { skip, timeout: 300_000 }, async () => {
  const request = new VideoGenerationRequest("Waves").withModel("local/text-to-video").withDuration(2).withOutputFormat("hls");
  const response = await client(env.RS_I17_ENTERPRISE_KEY).generateVideo(request);
  assert.equal(response.format, "hls");
  assert.match(response.hlsUrl ?? "", /\/master\.m3u8$/);
  assert.equal(response.videoUrl, response.hlsUrl);
  assert.ok(response.mp4Url && response.mp4Url !== response.hlsUrl);
  const master = await (await fetch(response.hlsUrl!)).text();
  assert.match(master, /^#EXTM3U/);
  assert.ok((master.match(/#EXT-X-STREAM-INF/g) ?? []).length >= 2, master);
  const bytes = await response.videoBytes; // the MP4, not the playlist
  assert.ok(bytes && isMp4(bytes));
  note("hls.json", { task_id: response.taskId });

  await assert.rejects(
    client().generateVideo(request),
    (e: unknown) => e instanceof ValidationError && e.code === "INVALID_FORMAT" && /enterprise/.test(e.message),
  );
});

test("the free perk without a key: submitted inline, read through its capability URL", { skip, timeout: 300_000 }, async () => {
  const visitor = Reelsmith.anonymous({ baseUrl: env.REELSMITH_BASE_URL, timeout: 240 });
  const perk = new VideoGenerationRequest("The lighthouse beam sweeps across the waves")
    .withModel("seedance-lite-i2v")
    .withImage(env.RS_I17_STILL!)
    .withDuration(5)
    .withResolution("480p");
  const submitted = await visitor.generateVideo(perk, { wait: false });
  assert.match(submitted.capabilityUrl ?? "", /^\/api\/v1\/anonymous\/tasks\//);
  const done = await visitor.waitForVideo(submitted.capabilityUrl!);
  assert.equal(done.status, "completed");
  assert.equal(done.taskId, submitted.taskId);
  assert.equal(done.capabilityUrl, submitted.capabilityUrl);
  assert.deepEqual(done.credits, { estimated: 0, held: 0, charged: 0 });
  const bytes = await done.videoBytes;
  assert.ok(bytes && isMp4(bytes));
  // Only the capability URL reads a visitor's job; anything but the perk needs a key.
  await assert.rejects(visitor.pollVideo(submitted.taskId), (e: unknown) => e instanceof AuthenticationError);
  await assert.rejects(visitor.generateVideo(perk.withDuration(10)), (e: unknown) => e instanceof AuthenticationError);
  note("anonymous.json", { task_id: submitted.taskId });
});
