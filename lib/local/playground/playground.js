// The playground's page script: it speaks to the driver exactly as Homebase does (POST /command, /list,
// /execute with JSON envelopes; or v2's messages at POST /v2, playground-v2.js) and shows every exchange, so a
// vendor learns the protocol by watching.
// Plain DOM, no framework; every value from the driver is set as text, never as HTML.

const config = JSON.parse(document.getElementById('playground-config').textContent);
const SESSION = 'homebase-playground-session';
const OAUTH2 = 'homebase-playground-oauth2';

let session = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null');
let devices = [];

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

/** Cards grouped into a section per home and a heading per room; `placeOf` gives an item's [home, room]. */
function homeSections(items, placeOf, cardOf) {
  const homes = new Map();
  for (const item of items) {
    const [home, room] = placeOf(item);
    const rooms = homes.get(home || 'Home') ?? new Map();
    homes.set(home || 'Home', rooms);
    rooms.set(room || 'No room', [...(rooms.get(room || 'No room') ?? []), item]);
  }
  return [...homes].map(([home, rooms]) =>
    el(
      'section',
      { class: 'panel home' },
      el('h2', {}, home),
      ...[...rooms].flatMap(([room, list]) => [el('h3', {}, room), el('div', { class: 'devices' }, list.map(cardOf))]),
    ),
  );
}

/** A switch drawn as a toggle, v1's `switch` and v2's `Switch` alike. */
const switchToggle = (label, on, onclick) =>
  el('button', { type: 'button', class: 'switch', role: 'switch', 'aria-checked': String(on), 'aria-label': label, onclick });

function logExchange(label, request, response, ok) {
  const pane = document.getElementById('exchanges');
  document.getElementById('no-exchanges')?.remove();
  const entry = el(
    'div',
    { class: 'exchange' },
    el('div', { class: 'line' }, el('span', {}, label), el('span', { class: ok ? 'status' : 'status error' }, ok ? 'ok' : 'error')),
    el('pre', { 'aria-label': `${label} request` }, JSON.stringify(request, null, 2)),
    el('pre', { 'aria-label': `${label} response` }, JSON.stringify(response, null, 2)),
  );
  pane.prepend(entry);
  while (pane.children.length > 40) pane.lastElementChild.remove();
  // A collapsed sheet still says what just happened.
  document.getElementById('protocol-latest').textContent = `${label}: ${ok ? 'ok' : 'error'}`;
}

/** The protocol pane opened or closed: on a phone it is a sheet, collapsed at first so that the home has the screen. */
function setProtocolOpen(open) {
  document.getElementById('protocol-toggle').setAttribute('aria-expanded', String(open));
  document.getElementById('protocol-body').hidden = !open;
  document.body.classList.toggle('sheet-collapsed', !open);
}
document
  .getElementById('protocol-toggle')
  .addEventListener('click', (event) => setProtocolOpen(event.currentTarget.getAttribute('aria-expanded') !== 'true'));
setProtocolOpen(!matchMedia('(max-width: 960px)').matches);

/**
 * A response's JSON body; an answer that is not JSON (a proxy's error page, a crash) becomes a message naming its
 * status, so that the page always has something to show.
 */
const answerOf = (response) =>
  response.json().catch(() => ({ message: `The driver answered HTTP ${response.status} ${response.statusText} without a JSON body.` }));

/** A Homebase call: JSON in, the envelope out, shown in the protocol pane. */
async function call(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await answerOf(response);
  logExchange(`POST ${path}`, body, answer, answer.status === 0);
  // Anything but an envelope (a refusal before the driver, a crash) is shown as one, with the HTTP status for its name.
  return typeof answer.status === 'number' ? answer : { status: 1, errorName: `HTTP ${response.status}`, message: answer.message };
}

/** The standard OAuth 2.0 token request, made by the local runtime on the page's behalf (the client secret stays there). */
async function tokenRequest(fields) {
  const response = await fetch('/playground/oauth2-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  const answer = await answerOf(response);
  logExchange('POST /oauth2/token (as Homebase)', { ...fields }, answer, response.ok);
  return response.ok ? answer : Promise.reject(new Error(`${answer.error}: ${answer.error_description ?? ''}`));
}

function startSession(next) {
  session = next;
  sessionStorage.setItem(SESSION, JSON.stringify(session));
}

function userAuth() {
  return session.kind === 'oauth2' ? { userToken: session.userToken } : { userId: session.userId, userToken: session.userToken };
}

const expiryText = () => (session?.expiresAt ? `signed in until ${new Date(session.expiresAt).toLocaleString()}` : '');

function showProblem(message) {
  const box = document.getElementById('problem');
  box.textContent = message;
  box.hidden = message === '';
}

/** v1 or v2: a JWT session is v2 only, since v1 has no JWT. */
const protocol = () => (session.kind === 'jwt' ? 'v2' : (session.protocol ?? 'v1'));

function protocolSwitch() {
  const choose = async (next) => {
    startSession({ ...session, protocol: next });
    await renderHome();
  };
  return el(
    'span',
    { class: 'protocol-switch', role: 'radiogroup', 'aria-label': 'Protocol' },
    ['v1', 'v2'].map((name) =>
      el(
        'button',
        {
          type: 'button',
          role: 'radio',
          'aria-checked': String(protocol() === name),
          disabled: name === 'v1' && session.kind === 'jwt',
          onclick: () => choose(name),
        },
        name,
      ),
    ),
  );
}

/**
 * The toolbar: the protocol and reloading first; the rest (state reports, renewing, signing out, the expiry) inline on
 * a wide screen, and behind "More" on a phone, so that the toolbar stays one row.
 */
function toolbar() {
  const jwt = session.kind === 'jwt';
  const more = el(
    'span',
    { class: 'more-items', id: 'toolbar-more' },
    stateReportsControl(),
    jwt
      ? undefined
      : el(
          'button',
          { type: 'button', class: 'quiet', onclick: renew },
          session.kind === 'oauth2' ? 'Renew tokens (refresh_token grant)' : 'Renew sign-in (OAuthRefresh)',
        ),
    el('button', { type: 'button', class: 'quiet', onclick: signOut }, 'Sign out'),
    el('span', { class: 'expiry', id: 'expiry' }, expiryText()),
  );
  const bar = el(
    'div',
    { class: 'toolbar' },
    protocolSwitch(),
    el('button', { type: 'button', class: 'quiet', onclick: renderHome }, protocol() === 'v2' ? 'Discover again' : 'Reload devices'),
    el(
      'button',
      {
        type: 'button',
        class: 'quiet more-toggle',
        'aria-expanded': 'false',
        'aria-controls': 'toolbar-more',
        onclick: (event) => {
          const open = event.currentTarget.getAttribute('aria-expanded') !== 'true';
          event.currentTarget.setAttribute('aria-expanded', String(open));
          bar.classList.toggle('open', open);
        },
      },
      'More',
    ),
    more,
  );
  return bar;
}

async function renderHome() {
  showProblem('');
  document.getElementById('who').textContent =
    session.kind === 'jwt' ? `vendor user ${session.userId} (JWT)` : session.userId ? `user ${session.userId}` : 'signed in over OAuth 2.0';
  if (protocol() === 'v2') {
    if (!(await renderEndpoints(toolbar(), eventsPane()))) renderSignIn();
    return;
  }
  const envelope = await call('/list', { userAuth: userAuth() });
  if (envelope.status !== 0) {
    showProblem(`${envelope.errorName}: ${envelope.message}`);
    return renderSignIn();
  }
  devices = envelope.data;
  const body = homeSections(devices, (device) => [device.homeName, device.roomName], card);
  document.getElementById('view').replaceChildren(...[toolbar(), eventsPane()].filter(Boolean), ...body);
}

/** Signing out ends the link, as unlinking in the Rokid app would: its tokens stop working, and the refresh job lets it go. */
async function signOut() {
  if (session.kind === 'jwt') {
    // A JWT names the user; there is no link to end. Forgetting the token is the whole of it.
    sessionStorage.removeItem(SESSION);
    session = null;
    return renderSignIn();
  }
  const token = session.userToken;
  const response = await fetch('/playground/sign-out', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const answer = await answerOf(response);
  logExchange('POST /oauth2/revoke (as Homebase)', { token }, answer, response.ok);
  sessionStorage.removeItem(SESSION);
  session = null;
  renderSignIn();
}

const query = new URLSearchParams(location.search);
if (query.has('code') || query.has('error')) await finishSignIn(query);
if (session) await renderHome();
else renderSignIn();
