/**
 * What account services really send, read into what oauth4webapi expects, before it sees them.
 *
 * Seen in the field (and in seed 003's sample): JSON behind a fixed prefix (Xiaomi's `&&&START&&&`), JSON
 * served as text/html or text/plain, keys and values with stray spaces (`"token_type "`, `" HmacSha1"`),
 * no `token_type` at all, and errors sent with HTTP 200: `{code, msg}`, or `{error: 96009,
 * error_description}` with a numeric code. Each is mended here and nowhere else.
 */

export interface VendorQuirks {
  /** A fixed text the server writes before its JSON (OAUTH_RESPONSE_PREFIX). */
  responsePrefix?: string | undefined;
  /**
   * A vendor-coded refusal (numeric `error`, or `code`/`msg`) of the refresh grant whose code or message
   * matches this means the refresh token is dead: it is reported as `invalid_grant`.
   */
  deadRefreshTokenPattern?: RegExp | undefined;
}

/** The upstream's own error code, kept beside the OAuth one so logs can name it. */
export const VENDOR_CODE = 'vendor_code';

export interface NormalizedAnswer {
  status: number;
  /** The JSON to hand oauth4webapi, or undefined when the body is not JSON at all. */
  json: Record<string, unknown> | undefined;
}

/**
 * Reads a token-endpoint (or discovery) answer. `grant` says which request it answers, since a dead
 * refresh token is only recognised on the refresh grant.
 */
export function normalizeAnswer(status: number, body: string, quirks: VendorQuirks, grant?: string): NormalizedAnswer {
  let text = body.trim();
  const prefix = quirks.responsePrefix;
  if (prefix && text.startsWith(prefix)) text = text.slice(prefix.length).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status, json: undefined };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { status, json: undefined };
  const json = trimKeys(parsed as Record<string, unknown>);
  if (typeof json['token_type'] === 'string') json['token_type'] = json['token_type'].trim();
  if (typeof json['mac_algorithm'] === 'string') json['mac_algorithm'] = json['mac_algorithm'].trim();

  const refusal = vendorRefusal(json);
  if (refusal && typeof json['access_token'] !== 'string') {
    const dead = grant === 'refresh_token' && quirks.deadRefreshTokenPattern?.test(`${refusal.code} ${refusal.description}`);
    const error = refusal.standard ?? (dead ? 'invalid_grant' : 'vendor_refused');
    // A refusal is a 4xx in OAuth terms, whatever status it came with.
    return { status: Math.max(status, 400), json: { error, error_description: refusal.description, [VENDOR_CODE]: refusal.code } };
  }
  // The access token is an opaque credential whatever its type; a missing type is the common bearer.
  if (typeof json['access_token'] === 'string' && json['token_type'] === undefined) json['token_type'] = 'bearer';
  return { status, json };
}

/** An error of the OAuth kind (a string `error`), or of a vendor's (a numeric `error`, or `code`). */
function vendorRefusal(json: Record<string, unknown>): { code: string; description: string; standard?: string } | undefined {
  const description = String(json['error_description'] ?? json['msg'] ?? json['message'] ?? json['errorMsg'] ?? '').slice(0, 200);
  const error = json['error'];
  if (typeof error === 'string' && error !== '' && !/^\d+$/.test(error)) return { code: error, description, standard: error };
  if (typeof error === 'number' || (typeof error === 'string' && error !== '')) return { code: String(error), description };
  const code = json['code'] ?? json['errcode'] ?? json['errorCode'];
  // `code: 0` is many vendors' way of saying "success".
  if ((typeof code === 'number' && code !== 0) || (typeof code === 'string' && code !== '' && code !== '0')) {
    return { code: String(code), description };
  }
  return undefined;
}

function trimKeys(json: Record<string, unknown>): Record<string, unknown> {
  const trimmed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) trimmed[key.trim()] = value;
  return trimmed;
}
