/** A Homebase-style POST to a running driver: JSON in, the envelope out, which must come with HTTP 200. */
import { expect } from 'vitest';

export async function postJson(baseUrl: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}
