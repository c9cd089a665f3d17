// A sleep that an event can cut short.  The Consumer, queue_splitter's
// one-database loop and pgq-runner's ticker wait on one until their
// interval passes, a notification arrives or they are stopped.  A
// notification that comes while nobody sleeps is remembered (notify()), so
// the next sleep returns at once; interrupt() only ends a sleep in progress.
import { sleep } from "./sleep.js";

export class Waker {
  private pending = false;
  private wakeNow: (() => void) | undefined;

  /** Something happened: end the current sleep, or make the next one return at once. */
  notify(): void {
    this.pending = true;
    this.wakeNow?.();
  }

  /** Ends the current sleep, if there is one. */
  interrupt(): void {
    this.wakeNow?.();
  }

  /** Forgets the notifications so far (before looking for work). */
  clear(): void {
    this.pending = false;
  }

  /** Sleeps ms, or until notify() (also one since clear()), interrupt() or abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) return Promise.resolve();
    // one signal for both ways of waking: this waker's and the caller's
    const wake = new AbortController();
    const end = () => wake.abort();
    signal?.addEventListener("abort", end, { once: true });
    this.wakeNow = end;
    return sleep(ms, wake.signal).finally(() => {
      signal?.removeEventListener("abort", end);
      if (this.wakeNow === end) this.wakeNow = undefined;
    });
  }
}
