import { useState } from 'preact/hooks';

/** The login: the API key (or user and password) is posted once and becomes a session cookie. */
export function Login(props: { readonly mode: string; readonly onLoggedIn: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const basic = props.mode === 'basic';
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const field = (name: string): string => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    const body = basic
      ? { username: field('username'), password: field('password') }
      : { apiKey: field('apiKey') };
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch('/dashboard/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(body),
      });
      if (response.status === 204) {
        props.onLoggedIn();
        return;
      }
      setError(
        response.status === 401
          ? basic
            ? 'That user and password are not accepted.'
            : 'That API key is not accepted.'
          : `The reader answered ${response.status}; try again.`,
      );
    } catch {
      setError('The reader cannot be reached; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form
        class="login-card"
        onSubmit={(event) => {
          void submit(event);
        }}
        aria-labelledby="login-title"
      >
        <p class="brand">wfm-stream</p>
        <h1 id="login-title">Operations dashboard</h1>
        <p class="muted">
          {basic
            ? 'Sign in with a user of the reader (READER_BASIC_USERS).'
            : 'Sign in with an API key of the reader (READER_API_KEYS). npm start prints one.'}
        </p>
        {basic ? (
          <>
            <label for="username">User</label>
            <input id="username" name="username" autocomplete="username" required />
            <label for="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
            />
          </>
        ) : (
          <>
            <label for="apiKey">API key</label>
            <input
              id="apiKey"
              name="apiKey"
              type="password"
              autocomplete="off"
              spellcheck={false}
              required
            />
          </>
        )}
        <p class="error" role="alert">
          {error ?? ''}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="fine">The key is kept only in an HttpOnly session cookie of this site.</p>
      </form>
    </main>
  );
}
