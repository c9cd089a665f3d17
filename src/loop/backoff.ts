// The daemon loop every tool runs, written once:
//   while (!signal.aborted) { wait = await step() (or, on failure, the
//   backoff, after onError); await sleep(wait, signal) }
// and retry(), the same for one thing that must succeed before the loop
// starts (queue_splitter's registration).  A step in progress is never cut
// short: an abort ends the waits only, so the first SIGINT lets the current
// tick or batch finish.
import { sleep } from "./sleep.js";

/** Waits after failures in a row: firstMs, doubled after each, never above maxMs. */
export interface BackoffPolicy {
  readonly firstMs: number;
  readonly maxMs: number;
}

/**
 * The loops' backoffs.  They differ on purpose: what a loop does decides how
 * soon it should try again and how long an outage may keep it waiting once
 * the database is back.
 */
export const BACKOFF = {
  /**
   * The Consumer's batch loop: a failed batch handler is tried again soon
   * (its events wait meanwhile), a database that is down at most every 10 s.
   */
  consumer: { firstMs: 100, maxMs: 10_000 },
  /**
   * pgq-runner's (and pgqadm ticker's) ticker: every consumer waits for
   * ticks, so the ticker is back within 5 s of its database.
   */
  ticker: { firstMs: 500, maxMs: 5_000 },
  /**
   * pgq-runner's maintenance and retry loops: their work waits
   * maint_period / retry_period between rounds anyway, so up to 20 s.
   */
  maintenance: { firstMs: 500, maxMs: 20_000 },
  /** queue_splitter: its registration and its one-database loop (the two-database loop is a Consumer). */
  splitter: { firstMs: 500, maxMs: 10_000 },
} as const satisfies Record<string, BackoffPolicy>;

/** The wait after each failure in a row, per policy; reset() after a success. */
export class Backoff {
  private current: number;

  constructor(private readonly policy: BackoffPolicy) {
    this.current = policy.firstMs;
  }

  /** The wait after this failure; the next one waits twice that, up to maxMs. */
  next(): number {
    const wait = this.current;
    this.current = Math.min(wait * 2, this.policy.maxMs);
    return wait;
  }

  /** A success: the next failure waits firstMs again. */
  reset(): void {
    this.current = this.policy.firstMs;
  }
}

export interface LoopOptions {
  /** Ends the loop: the step in progress finishes, a wait ends at once. */
  signal?: AbortSignal;
  backoff: BackoffPolicy;
  /**
   * A step failed (or an attempt, in retry()); waitMs is the backoff before
   * the next.  Logs it and drops what the failure broke (a connection).  An
   * error it throws ends the loop with that error.
   */
  onError(err: unknown, waitMs: number): void | Promise<void>;
  /** How to wait (default: sleep); a Waker's sleep lets a notification end a wait early. */
  wait?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * Runs step() until signal aborts, waiting after each call the milliseconds
 * it returns (0: at once), after a failure the backoff.
 */
export async function runLoop(step: () => Promise<number>, o: LoopOptions): Promise<void> {
  const backoff = new Backoff(o.backoff);
  const wait = o.wait ?? sleep;
  while (!o.signal?.aborted) {
    let ms: number;
    try {
      ms = await step();
      backoff.reset();
    } catch (err) {
      ms = backoff.next();
      await o.onError(err, ms);
    }
    if (ms > 0) await wait(ms, o.signal);
  }
}

/**
 * Calls attempt() until it succeeds, waiting the backoff after each failure;
 * its result, or undefined when signal aborted during a wait.  The first
 * attempt is made even when signal has aborted already.
 */
export async function retry<T>(attempt: () => Promise<T>, o: LoopOptions): Promise<T | undefined> {
  const backoff = new Backoff(o.backoff);
  const wait = o.wait ?? sleep;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const ms = backoff.next();
      await o.onError(err, ms);
      await wait(ms, o.signal);
      if (o.signal?.aborted) return undefined;
    }
  }
}
