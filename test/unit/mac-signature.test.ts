/** The MAC signature of Xiaomi's open API, checked against the example in its documentation. */
import { describe, expect, it } from 'vitest';
import {
  macAuthorization,
  macMatches,
  macOf,
  normalizedRequest,
  parseMacAuthorization,
} from '../../functions/adapters/device-cloud/mac-signature.ts';

const TOKEN = 'eJxjYGAQydknLLCFsVyIR-DxSqdTnQFGfX4yDAwMjAzxQJIheJfnRTDtvAhMM8SE_2FgWDw7Rg3MYzdUMFIwVjABMplzE5MBClYRuw';

describe('MAC signatures', () => {
  it("normalizes the request as Xiaomi's documentation shows: nonce, method, host, path, sorted query, each line ended", () => {
    const url = new URL(`https://open.account.xiaomi.com/user/profile?token=${TOKEN}&clientId=179887661252608`);
    expect(normalizedRequest('2870867952176701445:23282360', 'get', url)).toBe(
      `2870867952176701445:23282360\nGET\nopen.account.xiaomi.com\n/user/profile\nclientId=179887661252608&token=${TOKEN}\n`,
    );
  });

  it('leaves empty query fields out, and keeps a non-default port in the host', () => {
    const url = new URL('http://127.0.0.1:8080/devices?b=2&empty=&a=1');
    expect(normalizedRequest('1:2', 'POST', url)).toBe('1:2\nPOST\n127.0.0.1:8080\n/devices\na=1&b=2\n');
  });

  it('is HMAC-SHA1 of that text under the mac key, base64, and HMAC-SHA256 when the algorithm says so', async () => {
    const { createHmac } = await import('node:crypto');
    const url = new URL('https://open.account.xiaomi.com/user/profile?clientId=1');
    const text = normalizedRequest('5:6', 'GET', url);
    expect(macOf({ accessToken: 't', macKey: 'k', algorithm: 'HmacSha1' }, '5:6', 'GET', url)).toBe(
      createHmac('sha1', 'k').update(text).digest('base64'),
    );
    expect(macOf({ accessToken: 't', macKey: 'k', algorithm: 'HmacSHA256' }, '5:6', 'GET', url)).toBe(
      createHmac('sha256', 'k').update(text).digest('base64'),
    );
  });

  it('writes the header a verifier reads back, with a nonce of a random number and the minutes since the epoch', () => {
    const url = new URL('https://devices.example/api/devices');
    const header = macAuthorization({ accessToken: TOKEN, macKey: 'ORhx44qK6Alqf8vt2rGB5f-oPq0' }, 'GET', url, 1_400_000_000_000);
    expect(header).toMatch(/^MAC access_token="[^"]+", nonce="\d+:23333333", mac="[A-Za-z0-9+/]+=*"$/);
    const parsed = parseMacAuthorization(header)!;
    expect(parsed.accessToken).toBe(TOKEN);
    expect(macMatches(parsed, 'ORhx44qK6Alqf8vt2rGB5f-oPq0', 'HmacSha1', 'GET', url)).toBe(true);
    expect(macMatches(parsed, 'another key', 'HmacSha1', 'GET', url)).toBe(false);
    expect(macMatches(parsed, 'ORhx44qK6Alqf8vt2rGB5f-oPq0', 'HmacSha1', 'POST', url)).toBe(false);
    expect(macMatches(parsed, 'ORhx44qK6Alqf8vt2rGB5f-oPq0', 'HmacSha1', 'GET', new URL('https://devices.example/api/devices?x=1'))).toBe(
      false,
    );
  });

  it.each([undefined, 'Bearer abc', 'MAC access_token="a", nonce="1:2"'])('does not read %s as a MAC header', (header) => {
    expect(parseMacAuthorization(header)).toBeUndefined();
  });
});
