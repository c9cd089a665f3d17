// Errors raised by pgq, as classes chosen by SQLSTATE (never by message
// text).  The SQLSTATEs are listed in the README.
import pg from "pg";

/** Any error that PostgreSQL raised while running a pgq call. */
export class PgqError extends Error {
  readonly code: string | undefined;
  override readonly cause: unknown;
  constructor(message: string, code: string | undefined, cause?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.cause = cause;
  }
}

/** PQ001: the queue does not exist. */
export class QueueNotFoundError extends PgqError {}
/** PQ002: the consumer is not registered on the queue. */
export class NotSubscriberError extends PgqError {}
/** PQ003: no open batch has this id. */
export class BatchNotFoundError extends PgqError {}
/** PQ004: a tick to start from or move to does not exist. */
export class TickNotFoundError extends PgqError {}
/** PQ005: the queue refuses inserts. */
export class QueueDisabledError extends PgqError {}
/** PQ006: the transaction inserted more events than the queue allows. */
export class TxLimitError extends PgqError {}
/** PQ007: this queue may not be ticked this way (external or paused). */
export class TickerNotAllowedError extends PgqError {}
/** PQ008: the queue still has consumers. */
export class QueueInUseError extends PgqError {}
/** PQ009: the event is not in the batch. */
export class EventNotFoundError extends PgqError {}
/** PQ010: pgq's state is inconsistent (restored database, missing tick). */
export class PgqStateError extends PgqError {}
/**
 * PQ012: a batch is still open where none may be (pgq_coop: a subconsumer
 * leaving with its batch, a main consumer holding one of its own).
 */
export class BatchOpenError extends PgqError {}
/** 22004 / 22023: a NULL or invalid argument. */
export class InvalidArgumentError extends PgqError {}
/** 42501: the role may not call this. */
export class PermissionDeniedError extends PgqError {}

const byCode: Record<string, new (m: string, c: string | undefined, cause?: unknown) => PgqError> = {
  PQ001: QueueNotFoundError,
  PQ002: NotSubscriberError,
  PQ003: BatchNotFoundError,
  PQ004: TickNotFoundError,
  PQ005: QueueDisabledError,
  PQ006: TxLimitError,
  PQ007: TickerNotAllowedError,
  PQ008: QueueInUseError,
  PQ009: EventNotFoundError,
  PQ010: PgqStateError,
  PQ012: BatchOpenError,
  "22004": InvalidArgumentError,
  "22023": InvalidArgumentError,
  "42501": PermissionDeniedError,
};

/** Wraps a database error in its pgq class; anything else is returned unchanged. */
export function toPgqError(err: unknown): unknown {
  if (err instanceof pg.DatabaseError) {
    const cls = (err.code && byCode[err.code]) || PgqError;
    return new cls(err.message, err.code, err);
  }
  return err;
}

/** Runs fn and rethrows database errors as pgq classes. */
export async function mapErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toPgqError(err);
  }
}
