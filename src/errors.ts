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
 * PQ011: a target is out of step with its source.  Tick tracking
 * (exactlyOnce mode "tick", queue_splitter): the tick the target recorded
 * is neither the batch's start nor its end ("Lost position: batch
 * <prev>..<cur>, dst has <tick>", pgq_ext.is_tick_done).  Also
 * pgq.restore_rebase_txids, when this server's transaction counter is too
 * low for a restored queue's ticks.
 */
export class OutOfStepError extends PgqError {}
/**
 * PQ012: a batch is still open where none may be (pgq_coop: a subconsumer
 * leaving with its batch, a main consumer holding one of its own).
 */
export class BatchOpenError extends PgqError {}
/** 22004 / 22023: a NULL or invalid argument. */
export class InvalidArgumentError extends PgqError {}
/** 42622: a name is too long (create_queue: over 1024 bytes). */
export class NameTooLongError extends PgqError {}
/** 23502: a NULL where a value is needed (the trigger producers: a NULL key column). */
export class NullValueError extends PgqError {}
/** 42501: the role may not call this. */
export class PermissionDeniedError extends PgqError {}
/**
 * 53200: the server's lock table is nearly full (create_queue: too many new
 * queues in one transaction).
 */
export class LockTableFullError extends PgqError {}
/**
 * 55000: pgq is not in a state that allows this (an update over queues
 * with storage names of their own; going back to PgQ 3.5 unconfirmed).
 */
export class ObjectStateError extends PgqError {}
/** 55P03: a lock was not had in time (an update waiting for pgq.queue). */
export class LockNotAvailableError extends PgqError {}

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
  PQ011: OutOfStepError,
  PQ012: BatchOpenError,
  "22004": InvalidArgumentError,
  "22023": InvalidArgumentError,
  "23502": NullValueError,
  "42501": PermissionDeniedError,
  "42622": NameTooLongError,
  "53200": LockTableFullError,
  "55000": ObjectStateError,
  "55P03": LockNotAvailableError,
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
