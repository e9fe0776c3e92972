import { useEffect, useState } from 'preact/hooks';

import type { DashboardState, Store } from './store.js';

/** The store's state, re-rendering on every change. */
export function useDashboard(store: Store): DashboardState {
  const [, setVersion] = useState(0);
  useEffect(
    () =>
      store.subscribe(() => {
        setVersion((v) => v + 1);
      }),
    [store],
  );
  return store.state;
}

/** The server's clock, ticking every `everyMs` (for durations that count up). */
export function useServerNow(store: Store, everyMs = 1000): number {
  const [now, setNow] = useState(() => store.serverNow());
  useEffect(() => {
    const timer = window.setInterval(() => {
      setNow(store.serverNow());
    }, everyMs);
    return () => {
      window.clearInterval(timer);
    };
  }, [store, everyMs]);
  return now;
}
