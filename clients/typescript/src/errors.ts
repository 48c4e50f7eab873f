/**
 * Typed errors. Every API error arrives as
 * `{"error": {"code", "message", "retryable", "details"}}`; the client throws the subclass
 * named after its code, so callers can `catch (e) { if (e instanceof InsufficientCredits) … }`.
 */

/** Details of an API error (`error.details`): free-form, per code. */
export type ErrorDetails = Record<string, unknown>;

export interface ReelsmithErrorInit {
  code: string;
  message: string;
  retryable?: boolean;
  /** HTTP status; undefined for errors that did not come from an HTTP answer. */
  status?: number | undefined;
  details?: ErrorDetails;
  /** The job this error is about (a job that failed while waiting). */
  taskId?: string | undefined;
  cause?: unknown;
}

/** The base of every error this client throws. */
export class ReelsmithError extends Error {
  /** Upper-case error code, e.g. `INSUFFICIENT_CREDITS`. */
  readonly code: string;
  /** Whether the same request may succeed later. */
  readonly retryable: boolean;
  /** HTTP status of the answer, or undefined (connection errors, failed jobs, timeouts). */
  readonly status: number | undefined;
  readonly details: ErrorDetails;
  /** The job id (`job_…`) when the error is about a job. */
  readonly taskId: string | undefined;

  constructor(init: ReelsmithErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    this.status = init.status;
    this.details = init.details ?? {};
    this.taskId = init.taskId;
  }
}

/** 402: the workspace's available credits do not cover the job's price. */
export class InsufficientCredits extends ReelsmithError {}

/** 402: the API key's `monthly_credit_limit` does not cover the job (`details.limit`, `details.remaining`). */
export class KeyBudgetExceeded extends InsufficientCredits {}

/** 429: the tier's request rate or concurrent-job limit. */
export class RateLimited extends ReelsmithError {
  /** Seconds to wait before trying again (the `Retry-After` header), if the server said. */
  readonly retryAfter: number | undefined;

  constructor(init: ReelsmithErrorInit & { retryAfter?: number | undefined }) {
    super(init);
    this.retryAfter = init.retryAfter;
  }
}

/** The prompt or a result was refused by moderation (`CONTENT_POLICY`). */
export class ContentPolicy extends ReelsmithError {}

/** 413: a file (`FILE_TOO_LARGE`) or a body (`PAYLOAD_TOO_LARGE`) past its limit. */
export class FileTooLarge extends ReelsmithError {}

/** The workspace's storage quota is full (`STORAGE_FULL`). */
export class StorageFull extends ReelsmithError {}

/** The model is not available (`MODEL_UNAVAILABLE`); `details.problems` lists alternatives. */
export class ModelUnavailable extends ReelsmithError {}

/** 400: invalid input. `details` names the fields (`details.fields`, `details.problems`). */
export class ValidationError extends ReelsmithError {}

/** 404: no such id in your workspace. */
export class NotFound extends ReelsmithError {}

/** 401: a missing or bad API key. */
export class AuthenticationError extends ReelsmithError {}

/** 403: the key's role may not do this. */
export class PermissionDenied extends ReelsmithError {}

/** 409: the job has already ended, or an Idempotency-Key was reused with another body. */
export class Conflict extends ReelsmithError {}

/** The server could not be reached, or the connection broke before an answer arrived. */
export class APIConnectionError extends ReelsmithError {}

/** Waiting for a job took longer than the `timeout` given. The job keeps running. */
export class WaitTimeout extends ReelsmithError {}

/** A job ended without a video (failed, cancelled or rejected) for a reason with no class of its own. */
export class JobFailed extends ReelsmithError {}

const BY_CODE: Record<string, typeof ReelsmithError> = {
  INSUFFICIENT_CREDITS: InsufficientCredits,
  KEY_BUDGET_EXCEEDED: KeyBudgetExceeded,
  CONTENT_POLICY: ContentPolicy,
  FILE_TOO_LARGE: FileTooLarge,
  PAYLOAD_TOO_LARGE: FileTooLarge,
  STORAGE_FULL: StorageFull,
  MODEL_UNAVAILABLE: ModelUnavailable,
  VALIDATION_ERROR: ValidationError,
  INVALID_PROMPT: ValidationError,
  INVALID_RESOLUTION: ValidationError,
  UNSUPPORTED_FORMAT: ValidationError,
  INVALID_FORMAT: ValidationError,
  NOT_FOUND: NotFound,
  AUTHENTICATION_FAILED: AuthenticationError,
  PERMISSION_DENIED: PermissionDenied,
  CONFLICT: Conflict,
};

/** The error class for a code (ReelsmithError for codes without their own). */
export function errorFor(init: ReelsmithErrorInit & { retryAfter?: number | undefined }): ReelsmithError {
  if (init.code === "RATE_LIMIT_EXCEEDED") return new RateLimited(init);
  const cls = BY_CODE[init.code] ?? ReelsmithError;
  return new cls(init);
}
