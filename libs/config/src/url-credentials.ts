/** A URL setting split into the address and the credentials it carried. */
export interface UrlWithoutCredentials {
  /** The URL without userinfo: what may be shown, and what is requested. */
  readonly url: string;
  /** The user name and password of the userinfo, percent-decoded; undefined without one. */
  readonly basic?: { readonly username: string; readonly password: string };
}

/**
 * Takes the userinfo out of an http(s) URL setting (`https://user:pass@wfm/import`), so
 * that the credentials travel only in an `Authorization: Basic` header and the URL can be
 * logged and reported as it is (docs/security.md). `fetch` refuses a URL with userinfo,
 * and any error would quote it.
 */
export function withoutCredentials(text: string): UrlWithoutCredentials {
  const url = new URL(text);
  if (url.username === '' && url.password === '') return { url: url.href };
  const basic = {
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  url.username = '';
  url.password = '';
  return { url: url.href, basic };
}

/** True when the URL carries a user name or a password. */
export function hasCredentials(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}
