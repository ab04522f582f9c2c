/** The playground's place in the local runtime: served only when on, and its address trusted as Homebase's callback page. */
import { describe, expect, it } from 'vitest';
import { startLocalDriver } from '../../lib/local/driver.ts';

describe('the playground in npm start', () => {
  it('when on: served at / with a CSP of its own, its address a callback origin and a redirect URI of the local client', async () => {
    const driver = await startLocalDriver({ port: 0, playground: 'on', settings: { PUBLIC_BASE_URL: 'http://playground.test:8080' } });
    try {
      const page = await fetch(`${driver.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(
        /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/,
      );
      expect(driver.config.CALLBACK_ALLOWED_ORIGINS).toContain('http://playground.test:8080');
      expect(driver.config.HOMEBASE_REDIRECT_URIS).toContain('http://playground.test:8080/');
    } finally {
      await driver.close();
    }
  });

  it('when off: no page, and its address is no callback origin', async () => {
    const driver = await startLocalDriver({ port: 0, playground: 'off', settings: { PUBLIC_BASE_URL: 'http://playground.test:8080' } });
    try {
      expect((await fetch(`${driver.url}/`)).status).toBe(404);
      expect(driver.config.CALLBACK_ALLOWED_ORIGINS).not.toContain('http://playground.test:8080');
      expect(driver.config.HOMEBASE_REDIRECT_URIS).not.toContain('http://playground.test:8080/');
    } finally {
      await driver.close();
    }
  });

  it('refuses a PLAYGROUND that is neither on nor off, naming it, instead of silently turning it off', async () => {
    const saved = process.env['PLAYGROUND'];
    process.env['PLAYGROUND'] = 'maybe';
    try {
      await expect(startLocalDriver({ port: 0 })).rejects.toThrow('PLAYGROUND must be on or off, not "maybe".');
    } finally {
      if (saved === undefined) delete process.env['PLAYGROUND'];
      else process.env['PLAYGROUND'] = saved;
    }
  });
});
