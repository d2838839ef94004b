import type { AppError, ErrorKind } from "./bindings";

// A Record so that this fails to compile when bindings.ts gains or loses a kind.
const KINDS: Record<ErrorKind, true> = {
  NotFound: true,
  Unauthorized: true,
  Forbidden: true,
  Conflict: true,
  Invalid: true,
  Unreachable: true,
  Timeout: true,
  KeyringUnavailable: true,
  StalePlan: true,
  Locked: true,
  PreflightFailed: true,
  Internal: true,
};

/** Every kind the Rust side can report. */
export const ERROR_KINDS = Object.keys(KINDS) as readonly ErrorKind[];

/**
 * An {@link AppError} thrown out of a query function.
 *
 * Commands return `Result<T, AppError>`; the query hooks unwrap it and throw this,
 * so TanStack Query sees a real `Error` (stack, `instanceof`) that still carries the
 * `kind`, `message` and HTTP `status` the Rust side sent.
 */
export class IpcError extends Error implements AppError {
  readonly kind: ErrorKind;
  readonly status: number | null;

  constructor(error: AppError, options?: ErrorOptions) {
    super(error.message, options);
    this.name = "IpcError";
    this.kind = error.kind;
    this.status = error.status;
  }

  toJSON(): AppError {
    return { kind: this.kind, message: this.message, status: this.status };
  }
}

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && Object.hasOwn(KINDS, value);
}

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isErrorKind(v.kind) &&
    typeof v.message === "string" &&
    (v.status === null || v.status === undefined || typeof v.status === "number")
  );
}

/**
 * Turns anything a command can throw or reject with into an {@link IpcError}.
 *
 * - an AppError object (the normal error path of a command);
 * - an `Error` thrown by `invoke` itself (e.g. no Tauri runtime, unknown command);
 * - a bare string (a command that returns `Result<_, String>`).
 */
export function toIpcError(value: unknown): IpcError {
  if (value instanceof IpcError) return value;
  if (isAppError(value)) {
    return new IpcError({ kind: value.kind, message: value.message, status: value.status ?? null });
  }
  if (value instanceof Error) {
    return new IpcError({ kind: "Internal", message: value.message, status: null }, { cause: value });
  }
  if (typeof value === "string") {
    return new IpcError({ kind: "Internal", message: value, status: null });
  }
  return new IpcError({ kind: "Internal", message: String(value), status: null }, { cause: value });
}

/** i18n key of the short, human name of an error kind ("Unreachable" -> "Cannot connect"). */
export function errorKindKey(kind: ErrorKind) {
  return `errors.kind.${kind}` as const;
}

/** i18n key of a one-line hint about what the user can do about an error kind. */
export function errorHintKey(kind: ErrorKind) {
  return `errors.hint.${kind}` as const;
}

/** Kinds worth retrying automatically: the network may come back on its own. */
export function isTransient(kind: ErrorKind): boolean {
  return kind === "Unreachable" || kind === "Timeout";
}
