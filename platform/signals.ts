/**
 * A shutdown that has not finished after this long exits anyway (status 1), so SIGTERM always ends the
 * process within 10 s, a container's default stop grace: the service's and the worker's own steps run
 * side by side under an 8 s deadline, whatever Redis and PostgreSQL do.
 */
export const STOP_DEADLINE_MS = 9_500;

/**
 * For a process entry point: on the first SIGTERM or SIGINT run `stop` once, then exit 0; if `stop` fails
 * or outlasts the deadline (a dependency that never answers), exit 1.
 */
export function stopOnSignals(stop: (signal: string) => Promise<void>, deadlineMs = STOP_DEADLINE_MS): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error(`shutdown did not finish within ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    void stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}
