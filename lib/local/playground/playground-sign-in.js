// The playground's sign-in: the demo account (login), the OAuth commands, and the standard OAuth 2.0
// server with PKCE; and renewing the sign-in. Served in one module with playground.js (see playground.ts).

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
      el('div', { class: 'signin' }, login, commandOAuth, standard, jwtSignIn()),
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
