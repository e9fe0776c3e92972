/** A measurement taken every so often until `stop`. */
export interface Periodic {
  stop(): void;
}

/**
 * Runs `measure` now and then every `intervalMs`, never two at once: a tick that comes
 * while the last measurement is still out is skipped. `measure` handles its own
 * failures (a rejection is ignored). The timer does not keep the process alive.
 */
export function everyInterval(intervalMs: number, measure: () => Promise<unknown>): Periodic {
  let busy = false;
  const tick = (): void => {
    if (busy) return;
    busy = true;
    measure()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
