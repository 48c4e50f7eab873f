/** Shapes of the API's JSON answers (see /api/schema/). Amounts are in credits. */

import type { Quality } from "./request.js";

export type JobStatus =
  | "queued"
  | "review"
  | "running"
  | "delivering"
  | "completed"
  | "failed"
  | "cancelled"
  | "rejected";

export const TERMINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled", "rejected"];

export interface JobResult {
  /** Gallery asset id (`ast_…`). */
  asset: string;
  /** Absolute, signed, short-lived; for an HLS result, the master playlist. */
  video_url: string;
  /** The signed HLS master playlist (output format `hls`), else null. */
  hls_url?: string | null;
  /** The MP4 itself, signed, short-lived. */
  mp4_url?: string;
  thumbnail_url: string | null;
  /** Seconds. */
  duration: number | null;
  width: number | null;
  height: number | null;
  format: string;
  size_bytes: number;
}

export interface JobError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface JobCredits {
  /** Credits quoted at submit. */
  estimated: number;
  /** Credits reserved until delivery. */
  held: number;
  /** Credits captured on delivery. */
  charged: number;
}

/** One model a job tried (docs/jobs.md, Fallback models). */
export interface JobAttempt {
  model: string;
  provider: string;
  /** How it failed; null: it delivered. */
  error: { code: string; message: string } | null;
  at: string;
}

/** A job as `GET /api/v1/tasks/{id}` answers it. */
export interface Job {
  id: string;
  status: JobStatus;
  progress: number;
  stage: string;
  method: string;
  model: string;
  prompt: string;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  notes: string[];
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error: JobError | null;
  result: JobResult | null;
  credits: JobCredits;
  /** The fallback models asked for, in order. */
  fallback_models?: string[];
  /** Every model tried, in order. */
  attempts?: JobAttempt[];
  switched_from?: string;
  /** A visitor's free-perk job (no key): the only URL it can be read through. */
  capability_url?: string;
}

export interface Balance {
  /** Credits owned; negative in debt. */
  balance: number;
  /** Credits reserved by running jobs. */
  held: number;
  /** balance - held, never below 0. */
  available: number;
  low_credit_threshold: number | null;
  low_credit_threshold_effective: number;
}

export interface Estimate {
  model: string;
  method: string;
  /** Credits, tier discount applied. */
  estimated_credits: number;
  estimated_cost_usd: number;
  processing_time_estimate_s: number;
  confidence: "high" | "medium" | "low" | string;
  breakdown: Record<string, unknown>;
  /** false: priced, but submitting fails. */
  available: boolean;
  auto_selected: boolean;
  switched_from: string | null;
  parameters: Record<string, unknown>;
  notes: string[];
  /** Added by the client: with fallback models, the credits held at submit (the highest price). */
  hold_credits?: number;
  /** Added by the client: each fallback model's estimated credits. */
  fallback_credits?: Record<string, number>;
}

export interface CatalogModel {
  id: string;
  name: string;
  provider: string;
  provider_name: string;
  vendor: string;
  methods: string[];
  quality: Quality;
  available: boolean;
  unavailable_reason: string | null;
  /** Why it is unavailable: "disabled" | "not_configured" | "degraded"; null when available. */
  reason?: "disabled" | "not_configured" | "degraded" | null;
  featured: boolean;
  durations: { min?: number; max?: number; choices?: number[] } | null;
  default_duration: number | null;
  resolutions: string[];
  default_resolution: string | null;
  aspect_ratios: string[];
  default_aspect_ratio: string | null;
  fps: Record<string, unknown> | null;
  default_fps: number | null;
  prompt: string;
  inputs: { required: string[]; optional: string[] };
  options: string[];
  native_audio: boolean;
  pricing: Record<string, unknown>;
  aliases: string[];
  [key: string]: unknown;
}

export type Visibility = "private" | "unlisted" | "public";

export interface Asset {
  id: string;
  kind: "video" | "image" | "audio";
  status: string;
  title: string;
  original_name: string;
  content_type: string;
  size_bytes: number;
  duration: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  video_codec: string;
  audio_codec: string;
  visibility: Visibility;
  moderation_state: string;
  tags: string[];
  favorite: boolean;
  saved: boolean;
  prompt: string;
  model: string;
  source_job_id: string;
  url: string | null;
  download_url: string | null;
  thumbnail_url: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One page of a cursor list: follow `next` with `list({cursor})` or use `iterate()`. */
export interface Page<T> {
  results: T[];
  next: string | null;
  previous: string | null;
}
