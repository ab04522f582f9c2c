/**
 * The playground's page: its script and stylesheet inline, allowed by hash in a Content-Security-Policy of its own,
 * and its icon. The routes that serve it are in playground.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');
// One module: the sign-in's and the cards' code first (declarations only), then the page's, which runs.
const SCRIPT = ['./playground-sign-in.js', './playground-devices.js', './playground-v2.js', './playground-events.js', './playground.js']
  .map(read)
  .join('\n');
const STYLE = read('./playground.css');
const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's mark, as the browser's tab shows it. */
export const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#1f6feb"/><text x="16" y="22" font-family="sans-serif" font-size="18" font-weight="700" fill="#fff" text-anchor="middle">H</text></svg>';

/** JSON inside a script element: `<` escaped so no value can close the element. */
const embedded = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function html(config: { clientId: string; redirectUri: string; stateReports: boolean; atTheWall: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Homebase driver playground</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>${STYLE}</style>
</head>
<body>
<header><div class="mark" aria-hidden="true">H</div><h1>Homebase driver playground</h1><span class="who" id="who"></span></header>
<main>
<div>
<div class="problem" id="problem" role="alert" hidden></div>
<div id="view"></div>
</div>
<section class="panel protocol" aria-label="Protocol">
<h2><button type="button" class="sheet-toggle" id="protocol-toggle" aria-expanded="true" aria-controls="protocol-body"><span>The protocol, as it happens</span><span class="latest" id="protocol-latest"></span></button></h2>
<div id="protocol-body">
<p class="hint">Every request the page sends, as Homebase sends it, and the driver's answer. Newest first.</p>
<div id="exchanges"><p class="empty" id="no-exchanges">Nothing yet: sign in to begin.</p></div>
</div>
</section>
</main>
<script type="application/json" id="playground-config">${embedded(config)}</script>
<script type="module">${SCRIPT}</script>
</body>
</html>`;
}
