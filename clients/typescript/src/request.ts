/**
 * Immutable request builders: every `with…` returns a new request and leaves the one it
 * was called on unchanged, so a base request can be shared and varied safely.
 */

import { ValidationError } from "./errors.js";
import type { MediaInput } from "./files.js";

export type Method = "text-to-video" | "image-to-video" | "extend-video" | "lip-sync" | "storyboard";
export type Quality = "draft" | "standard" | "premium";
export type Operation = "edit" | "enhance" | "transform" | "optimize" | "remove-background" | "retake";

export interface StoryboardScene {
  prompt: string;
  /** Seconds. */
  duration: number;
}

/** Everything a VideoGenerationRequest can carry (all optional but the prompt). */
export interface VideoOptions {
  model?: string;
  method?: Method;
  /** Seconds. */
  duration?: number;
  /** Pixels; mapped with `height` onto the nearest allowed resolution and aspect ratio. */
  width?: number;
  height?: number;
  /** `480p`, `720p`, `1080p`, … (wins over width/height). */
  resolution?: string;
  /** `16:9`, `9:16`, `1:1`, … (wins over width/height). */
  aspectRatio?: string;
  fps?: number;
  quality?: Quality;
  seed?: number;
  negativePrompt?: string;
  /** Native audio (models that make sound). */
  withAudio?: boolean;
  /** The still for image-to-video and lip-sync. */
  image?: MediaInput;
  endImage?: MediaInput;
  /** The clip for extend-video. */
  video?: MediaInput;
  /** The soundtrack for lip-sync. */
  audioFile?: MediaInput;
  cameraMotion?: string;
  motionStrength?: number;
  storyboard?: readonly StoryboardScene[];
  webhookUrl?: string;
  /** Models (same method, up to 3) tried in order if the model's provider fails before any output. */
  fallbackModels?: readonly string[];
  /** `continue` on extend-video with an image-to-video model; Grok's fun/normal/spicy. */
  mode?: string;
  /** Seconds (0–1) of dissolve between a video and its continuation. */
  crossfade?: number;
  /** `hls`: also an adaptive HLS set (tiers in the server's HLS_TIERS). */
  outputFormat?: "hls";
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ValidationError({
      code: "VALIDATION_ERROR",
      message: `${name} must be a positive whole number, not ${String(value)}.`,
      details: { fields: { [name]: String(value) } },
    });
  }
  return value;
}

/** A video to generate. `new VideoGenerationRequest('A lighthouse at dusk').withDuration(5)`. */
export class VideoGenerationRequest {
  readonly prompt: string;
  readonly options: Readonly<VideoOptions>;

  constructor(prompt: string, options: VideoOptions = {}) {
    if (typeof prompt !== "string") {
      throw new ValidationError({ code: "VALIDATION_ERROR", message: "prompt must be a string." });
    }
    this.prompt = prompt;
    const copy: VideoOptions = { ...options };
    if (copy.storyboard) copy.storyboard = Object.freeze(copy.storyboard.map((scene) => Object.freeze({ ...scene })));
    this.options = Object.freeze(copy);
    Object.freeze(this);
  }

  /** A copy with `patch` applied. */
  with(patch: VideoOptions): VideoGenerationRequest {
    return new VideoGenerationRequest(this.prompt, { ...this.options, ...patch });
  }

  withPrompt(prompt: string): VideoGenerationRequest {
    return new VideoGenerationRequest(prompt, this.options);
  }
  /** A catalogue model id (`GET /api/v1/models`), e.g. `local/text-to-video`. */
  withModel(model: string): VideoGenerationRequest {
    return this.with({ model });
  }
  withMethod(method: Method): VideoGenerationRequest {
    return this.with({ method });
  }
  /** Seconds of video. */
  withDuration(seconds: number): VideoGenerationRequest {
    return this.with({ duration: positiveInteger("duration", seconds) });
  }
  withWidth(pixels: number): VideoGenerationRequest {
    return this.with({ width: positiveInteger("width", pixels) });
  }
  withHeight(pixels: number): VideoGenerationRequest {
    return this.with({ height: positiveInteger("height", pixels) });
  }
  withResolution(resolution: string): VideoGenerationRequest {
    return this.with({ resolution });
  }
  withAspectRatio(aspectRatio: string): VideoGenerationRequest {
    return this.with({ aspectRatio });
  }
  withFps(fps: number): VideoGenerationRequest {
    return this.with({ fps: positiveInteger("fps", fps) });
  }
  withQuality(quality: Quality): VideoGenerationRequest {
    return this.with({ quality });
  }
  withSeed(seed: number): VideoGenerationRequest {
    return this.with({ seed });
  }
  withNegativePrompt(negativePrompt: string): VideoGenerationRequest {
    return this.with({ negativePrompt });
  }
  /** Native audio on models that make sound. */
  withAudio(enabled = true): VideoGenerationRequest {
    return this.with({ withAudio: enabled });
  }
  /** A file path (Node), bytes, a Blob, an http(s) URL, or an asset id (`ast_…`). */
  withImage(image: MediaInput): VideoGenerationRequest {
    return this.with({ image });
  }
  withEndImage(image: MediaInput): VideoGenerationRequest {
    return this.with({ endImage: image });
  }
  /** The clip to extend (extend-video). */
  withVideo(video: MediaInput): VideoGenerationRequest {
    return this.with({ video });
  }
  /** The soundtrack to lip-sync to. */
  withAudioFile(audio: MediaInput): VideoGenerationRequest {
    return this.with({ audioFile: audio });
  }
  withCameraMotion(motion: string): VideoGenerationRequest {
    return this.with({ cameraMotion: motion });
  }
  withMotionStrength(strength: number): VideoGenerationRequest {
    return this.with({ motionStrength: strength });
  }
  /** Scenes of a multi-shot video: `[{prompt, duration}, …]`. */
  withStoryboard(scenes: readonly StoryboardScene[]): VideoGenerationRequest {
    return this.with({ storyboard: scenes });
  }
  /** Also POST this job's terminal event here (verify it with `verifyWebhook`). */
  withWebhookUrl(url: string): VideoGenerationRequest {
    return this.with({ webhookUrl: url });
  }

  /**
   * Fallback models: tried in order if the model's provider fails before any output. The
   * hold is the highest of their prices; the job is charged the model that delivered.
   */
  withFallbackModels(...models: string[]): VideoGenerationRequest {
    return this.with({ fallbackModels: models.length ? models : undefined });
  }
  withMode(mode: string): VideoGenerationRequest {
    return this.with({ mode });
  }
  withCrossfade(seconds: number): VideoGenerationRequest {
    return this.with({ crossfade: seconds });
  }
  /**
   * Continue the video (`withVideo`) with an image-to-video `model`: it starts from the
   * video's last frame; the result is the source followed by the continuation, priced as
   * the model's run. Chain it to build long videos.
   */
  withContinuation(model: string, options: { crossfade?: number } = {}): VideoGenerationRequest {
    return this.with({ method: "extend-video", mode: "continue", model, crossfade: options.crossfade });
  }
  /** `hls`: the result then has `hlsUrl` (the signed master playlist) besides `mp4Url`. */
  withOutputFormat(format: "hls"): VideoGenerationRequest {
    return this.with({ outputFormat: format });
  }

  // The spec's own spellings (`request.with_model('…')`), so its examples run unchanged.
  with_model(model: string): VideoGenerationRequest {
    return this.withModel(model);
  }
  with_duration(seconds: number): VideoGenerationRequest {
    return this.withDuration(seconds);
  }
  with_width(pixels: number): VideoGenerationRequest {
    return this.withWidth(pixels);
  }
  with_height(pixels: number): VideoGenerationRequest {
    return this.withHeight(pixels);
  }

  /** The method: as set, else what the inputs imply. */
  get method(): Method {
    const o = this.options;
    if (o.method) return o.method;
    if (o.storyboard) return "storyboard";
    if (o.video !== undefined) return "extend-video";
    if (o.image !== undefined && o.audioFile !== undefined) return "lip-sync";
    if (o.image !== undefined) return "image-to-video";
    return "text-to-video";
  }
}

/** Settings of a process operation (names in docs/jobs.md: trim_start, target_resolution, …). */
export type ProcessSettings = Record<string, string | number | boolean>;

export interface ProcessOptions {
  model?: string;
  settings?: ProcessSettings;
  webhookUrl?: string;
  /**
   * `retake` and `edit` with an AI edit model (e.g. `lightricks/ltx-2-retake`): what the
   * regenerated stretch shows (required there, ≤ 2000 characters). Sent only when given;
   * the local operations take none (the server refuses one).
   */
  prompt?: string;
}

function checkedPrompt(prompt: unknown): void {
  if (prompt !== undefined && typeof prompt !== "string") {
    throw new ValidationError({
      code: "VALIDATION_ERROR",
      message: `prompt must be a string, not ${typeof prompt}.`,
      details: { field: "prompt" },
    });
  }
}

/**
 * An operation on an existing video. Operations: edit, enhance, transform, optimize,
 * remove-background, retake. A retake regenerates a stretch from a prompt:
 * `new ProcessRequest('retake', 'take.mp4', {prompt: 'She turns and smiles', settings: {start_time: 1.5, duration: 4}})`.
 */
export class ProcessRequest {
  readonly operation: Operation;
  readonly source: MediaInput;
  readonly options: Readonly<ProcessOptions>;

  constructor(operation: Operation, source: MediaInput, options: ProcessOptions = {}) {
    checkedPrompt(options.prompt);
    this.operation = operation;
    this.source = source;
    this.options = Object.freeze({ ...options, settings: Object.freeze({ ...(options.settings ?? {}) }) });
    Object.freeze(this);
  }

  private with(patch: ProcessOptions): ProcessRequest {
    return new ProcessRequest(this.operation, this.source, { ...this.options, ...patch });
  }
  withSource(source: MediaInput): ProcessRequest {
    return new ProcessRequest(this.operation, source, this.options);
  }
  withModel(model: string): ProcessRequest {
    return this.with({ model });
  }
  /** One setting, e.g. `withSetting('trim_start', 1)`. */
  withSetting(name: string, value: string | number | boolean): ProcessRequest {
    return this.with({ settings: { ...this.options.settings, [name]: value } });
  }
  /** Several settings, merged over the ones already set. */
  withSettings(settings: ProcessSettings): ProcessRequest {
    return this.with({ settings: { ...this.options.settings, ...settings } });
  }
  withWebhookUrl(url: string): ProcessRequest {
    return this.with({ webhookUrl: url });
  }
  /** The prompt of a retake (or an AI edit model's edit): what the new stretch shows. */
  withPrompt(prompt: string): ProcessRequest {
    return this.with({ prompt });
  }
}

/** Resolutions and aspect ratios a size is mapped onto when the model does not say. */
export const STANDARD_RESOLUTIONS = ["360p", "480p", "540p", "720p", "1080p", "1440p", "2160p"];
export const STANDARD_ASPECT_RATIOS = ["16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9"];

// How far (as a factor) a size may be from the allowed one it is mapped onto.
const RESOLUTION_TOLERANCE = 1.5;
const ASPECT_TOLERANCE = 1.2;

function ratioOf(aspect: string): number {
  const [w, h] = aspect.split(":").map(Number);
  return (w ?? NaN) / (h ?? NaN);
}

/**
 * `width`×`height` → the nearest allowed `resolution` (by the short side: 1280×720 is 720p)
 * and `aspect_ratio`. Only one of them: the other side follows 16:9 (landscape).
 * Throws ValidationError listing the allowed values when none is near.
 */
export function shapeFor(
  width: number | undefined,
  height: number | undefined,
  resolutions: readonly string[] = STANDARD_RESOLUTIONS,
  aspectRatios: readonly string[] = STANDARD_ASPECT_RATIOS,
): { resolution: string; aspectRatio: string | undefined } {
  const w = width ?? Math.round(((height ?? 0) * 16) / 9);
  const h = height ?? Math.round(((width ?? 0) * 9) / 16);
  const short = Math.min(w, h);
  const nearest = <T>(items: readonly T[], distance: (item: T) => number) =>
    items.reduce<[T | undefined, number]>(
      (best, item) => (distance(item) < best[1] ? [item, distance(item)] : best),
      [undefined, Infinity],
    );
  const [resolution, rDistance] = nearest(
    resolutions.filter((r) => /^\d+p$/.test(r)),
    (r) => Math.abs(Math.log(parseInt(r, 10) / short)),
  );
  if (resolution === undefined || rDistance > Math.log(RESOLUTION_TOLERANCE)) {
    throw new ValidationError({
      code: "INVALID_RESOLUTION",
      message: `${w}x${h} is not near any resolution this model makes; allowed: ${resolutions.join(", ") || "as the input"}.`,
      details: { fields: { width: w, height: h }, allowed: [...resolutions] },
    });
  }
  if (width === undefined || height === undefined) return { resolution, aspectRatio: undefined };
  const [aspectRatio, aDistance] = nearest(
    aspectRatios.filter((a) => Number.isFinite(ratioOf(a))),
    (a) => Math.abs(Math.log(ratioOf(a) / (w / h))),
  );
  if (aspectRatio === undefined || aDistance > Math.log(ASPECT_TOLERANCE)) {
    throw new ValidationError({
      code: "INVALID_RESOLUTION",
      message: `${w}x${h} is not near any aspect ratio this model makes; allowed: ${aspectRatios.join(", ") || "as the input"}.`,
      details: { fields: { width: w, height: h }, allowed: [...aspectRatios] },
    });
  }
  return { resolution, aspectRatio };
}
