// The one abortable sleep of the driver and the tools: every wait of a
// daemon loop goes through it, so a stop (SIGINT aborting the loop's
// signal) never waits out a period.

/** Waits ms, or less: resolves at once when signal aborts (or has aborted). Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
