import './styles.css';

import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';

import { timeOfDay } from './format.js';
import { useDashboard, useServerNow } from './hooks.js';
import { LiveConnection } from './live.js';
import { Store } from './store.js';
import { Agents } from './views/agents.js';
import { Exports } from './views/exports.js';
import { Login } from './views/login.js';
import { Pipeline } from './views/pipeline.js';
import { Queues } from './views/queues.js';
import { Today } from './views/today.js';

const VIEWS = [
  { id: 'queues', label: 'Queues', more: ' now' },
  { id: 'agents', label: 'Agents', more: ' now' },
  { id: 'today', label: 'Today' },
  { id: 'exports', label: 'Exports' },
  { id: 'pipeline', label: 'Pipeline' },
] as const;
type ViewId = (typeof VIEWS)[number]['id'];

function viewFromHash(): ViewId {
  const id = window.location.hash.replace(/^#\/?/, '');
  return VIEWS.some((v) => v.id === id) ? (id as ViewId) : 'queues';
}

function LiveBadge(props: { readonly store: Store }) {
  const state = useDashboard(props.store);
  const now = useServerNow(props.store);
  const { connection, staleSince, timeZone } = state;
  let text: string;
  let cls: string;
  if (connection === 'live' && state.serverHealthy) {
    text = 'Live';
    cls = 'live';
  } else if (connection === 'live') {
    text = 'Live, but the reader cannot read the figures';
    cls = 'stale';
  } else if (connection === 'stale') {
    text = `Reconnecting · data from ${staleSince === undefined ? '–' : timeOfDay(staleSince + state.clockOffsetMs, timeZone, true)}`;
    cls = 'stale';
  } else {
    text = 'Connecting…';
    cls = 'connecting';
  }
  return (
    <div class="status-line">
      <p class={`live-badge ${cls}`} role="status" aria-live="polite" data-testid="live-status">
        <span class="pulse" aria-hidden="true" />
        {text}
      </p>
      <p class="clock" aria-label={`Time in ${timeZone}`}>
        <time>{timeOfDay(now, timeZone, true)}</time> <span class="sub">{timeZone}</span>
      </p>
    </div>
  );
}

function Shell(props: { readonly onLogout: () => void }) {
  const store = useMemo(() => new Store(), []);
  const state = useDashboard(store);
  const [view, setView] = useState<ViewId>(viewFromHash);
  const [live] = useState(() => new LiveConnection({ store, onRefused: props.onLogout }));
  useEffect(() => {
    live.start(900_000);
    const onHash = (): void => {
      setView(viewFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      live.stop();
      window.removeEventListener('hashchange', onHash);
    };
  }, [live]);
  const logout = async (): Promise<void> => {
    live.stop();
    await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin' }).catch(
      () => undefined,
    );
    props.onLogout();
  };
  const body = (() => {
    switch (view) {
      case 'queues':
        return <Queues store={store} state={state} />;
      case 'agents':
        return <Agents store={store} state={state} />;
      case 'today':
        return (
          <Today
            store={store}
            state={state}
            onStep={(step) => {
              store.set({ todayStep: step });
              live.setStep(step);
            }}
          />
        );
      case 'exports':
        return <Exports store={store} state={state} />;
      case 'pipeline':
        return <Pipeline store={store} state={state} />;
    }
  })();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="title">
          <p class="brand">wfm-stream</p>
          <h1>Operations</h1>
        </div>
        <LiveBadge store={store} />
        <button
          type="button"
          class="quiet"
          onClick={() => {
            void logout();
          }}
        >
          Sign out
        </button>
      </header>
      <nav class="tabs" aria-label="Views">
        {VIEWS.map((v) => (
          <a key={v.id} href={`#${v.id}`} aria-current={view === v.id ? 'page' : undefined}>
            {v.label}
            {'more' in v && <span class="wide-only">{v.more}</span>}
          </a>
        ))}
      </nav>
      <main id="main" tabIndex={-1} class={state.connection === 'stale' ? 'is-stale' : undefined}>
        {body}
      </main>
    </>
  );
}

function App() {
  const [session, setSession] = useState<{ authenticated: boolean; mode: string } | undefined>();
  const check = (): void => {
    void fetch('/dashboard/session', { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<{ authenticated: boolean; mode: string }>)
      .then(setSession)
      .catch(() => {
        setSession({ authenticated: false, mode: 'api-key' });
      });
  };
  useEffect(check, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (!session.authenticated) return <Login mode={session.mode} onLoggedIn={check} />;
  return (
    <Shell
      onLogout={() => {
        setSession({ ...session, authenticated: false });
      }}
    />
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
