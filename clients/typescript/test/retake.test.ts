// A retake (LTX-2 Retake) through ProcessRequest's prompt, against a live Reelsmith set up by
// tests/clients/typescript/test_node_client_retake.py (WaveSpeed on the protocol sandbox;
// keys and files in env vars), which checks server-side what these tests wrote to RS_TEST_OUT.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { ProcessRequest, Reelsmith, ValidationError } from "@reelsmith/client";

const env = process.env;
const skip = !env.RS_RETAKE_KEY && "needs RS_RETAKE_* (run by tests/clients/typescript/test_node_client_retake.py)";
const out = (name: string) => join(env.RS_TEST_OUT ?? ".", name);
const note = (name: string, facts: unknown) => writeFileSync(out(name), JSON.stringify(facts));
const client = () => new Reelsmith({ baseUrl: env.REELSMITH_BASE_URL, apiKey: env.RS_RETAKE_KEY, timeout: 240 });

const RETAKE = "lightricks/ltx-2-retake";
const STRETCH = { start_time: 1.5, duration: 3, resolution: "720p", retake_mode: "replace_video" };

test("a retake of a file carries its prompt (option) to the job", { skip, timeout: 300_000 }, async () => {
  const prompt = "She turns and smiles at the camera";
  const response = await client().process(new ProcessRequest("retake", env.RS_RETAKE_CLIP!, { settings: STRETCH, prompt }));
  assert.equal(response.status, "completed");
  assert.deepEqual([response.job.method, response.model, response.job.prompt], ["edit", RETAKE, prompt]);
  note("retake-option.json", { task_id: response.taskId, prompt });
});

test("a retake of an asset carries the prompt set by withPrompt", { skip, timeout: 300_000 }, async () => {
  const rs = client();
  const asset = await rs.upload(env.RS_RETAKE_CLIP!);
  const base = new ProcessRequest("retake", asset.id, { settings: STRETCH }).withPrompt("A first try");
  const prompt = "The door opens and a cat walks in";
  const response = await rs.process(base.withModel(RETAKE).withPrompt(prompt));
  assert.equal(response.status, "completed");
  assert.deepEqual([response.model, response.job.prompt], [RETAKE, prompt]);
  assert.equal(base.options.prompt, "A first try");
  note("retake-builder.json", { task_id: response.taskId, prompt });
});

test("a prompt on a local operation is sent and refused by name; without one it is accepted", { skip, timeout: 120_000 }, async () => {
  const rs = client();
  const edit = new ProcessRequest("edit", env.RS_RETAKE_CLIP!, { settings: { trim_start: 1 } });
  await assert.rejects(
    rs.process(edit.withPrompt("Make it cinematic")),
    (e: unknown) => e instanceof ValidationError && e.details?.field === "prompt",
  );
  const accepted = await rs.process(edit, { wait: false });
  note("local-edit.json", { task_id: accepted.taskId });
});
