/**
 * Just enough of a browser to walk an OAuth login without one: a cookie jar, redirects followed by
 * hand (`redirect: 'manual'`), and form posts.
 */
export class Browser {
  readonly #cookies = new Map<string, string>();

  /** Follows redirects from `url` until a page that is not a redirect, or a URL `stopAt` accepts. */
  async visit(url: string, stopAt: (url: URL) => boolean = () => false): Promise<{ url: URL; status: number; body: string }> {
    return this.#follow(url, { method: 'GET' }, stopAt);
  }

  async submit(url: string, fields: Record<string, string>, stopAt: (url: URL) => boolean = () => false) {
    return this.#follow(
      url,
      { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      stopAt,
    );
  }

  async #follow(start: string, init: RequestInit, stopAt: (url: URL) => boolean) {
    let url = new URL(start);
    let request = init;
    for (let hops = 0; hops < 20; hops++) {
      if (stopAt(url)) return { url, status: 0, body: '' };
      const response = await fetch(url, {
        ...request,
        redirect: 'manual',
        headers: { ...(request.headers as Record<string, string>), cookie: this.#cookieHeader() },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const eq = pair.indexOf('=');
        this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url, status: response.status, body: await response.text() };
      }
      await response.body?.cancel();
      url = new URL(location, url);
      request = { method: 'GET' };
    }
    throw new Error(`too many redirects from ${start}`);
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The login form's action on an authorization server page. */
export function formAction(page: { url: URL; body: string }): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1];
  if (!action) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 200)}`);
  // An attribute value is HTML: its `&` is written `&amp;`.
  return new URL(action.replaceAll('&amp;', '&'), page.url).toString();
}
