/**
 * Credentials never leave a process in text: not in logs, errors, parked records or probe
 * answers (docs/security.md#what-is-redacted). These helpers take them out of text that
 * may carry them.
 */

/** What a credential is replaced with. */
export const REDACTED = '***';

/**
 * `scheme://userinfo@`: the userinfo ends at the last `@` before the authority does (a
 * `/`, `?`, `#`, white space, a double quote or an angle bracket), as a URL parser reads
 * it, so an unencoded `@` in a password is covered too. When in doubt it takes more (up
 * to an `@` further on in the same word), never less.
 */
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/?#"<>]*@/g;

/** An `Authorization` value: `Basic <base64>`, `Bearer <token>`. */
const AUTHORIZATION_VALUE = /\b(Basic|Bearer)\s+[A-Za-z0-9._~+/-]+=*/g;

/**
 * The URL with its userinfo (user name and password) replaced by `***`:
 * `redis://app:s3cret@redis:6379/0` → `redis://***@redis:6379/0`. A URL without userinfo
 * comes back as it was; text that is not a URL comes back through `redactText`.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return redactText(String(url));
  }
  if (parsed.username === '' && parsed.password === '') return parsed.href;
  const copy = new URL(parsed.href);
  copy.username = '';
  copy.password = '';
  const href = copy.href;
  const at = href.indexOf('//');
  return at < 0 ? href : `${href.slice(0, at + 2)}${REDACTED}@${href.slice(at + 2)}`;
}

/**
 * The text with the userinfo of every URL in it replaced by `***`, and every
 * `Authorization` value (`Basic …`, `Bearer …`) by its scheme and `***`. For any text
 * that may quote a URL or a request: an error message, an answer's body, a log line.
 */
export function redactText(text: string): string {
  if (!text.includes('@') && !text.includes('Basic') && !text.includes('Bearer')) return text;
  return text
    .replace(URL_USERINFO, (_match, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(AUTHORIZATION_VALUE, (_match, scheme: string) => `${scheme} ${REDACTED}`);
}

/** How an `Authorization` header is recorded: its scheme only, `<redacted: Basic>`. */
export function describeAuthorization(value: string): string {
  const scheme = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)/.exec(value)?.[1];
  return `<redacted: ${scheme ?? 'unknown scheme'}>`;
}
