// The playground's page script: it speaks to the driver exactly as Homebase does (POST /command, /list,
// /execute with JSON envelopes) and shows every exchange, so a vendor learns the protocol by watching.
// Plain DOM, no framework; every value from the driver is set as text, never as HTML.

const config = JSON.parse(document.getElementById('playground-config').textContent);
const SESSION = 'homebase-playground-session';
const OAUTH2 = 'homebase-playground-oauth2';
const NUMERIC = ['brightness', 'position', 'fanspeed', 'volume', 'humidity', 'temperature', 'color_temperature'];
const STEPS = ['up', 'down', 'min', 'max', 'next', 'prev', 'random', 'trigger', 'switch', 'play', 'pause', 'stop', 'previous'];

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
}

/** A Homebase call: JSON in, the envelope out, shown in the protocol pane. */
async function call(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const envelope = await response.json();
  logExchange(`POST ${path}`, body, envelope, envelope.status === 0);
  return envelope;
}

/** The standard OAuth 2.0 token request, made by the local runtime on the page's behalf (the client secret stays there). */
async function tokenRequest(fields) {
  const response = await fetch('/playground/oauth2-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  const answer = await response.json();
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

function renderSignIn() {
  document.getElementById('who').textContent = 'not signed in';
  const view = document.getElementById('view');
  const login = el(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const envelope = await call('/command', {
          command: 'login',
          params: { username: data.get('username'), password: data.get('password') },
        });
        if (envelope.status !== 0) return showProblem(`${envelope.errorName}: ${envelope.message}`);
        const { userId, userToken, refreshToken, expiresIn } = envelope.data;
        startSession({ kind: 'login', userId, userToken, refreshToken, expiresAt: Date.now() + expiresIn * 1000 });
        await renderHome();
      },
    },
    el('h3', {}, 'The demo account'),
    el('label', { for: 'username' }, 'Username'),
    el('input', { id: 'username', name: 'username', type: 'text', value: 'demo', autocomplete: 'username' }),
    el('label', { for: 'password' }, 'Password'),
    el('input', { id: 'password', name: 'password', type: 'password', value: 'homebase', autocomplete: 'current-password' }),
    el('button', { type: 'submit' }, 'Sign in with login'),
  );
  const commandOAuth = el(
    'div',
    { class: 'option' },
    el('h3', {}, 'OAuth through commands'),
    el('p', {}, 'The OAuth command, the sign-in at the authorization server, back with a code, then OAuthGetToken.'),
    el(
      'button',
      {
        type: 'button',
        onclick: async () => {
          const envelope = await call('/command', { command: 'OAuth', params: { callbackURL: `${location.origin}/?flow=command` } });
          if (envelope.status !== 0) return showProblem(`${envelope.errorName}: ${envelope.message}`);
          location.assign(envelope.data);
        },
      },
      'Link with OAuth commands',
    ),
  );
  const standard = config.clientId
    ? el(
        'div',
        { class: 'option' },
        el('h3', {}, 'Standard OAuth 2.0'),
        el('p', {}, 'Homebase as an OAuth client of the driver: authorize, sign in, back with a code, then the token endpoint.'),
        el('button', { type: 'button', onclick: startOAuth2 }, 'Link with OAuth 2.0'),
      )
    : undefined;
  view.replaceChildren(
    el(
      'section',
      { class: 'panel' },
      el('h2', {}, 'Sign in as Homebase would'),
      el('div', { class: 'signin' }, login, commandOAuth, standard),
    ),
  );
}

async function startOAuth2() {
  const random = () =>
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const verifier = random();
  const state = random();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  sessionStorage.setItem(OAUTH2, JSON.stringify({ state, verifier }));
  const url = new URL('/oauth2/authorize', location.origin);
  const params = {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.href);
}

/** Back from a sign-in: the command flow's code, or the standard flow's code and state. */
async function finishSignIn(query) {
  history.replaceState(null, '', '/');
  if (query.get('error')) return showProblem(`The sign-in did not complete: ${query.get('error')} ${query.get('error_description') ?? ''}`);
  const code = query.get('code');
  if (query.get('flow') === 'command') {
    const envelope = await call('/command', { command: 'OAuthGetToken', params: { code } });
    if (envelope.status !== 0) return showProblem(`${envelope.errorName}: ${envelope.message}`);
    const { userId, userToken, refreshToken, expiresIn } = envelope.data;
    startSession({ kind: 'command', userId, userToken, refreshToken, expiresAt: Date.now() + expiresIn * 1000 });
    return;
  }
  const pending = JSON.parse(sessionStorage.getItem(OAUTH2) ?? 'null');
  sessionStorage.removeItem(OAUTH2);
  if (!pending || pending.state !== query.get('state'))
    return showProblem('The OAuth 2.0 answer does not match a sign-in started here (state).');
  try {
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: pending.verifier });
    startSession({
      kind: 'oauth2',
      userToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
    });
  } catch (error) {
    showProblem(error.message);
  }
}

async function renew() {
  try {
    if (session.kind === 'oauth2') {
      const tokens = await tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refreshToken });
      startSession({
        ...session,
        userToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: Date.now() + tokens.expires_in * 1000,
      });
    } else {
      const envelope = await call('/command', {
        command: 'OAuthRefresh',
        params: { userId: session.userId, userToken: session.userToken, refreshToken: session.refreshToken },
      });
      if (envelope.status !== 0) return showProblem(`${envelope.errorName}: ${envelope.message}`);
      const { userToken, refreshToken, expiresIn } = envelope.data;
      startSession({ ...session, userToken, refreshToken, expiresAt: Date.now() + expiresIn * 1000 });
    }
    document.getElementById('expiry').textContent = `Renewed: ${expiryText()}`;
  } catch (error) {
    showProblem(error.message);
  }
}

async function renderHome() {
  showProblem('');
  document.getElementById('who').textContent = session.userId ? `user ${session.userId}` : 'signed in over OAuth 2.0';
  const envelope = await call('/list', { userAuth: userAuth() });
  if (envelope.status !== 0) {
    showProblem(`${envelope.errorName}: ${envelope.message}`);
    return renderSignIn();
  }
  devices = envelope.data;
  const homes = new Map();
  for (const device of devices) {
    const home = device.homeName || 'Home';
    const room = device.roomName || 'No room';
    if (!homes.has(home)) homes.set(home, new Map());
    const rooms = homes.get(home);
    if (!rooms.has(room)) rooms.set(room, []);
    rooms.get(room).push(device);
  }
  const toolbar = el(
    'div',
    { class: 'toolbar' },
    el('button', { type: 'button', class: 'quiet', onclick: renderHome }, 'Reload devices'),
    el(
      'button',
      { type: 'button', class: 'quiet', onclick: renew },
      session.kind === 'oauth2' ? 'Renew tokens (refresh_token grant)' : 'Renew sign-in (OAuthRefresh)',
    ),
    el('button', { type: 'button', class: 'quiet', onclick: signOut }, 'Sign out'),
    el('span', { class: 'expiry', id: 'expiry' }, expiryText()),
  );
  const body = [...homes].map(([home, rooms]) =>
    el(
      'section',
      { class: 'panel home' },
      el('h2', {}, home),
      ...[...rooms].flatMap(([room, list]) => [el('h3', {}, room), el('div', { class: 'devices' }, list.map(card))]),
    ),
  );
  document.getElementById('view').replaceChildren(toolbar, ...body);
}

function signOut() {
  sessionStorage.removeItem(SESSION);
  session = null;
  renderSignIn();
}

function card(device) {
  const node = el('article', { class: 'device', 'data-device-id': device.deviceId, 'aria-label': device.name });
  fill(node, device);
  return node;
}

function fill(node, device, problem) {
  const chips = Object.entries(device.state ?? {}).map(([property, value]) =>
    el('span', { 'data-property': property }, `${property}: ${value ?? '–'}`),
  );
  const controls = Object.entries(device.actions ?? {}).map(([property, names]) => control(device, property, names));
  node.replaceChildren(
    el('header', {}, el('span', { class: 'name' }, device.name), el('span', { class: 'type' }, device.type)),
    el('div', { class: 'state' }, chips),
    ...controls,
    ...(problem ? [el('div', { class: 'problem', role: 'alert' }, problem)] : []),
  );
}

function control(device, property, names) {
  const act = (name, value) => execute(device, { property, name, ...(value === undefined ? {} : { value }) });
  const row = el('div', { class: 'control' }, el('span', { class: 'prop' }, property));
  if (property === 'switch' && names.includes('on') && names.includes('off')) {
    const on = device.state?.switch === 'on';
    row.append(
      el('button', {
        type: 'button',
        class: 'switch',
        role: 'switch',
        'aria-checked': String(on),
        'aria-label': `${device.name} switch`,
        onclick: () => act(on ? 'off' : 'on'),
      }),
    );
  }
  if (names.includes('num') && (NUMERIC.includes(property) || property === 'channel' || property === 'color')) {
    const value = device.state?.[property] ?? 0;
    if (property === 'color') {
      row.append(
        el('input', {
          type: 'color',
          'aria-label': `${device.name} color`,
          value: `#${Number(value).toString(16).padStart(6, '0')}`,
          onchange: (e) => act('num', Number.parseInt(e.target.value.slice(1), 16)),
        }),
      );
    } else if (property === 'channel') {
      row.append(
        el('input', {
          type: 'number',
          min: 1,
          max: 999,
          value,
          'aria-label': `${device.name} channel`,
          style: 'width:70px',
          onchange: (e) => act('num', Number(e.target.value)),
        }),
      );
    } else {
      row.append(
        el('input', {
          type: 'range',
          min: 0,
          max: 100,
          value,
          'aria-label': `${device.name} ${property}`,
          onchange: (e) => act('num', Number(e.target.value)),
        }),
      );
    }
  }
  const named = names.filter(
    (name) => !STEPS.includes(name) && name !== 'num' && !(property === 'switch' && (name === 'on' || name === 'off')),
  );
  if ((property === 'mode' || property === 'swing_mode') && named.length > 0) {
    const select = el(
      'select',
      { 'aria-label': `${device.name} ${property}`, onchange: (e) => act(e.target.value) },
      named.map((name) => el('option', { value: name, selected: device.state?.[property] === name }, name)),
    );
    if (!named.includes(device.state?.[property])) select.prepend(el('option', { value: '', selected: true, disabled: true }, '–'));
    row.append(select);
  } else {
    for (const name of named)
      if (property !== 'media_control' || name === 'stop')
        row.append(el('button', { type: 'button', class: 'quiet', onclick: () => act(name) }, name));
  }
  for (const name of names.filter((n) => STEPS.includes(n) && !(property === 'switch')))
    row.append(el('button', { type: 'button', class: 'quiet', onclick: () => act(name) }, name));
  if (property === 'switch' && names.includes('stop'))
    row.append(el('button', { type: 'button', class: 'quiet', onclick: () => act('stop') }, 'stop'));
  return row;
}

async function execute(device, action) {
  const envelope = await call('/execute', { device: { deviceId: device.deviceId, state: device.state, userAuth: userAuth() }, action });
  const node = document.querySelector(`[data-device-id="${CSS.escape(device.deviceId)}"]`);
  if (envelope.status !== 0) return fill(node, device, `${envelope.errorName}: ${envelope.message}`);
  for (const [property, value] of Object.entries(envelope.data ?? {})) if (value !== null) device.state[property] = value;
  fill(node, device);
}

const query = new URLSearchParams(location.search);
if (query.has('code') || query.has('error')) await finishSignIn(query);
if (session) await renderHome();
else renderSignIn();
