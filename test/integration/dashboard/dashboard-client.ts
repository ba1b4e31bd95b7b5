/**
 * A browser's part in a dashboard test, over real HTTP: a cookie jar, form posts with the page's CSRF
 * token, and redirects left to the test to follow (so it can check them).
 */
export interface PageAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** The redirect target, for a 30x. */
  readonly location: string | null;
}

export class DashboardClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<PageAnswer> {
    return this.request('GET', path, undefined, headers);
  }

  /** Posts a form as the browser would: urlencoded, with the CSRF token of the page it came from. */
  async post(path: string, fields: Record<string, string | string[]>, csrf?: string): Promise<PageAnswer> {
    const body = new URLSearchParams();
    if (csrf !== undefined) body.append('_csrf', csrf);
    for (const [name, value] of Object.entries(fields)) {
      for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
    }
    return this.request('POST', path, body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /** Opens the sign-in page, then signs in with `token`; the session cookie is kept. */
  async signIn(token: string): Promise<PageAnswer> {
    const form = await this.get('/sign-in');
    return this.post('/sign-in', { token }, csrfOf(form.body));
  }

  async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<PageAnswer> {
    const jar = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(jar === '' ? {} : { cookie: jar }), ...headers },
      ...(body === undefined ? {} : { body }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name === undefined) continue;
      const text = value.join('=');
      if (text === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), text);
    }
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      location: response.headers.get('location'),
    };
  }
}

/** The CSRF token a page's forms carry. */
export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (match?.[1] === undefined) throw new Error('the page has no form token');
  return match[1];
}
