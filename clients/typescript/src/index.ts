/**
 * `@reelsmith/client`: the Reelsmith video API for TypeScript and JavaScript (Node ≥ 18,
 * browsers). No runtime dependencies: the platform's fetch, FormData and WebCrypto.
 *
 * ```ts
 * import { Reelsmith, VideoGenerationRequest } from '@reelsmith/client'
 * const client = Reelsmith.fromEnv()
 * const response = await client.generateVideo(new VideoGenerationRequest('A lighthouse at dusk').withDuration(5))
 * await response.save('lighthouse.mp4')
 * ```
 */

export { Reelsmith, Gallery, DEFAULT_BASE_URL } from "./client.js";
export type { ClientOptions, SubmitOptions, WaitOptions, Progress, ModelFilter, GalleryListParams, GallerySaveOptions } from "./client.js";
export {
  VideoGenerationRequest,
  ProcessRequest,
  shapeFor,
  STANDARD_RESOLUTIONS,
  STANDARD_ASPECT_RATIOS,
} from "./request.js";
export type { Method, Quality, Operation, StoryboardScene, VideoOptions, ProcessOptions, ProcessSettings } from "./request.js";
export { VideoGenerationResponse } from "./response.js";
export type { MediaInput } from "./files.js";
export {
  ReelsmithError,
  InsufficientCredits,
  KeyBudgetExceeded,
  RateLimited,
  ContentPolicy,
  FileTooLarge,
  StorageFull,
  ModelUnavailable,
  ValidationError,
  NotFound,
  AuthenticationError,
  PermissionDenied,
  Conflict,
  APIConnectionError,
  WaitTimeout,
  JobFailed,
} from "./errors.js";
export type { ErrorDetails } from "./errors.js";
export { verifyWebhook, WebhookVerificationError } from "./webhooks.js";
export type { WebhookEvent, WebhookHeaders, VerifyOptions } from "./webhooks.js";
export { TERMINAL_STATUSES } from "./types.js";
export type { Job, JobAttempt, JobStatus, JobResult, JobError, JobCredits, Balance, Estimate, CatalogModel, Asset, Page, Visibility } from "./types.js";
export { VERSION } from "./http.js";
