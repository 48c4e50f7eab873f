/**
 * A job as the spec's VideoGenerationResponse: `videoUrl`, `videoBytes`, `format`,
 * `duration`, `width`, `height`, `taskId`, `status`, `size`, also under the spec's own
 * spellings (`video_url`, `task_id`, `video_bytes`).
 */

import { ReelsmithError } from "./errors.js";
import { nodeModule } from "./platform.js";
import type { Job, JobAttempt, JobCredits, JobError, JobStatus } from "./types.js";
import { TERMINAL_STATUSES } from "./types.js";

/** Downloads a job's video; refreshes the signed URL when it has expired. */
export interface VideoSource {
  download(response: VideoGenerationResponse): Promise<Response>;
}

export class VideoGenerationResponse {
  /** The job as the API answered it. */
  readonly job: Job;
  private readonly source: VideoSource;
  private bytesPromise: Promise<Uint8Array | undefined> | undefined;

  constructor(job: Job, source: VideoSource) {
    this.job = job;
    this.source = source;
  }

  /** The job id (`job_…`). */
  get taskId(): string {
    return this.job.id;
  }
  /** queued, review, running, delivering, completed, failed, cancelled or rejected. */
  get status(): JobStatus {
    return this.job.status;
  }
  /** 0–100. */
  get progress(): number {
    return this.job.progress;
  }
  get stage(): string {
    return this.job.stage;
  }
  /** True once the job can change no more. */
  get done(): boolean {
    return TERMINAL_STATUSES.includes(this.job.status);
  }
  /** A signed, short-lived URL of the video once completed. */
  get videoUrl(): string | undefined {
    return this.job.result?.video_url;
  }
  /** The signed HLS master playlist of an HLS result (variants and segments expire with it). */
  get hlsUrl(): string | undefined {
    return this.job.result?.hls_url ?? undefined;
  }
  /** The MP4 itself (`videoUrl` is the playlist for an HLS result). */
  get mp4Url(): string | undefined {
    return this.job.result?.mp4_url ?? undefined;
  }
  /** Every model tried, in order (more than one when a fallback took over). */
  get attempts(): JobAttempt[] {
    return this.job.attempts ?? [];
  }
  get fallbackModels(): string[] {
    return this.job.fallback_models ?? [];
  }
  /** A visitor's free-perk job: the URL to poll it through (no key). */
  get capabilityUrl(): string | undefined {
    return this.job.capability_url ?? undefined;
  }
  get thumbnailUrl(): string | undefined {
    return this.job.result?.thumbnail_url ?? undefined;
  }
  /** The gallery asset (`ast_…`) holding the video. */
  get assetId(): string | undefined {
    return this.job.result?.asset;
  }
  /** Container format, e.g. `mp4`. */
  get format(): string {
    return this.job.result?.format || "mp4";
  }
  /** Seconds. */
  get duration(): number | undefined {
    return this.job.result?.duration ?? undefined;
  }
  get width(): number | undefined {
    return this.job.result?.width ?? undefined;
  }
  get height(): number | undefined {
    return this.job.result?.height ?? undefined;
  }
  /** Bytes of the video (0 until completed). */
  get size(): number {
    return this.job.result?.size_bytes ?? 0;
  }
  get error(): JobError | undefined {
    return this.job.error ?? undefined;
  }
  get credits(): JobCredits {
    return this.job.credits;
  }
  get model(): string {
    return this.job.model;
  }

  /**
   * The video's bytes, downloaded on first access (later accesses share the download);
   * undefined while the job has no video.
   */
  get videoBytes(): Promise<Uint8Array | undefined> {
    if (!this.bytesPromise) {
      this.bytesPromise = this.videoUrl ? this.fetchBytes() : Promise.resolve(undefined);
      // A failed download may be tried again by the next access.
      this.bytesPromise.catch(() => {
        this.bytesPromise = undefined;
      });
    }
    return this.bytesPromise;
  }

  private async fetchBytes(): Promise<Uint8Array> {
    const response = await this.source.download(this);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The video as a Blob (browsers: `URL.createObjectURL(await response.blob())`). */
  async blob(): Promise<Blob> {
    const bytes = await this.requireBytes();
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: `video/${this.format}` });
  }

  /** Streams the video to a file (Node only); resolves to the path. */
  async save(path: string): Promise<string> {
    if (!this.videoUrl) throw this.noVideo();
    const fs = await nodeModule("fs");
    if (this.bytesPromise) {
      const bytes = await this.bytesPromise;
      if (bytes) {
        await (await nodeModule("fs/promises")).writeFile(path, bytes);
        return path;
      }
    }
    const { Readable } = await nodeModule("stream");
    const { pipeline } = await nodeModule("stream/promises");
    const response = await this.source.download(this);
    if (!response.body) throw this.noVideo();
    await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(path));
    return path;
  }

  private async requireBytes(): Promise<Uint8Array> {
    const bytes = await this.videoBytes;
    if (!bytes) throw this.noVideo();
    return bytes;
  }

  private noVideo(): ReelsmithError {
    return new ReelsmithError({
      code: "NO_VIDEO",
      message: `Job ${this.taskId} has no video (status ${this.status}).`,
      taskId: this.taskId,
    });
  }

  // The spec's own spellings, so its examples run unchanged.
  /** Same as `videoUrl`. */
  get video_url(): string | undefined {
    return this.videoUrl;
  }
  /** Same as `taskId`. */
  get task_id(): string {
    return this.taskId;
  }
  /** Same as `videoBytes`. */
  get video_bytes(): Promise<Uint8Array | undefined> {
    return this.videoBytes;
  }
  /** Same as `thumbnailUrl`. */
  get thumbnail_url(): string | undefined {
    return this.thumbnailUrl;
  }

  toJSON(): Record<string, unknown> {
    return {
      task_id: this.taskId,
      status: this.status,
      progress: this.progress,
      video_url: this.videoUrl,
      format: this.format,
      duration: this.duration,
      width: this.width,
      height: this.height,
      size: this.size,
      error: this.error,
    };
  }
}
