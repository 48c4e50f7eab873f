/**
 * The Reelsmith client: submit, wait with progress, poll, cancel, process, estimate,
 * models, balance, uploads and the gallery, over the public HTTP API (/api/v1/…).
 */

import { errorFromResponse, Transport, type TransportOptions } from "./http.js";
import { APIConnectionError, errorFor, JobFailed, NotFound, ReelsmithError, WaitTimeout } from "./errors.js";
import { fileForm, mediaRef, type MediaInput } from "./files.js";
import { env, nodeModule, randomId, sleep } from "./platform.js";
import { ProcessRequest, shapeFor, VideoGenerationRequest } from "./request.js";
import { VideoGenerationResponse, type VideoSource } from "./response.js";
import { Gallery } from "./gallery.js";
import type { Asset, Balance, CatalogModel, Estimate, Job, Page } from "./types.js";

export { Gallery } from "./gallery.js";
export type { GalleryListParams, GallerySaveOptions } from "./gallery.js";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8000";
/** A visitor's free-perk job is read here (the capability URL), never at /tasks. */
const CAPABILITY_PREFIX = "/api/v1/anonymous/tasks/";

export interface ClientOptions extends Partial<Omit<TransportOptions, "baseUrl">> {
  /** Default `http://127.0.0.1:8000`. */
  baseUrl?: string;
  /** Seconds `generateVideo` waits for a job by default (600). */
  timeout?: number;
}

/** What a waiting call reports each time the job moves. */
export interface Progress {
  taskId: string;
  status: Job["status"];
  /** 0–100. */
  progress: number;
  stage: string;
  /** The whole job as last read. */
  job: Job;
}

export interface WaitOptions {
  /** Seconds to wait at most (default: the client's `timeout`). */
  timeout?: number;
  /** Called whenever status, progress or stage change. */
  onProgress?: (progress: Progress) => void;
  /** Stops waiting (the job keeps running: `cancel()` stops it). */
  signal?: AbortSignal;
  /** First pause between polls in ms (default 500, growing to 3000). */
  pollInterval?: number;
}

export interface SubmitOptions extends WaitOptions {
  /** Wait for the job to end (default true); false answers at once with taskId and status. */
  wait?: boolean;
  /** Reuse a key to make a later call return the same job (one is generated otherwise). */
  idempotencyKey?: string;
}

export interface ModelFilter {
  method?: string;
  provider?: string;
  quality?: string;
  available?: boolean;
}

const MAX_POLL_MS = 3_000;

export class Reelsmith {
  readonly http: Transport;
  readonly gallery: Gallery;
  /** Seconds `generateVideo` waits by default. */
  readonly timeout: number;
  private readonly modelCache = new Map<string, Promise<CatalogModel>>();

  constructor(options: ClientOptions = {}) {
    this.http = new Transport({ ...options, baseUrl: options.baseUrl ?? DEFAULT_BASE_URL });
    this.gallery = new Gallery(this.http);
    this.timeout = options.timeout ?? 600;
  }

  /**
   * A client from `REELSMITH_API_KEY`, `REELSMITH_BASE_URL` (default http://127.0.0.1:8000)
   * and `REELSMITH_VIDEO_TIMEOUT` (seconds to wait for a video); `options` win over them.
   */
  static fromEnv(options: ClientOptions = {}): Reelsmith {
    const timeout = env("REELSMITH_VIDEO_TIMEOUT");
    return new Reelsmith({
      apiKey: env("REELSMITH_API_KEY"),
      baseUrl: env("REELSMITH_BASE_URL") ?? DEFAULT_BASE_URL,
      ...(timeout !== undefined && Number(timeout) > 0 ? { timeout: Number(timeout) } : {}),
      ...options,
    });
  }

  /**
   * A client without a key, for the free perk (`free_perk` in the catalogue): its job is
   * read through the `capabilityUrl` the submit answers with.
   */
  static anonymous(options: Omit<ClientOptions, "apiKey"> = {}): Reelsmith {
    return new Reelsmith({ ...options, apiKey: undefined });
  }

  /**
   * Submits a video job and, by default, waits for it to end.
   * Resolves with the completed job; throws the typed error of a job that failed
   * (e.g. ContentPolicy, StorageFull), WaitTimeout past `timeout`.
   */
  async generateVideo(request: VideoGenerationRequest, options: SubmitOptions = {}): Promise<VideoGenerationResponse> {
    const body = await this.generateBody(request);
    return this.submit("/api/v1/generate", body, options);
  }

  /**
   * Runs an operation on a video (edit, enhance, transform, optimize, remove-background,
   * retake — with `prompt`); waits like generateVideo.
   */
  async process(request: ProcessRequest, options: SubmitOptions = {}): Promise<VideoGenerationResponse> {
    const body: Record<string, unknown> = { operation: request.operation };
    Object.assign(body, await this.inputFields("source", request.source));
    if (request.options.model) body.model = request.options.model;
    if (request.options.prompt !== undefined) body.prompt = request.options.prompt;
    if (request.options.settings && Object.keys(request.options.settings).length) body.settings = request.options.settings;
    if (request.options.webhookUrl) body.webhook_url = request.options.webhookUrl;
    return this.submit("/api/v1/process", body, options);
  }

  /** The job now, without waiting; `taskId` may be a visitor's capability URL. */
  async pollVideo(taskId: string): Promise<VideoGenerationResponse> {
    const capability = taskId.startsWith(CAPABILITY_PREFIX) || /^https?:\/\//.test(taskId);
    const path = capability ? taskId : `/api/v1/tasks/${encodeURIComponent(taskId)}`;
    const { data } = await this.http.call<Job>({ method: "GET", path, idempotent: true });
    return this.response(capability ? { ...data, capability_url: data.capability_url ?? taskId } : data);
  }

  /**
   * The last frame of a completed job's video as PNG bytes (to chain continuations
   * yourself); Conflict while the job has no result.
   */
  async lastFrame(taskId: string): Promise<Uint8Array> {
    const path = `/api/v1/tasks/${encodeURIComponent(taskId)}/last-frame`;
    const { data } = await this.http.call<Uint8Array>({ method: "GET", path, idempotent: true, binary: true });
    return data;
  }

  /** Writes the last frame (PNG) to `path` (Node); resolves with the path. */
  async saveLastFrame(taskId: string, path: string): Promise<string> {
    const bytes = await this.lastFrame(taskId);
    await (await nodeModule("fs/promises")).writeFile(path, bytes);
    return path;
  }

  /** Waits until the job ends; resolves when completed, throws its error otherwise. */
  async waitForVideo(taskId: string, options: WaitOptions = {}): Promise<VideoGenerationResponse> {
    const timeoutS = options.timeout ?? this.timeout;
    const deadline = Date.now() + timeoutS * 1000;
    let pause = options.pollInterval ?? 500;
    let last = "";
    for (;;) {
      const response = await this.pollVideo(taskId);
      const job = response.job;
      const seen = `${job.status}|${job.progress}|${job.stage}`;
      if (seen !== last) {
        last = seen;
        options.onProgress?.({ taskId, status: job.status, progress: job.progress, stage: job.stage, job });
      }
      if (response.done) return this.settled(response);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new WaitTimeout({
          code: "WAIT_TIMEOUT",
          message: `Job ${taskId} is still ${job.status} after ${timeoutS} s; it keeps running (pollVideo or cancel it).`,
          retryable: true,
          taskId,
        });
      }
      await sleep(Math.min(pause, left), options.signal);
      pause = Math.min(pause * 1.5, MAX_POLL_MS);
    }
  }

  /** Cancels a job (its credits are released); resolves with the job as it ended. */
  async cancel(taskId: string): Promise<VideoGenerationResponse> {
    const path = `/api/v1/tasks/${encodeURIComponent(taskId)}`;
    try {
      const { data } = await this.http.call<Job>({ method: "DELETE", path, idempotent: true });
      return this.response(data);
    } catch (error) {
      // A retried cancel whose first attempt went through answers 409: the job has ended.
      if (error instanceof ReelsmithError && error.code === "CONFLICT") {
        const now = await this.pollVideo(taskId);
        if (now.status === "cancelled") return now;
      }
      throw error;
    }
  }

  /** The price in credits (and expected time) of a request, before submitting it. */
  async estimateCost(request: VideoGenerationRequest | ProcessRequest): Promise<Estimate> {
    let json: Record<string, unknown>;
    if (request instanceof ProcessRequest) {
      const method = request.operation === "enhance" ? "upscale" : request.operation;
      json = { method, video: typeof request.source === "string" ? request.source : "file" };
      if (request.options.model) json.model = request.options.model;
    } else {
      json = await this.generateBody(request, { estimate: true });
    }
    const price = async (body: Record<string, unknown>) =>
      (await this.http.call<Estimate>({ method: "POST", path: "/api/v1/estimate-cost", json: body, idempotent: true })).data;
    const estimate = await price(json);
    const fallbacks = request instanceof VideoGenerationRequest ? request.options.fallbackModels ?? [] : [];
    if (!fallbacks.length) return estimate;
    // Each candidate priced the same way: the hold is the highest (as submit holds it).
    const prices: Record<string, number> = {};
    for (const model of fallbacks) prices[model] = (await price({ ...json, model })).estimated_credits;
    return {
      ...estimate,
      fallback_credits: prices,
      hold_credits: Math.max(estimate.estimated_credits, ...Object.values(prices)),
    };
  }

  /** The model catalogue, every page, filtered (`{method: 'text-to-video', available: true}`). */
  async models(filter: ModelFilter = {}): Promise<CatalogModel[]> {
    const models: CatalogModel[] = [];
    let path = "/api/v1/models";
    let query: ModelFilter | undefined = filter;
    for (;;) {
      const { data } = await this.http.call<Page<CatalogModel>>({ method: "GET", path, query: { ...query }, idempotent: true });
      models.push(...data.results);
      if (!data.next) return models;
      path = data.next;
      query = undefined;
    }
  }

  /** One model of the catalogue. */
  async model(modelId: string): Promise<CatalogModel> {
    const path = `/api/v1/models/${encodeURIComponent(modelId)}`;
    return (await this.http.call<CatalogModel>({ method: "GET", path, idempotent: true })).data;
  }

  /** Credits: owned, held by running jobs, available. */
  async balance(): Promise<Balance> {
    return (await this.http.call<Balance>({ method: "GET", path: "/api/v1/billing/balance", idempotent: true })).data;
  }

  /** Uploads a file (path under Node, bytes or a Blob) → its asset (`id` is `ast_…`). */
  async upload(file: MediaInput, options: { filename?: string } = {}): Promise<Asset> {
    const ref = mediaRef(file, options.filename ?? "upload");
    if (ref.kind !== "file") {
      throw new ReelsmithError({ code: "VALIDATION_ERROR", message: "upload() takes a file path, bytes or a Blob." });
    }
    const { blob, name } = await ref.load();
    const filename = options.filename ?? name;
    // An upload has no idempotency key: only a 429 (refused before anything was stored) is retried.
    const { data } = await this.http.call<Asset>({
      method: "POST",
      path: "/api/v1/uploads",
      body: () => fileForm("file", blob, filename),
      idempotent: false,
    });
    return data;
  }

  // --- internals -----------------------------------------------------------------------

  private async submit(path: string, json: Record<string, unknown>, options: SubmitOptions): Promise<VideoGenerationResponse> {
    const key = options.idempotencyKey ?? (await randomId());
    const { data } = await this.http.call<Job>({
      method: "POST",
      path,
      json,
      headers: { "Idempotency-Key": key },
      idempotent: true,
      signal: options.signal,
    });
    const response = this.response(data);
    if (options.wait === false) return response;
    if (response.done) {
      options.onProgress?.({ taskId: data.id, status: data.status, progress: data.progress, stage: data.stage, job: data });
      return this.settled(response);
    }
    return this.waitForVideo(data.capability_url ?? data.id, options);
  }

  /** A completed job as is; any other end as its typed error. */
  private settled(response: VideoGenerationResponse): VideoGenerationResponse {
    if (response.status === "completed") return response;
    const error = response.error;
    const init = {
      code: error?.code ?? response.status.toUpperCase(),
      message: error?.message ?? `Job ${response.taskId} ended ${response.status}.`,
      retryable: error?.retryable ?? false,
      taskId: response.taskId,
    };
    const typed = errorFor(init);
    throw typed.constructor === ReelsmithError ? new JobFailed(init) : typed;
  }

  private response(job: Job): VideoGenerationResponse {
    return new VideoGenerationResponse(job, this.videoSource);
  }

  private readonly videoSource: VideoSource = {
    download: async (response) => {
      // The MP4 (an HLS result's videoUrl is its playlist).
      let url = response.mp4Url ?? response.videoUrl;
      for (let attempt = 0; url; attempt++) {
        let answer: Response;
        try {
          answer = await this.http.fetchImpl(url);
        } catch (cause) {
          throw new APIConnectionError({ code: "CONNECTION_ERROR", message: `GET ${url}: ${String(cause)}`, retryable: true, cause });
        }
        if (answer.ok) return answer;
        // Signed links are short-lived: read the job again for a fresh one, once.
        if (attempt === 0 && [400, 401, 403, 404, 410].includes(answer.status)) {
          const again = await this.pollVideo(response.capabilityUrl ?? response.taskId);
          url = again.mp4Url ?? again.videoUrl;
          continue;
        }
        throw await errorFromResponse(answer);
      }
      throw new NotFound({ code: "NOT_FOUND", message: `Job ${response.taskId} has no video.`, taskId: response.taskId });
    },
  };

  /** `{source_url | source_asset}` for a reference; files are uploaded first. */
  private async inputFields(prefix: string, input: MediaInput | undefined): Promise<Record<string, string>> {
    if (input === undefined) return {};
    const ref = mediaRef(input, prefix);
    if (ref.kind === "url") return { [`${prefix}_url`]: ref.url };
    if (ref.kind === "asset") return { [`${prefix}_asset`]: ref.id };
    // A visitor (no key) cannot upload: the file travels inline as base64 (JSON bodies: 10 MB).
    if (!this.http.apiKey) return { [`${prefix}_data`]: await base64Of((await ref.load()).blob) };
    return { [`${prefix}_asset`]: (await this.upload(input)).id };
  }

  private async generateBody(request: VideoGenerationRequest, mode: { estimate?: boolean } = {}): Promise<Record<string, unknown>> {
    const o = request.options;
    const body: Record<string, unknown> = { method: request.method };
    if (request.prompt) body.prompt = request.prompt;
    const plain: [keyof typeof o, string][] = [
      ["model", "model"],
      ["duration", "duration"],
      ["resolution", "resolution"],
      ["aspectRatio", "aspect_ratio"],
      ["fps", "fps"],
      ["quality", "quality"],
      ["seed", "seed"],
      ["negativePrompt", "negative_prompt"],
      ["withAudio", "with_audio"],
      ["cameraMotion", "camera_motion"],
      ["motionStrength", "motion_strength"],
    ];
    for (const [option, field] of plain) if (o[option] !== undefined) body[field] = o[option];
    const continuing = o.mode === "continue" && request.method === "extend-video";
    if (mode.estimate && continuing) {
      // A continuation is priced as the model's image-to-video run from the last frame.
      body.method = "image-to-video";
    } else if (o.mode !== undefined) {
      body.mode = o.mode;
    }
    if (!mode.estimate) {
      if (o.crossfade !== undefined) body.crossfade = o.crossfade;
      if (o.fallbackModels?.length) body.fallback_models = [...o.fallbackModels];
      if (o.outputFormat !== undefined) body.output_format = o.outputFormat;
    }
    if (o.storyboard) body.storyboard = o.storyboard.map((s) => ({ prompt: s.prompt, duration: s.duration }));
    if ((o.width !== undefined || o.height !== undefined) && (o.resolution === undefined || o.aspectRatio === undefined)) {
      const model = o.model ? await this.cachedModel(o.model) : undefined;
      const shape = shapeFor(o.width, o.height, model?.resolutions, model?.aspect_ratios);
      if (o.resolution === undefined) body.resolution = shape.resolution;
      if (o.aspectRatio === undefined && shape.aspectRatio !== undefined) body.aspect_ratio = shape.aspectRatio;
    }
    if (o.image !== undefined && o.video !== undefined) {
      throw new ReelsmithError({
        code: "VALIDATION_ERROR",
        message: "A request takes an image or a video as its source, not both.",
        details: { fields: { image: "conflicts with video" } },
      });
    }
    if (mode.estimate) {
      // The estimate only needs to know which inputs are present.
      const present = (input: MediaInput | undefined) => (typeof input === "string" ? input : "file");
      if (o.image !== undefined) body.image = present(o.image);
      if (o.endImage !== undefined) body.end_image = present(o.endImage);
      if (o.video !== undefined) body[continuing ? "image" : "video"] = present(o.video);
      if (o.audioFile !== undefined) body.audio = present(o.audioFile);
      return body;
    }
    Object.assign(body, await this.inputFields("source", o.image ?? o.video));
    Object.assign(body, await this.inputFields("end_image", o.endImage));
    Object.assign(body, await this.inputFields("audio", o.audioFile));
    if (o.webhookUrl) body.webhook_url = o.webhookUrl;
    return body;
  }

  /** The model's entry, to map width/height onto what it makes (an unknown id: the standard lists). */
  private async cachedModel(modelId: string): Promise<CatalogModel | undefined> {
    let entry = this.modelCache.get(modelId);
    if (!entry) {
      entry = this.model(modelId);
      this.modelCache.set(modelId, entry);
      entry.catch(() => this.modelCache.delete(modelId));
    }
    try {
      return await entry;
    } catch (error) {
      if (error instanceof NotFound) return undefined; // the submit names the problem
      throw error;
    }
  }
}

async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
