/** The closed set of error kinds every host (IPC, CLI, web) reports. */
export const ERROR_KINDS = [
  'NotFound',
  'Conflict',
  'InvalidInput',
  'ConfirmationMismatch',
  'EngineUnavailable',
  'Integrity',
  'Unsupported',
  'Cancelled',
  'Internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** An error as data: what crosses IPC, the web socket and the CLI's `--json` output. */
export interface ErrorData {
  kind: ErrorKind;
  message: string;
}

/** An error the services throw on purpose; its message is written for the person reading it. */
export class VolsnapError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = `VolsnapError(${kind})`;
  }

  toData(): ErrorData {
    return { kind: this.kind, message: this.message };
  }
}

/** Turns anything thrown into error data; unknown failures become `Internal`. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof VolsnapError) return error.toData();
  if (isErrorData(error)) return { kind: error.kind, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'Internal', message };
}

export function isErrorData(value: unknown): value is ErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (ERROR_KINDS as readonly unknown[]).includes(kind);
}

/** The result envelope of every contract command. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData };
