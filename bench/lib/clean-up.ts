/**
 * A benchmark's clean-up: every step runs even when one before it failed (each failure is printed
 * and makes the exit code 1), once, whether the run ends, fails or is interrupted (Ctrl-C).
 */
export function cleanUpOnce(steps: () => [string, () => Promise<unknown>][], interrupted: string): () => Promise<void> {
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      for (const [what, step] of steps()) {
        try {
          await step();
        } catch (error) {
          console.error(`clean-up: ${what} failed: ${error instanceof Error ? error.message.split('\n').map((line) => line.trim()).filter(Boolean).at(-1) : String(error)}`);
          process.exitCode = 1;
        }
      }
    })());
  // A second signal (Ctrl-C twice; `timeout` passes its own on to the whole group) must not cut the
  // clean-up short: it is noted, and SIGQUIT (Ctrl-\) still ends the process at once.
  let interruptedBy: string | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interruptedBy) return void console.error(`${signal}: still cleaning up (Ctrl-\\ quits without)`);
      interruptedBy = signal;
      console.error(`\n${signal}: ${interrupted}`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  return cleanUp;
}
