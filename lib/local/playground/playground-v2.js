// The playground's v2 view: Discover, Control and ReportState at POST /v2, as Rokid sends them, each shown in
// the protocol pane. Endpoints are drawn from their capabilities, not from v1's actions. Served in one module
// with playground.js (see playground.ts), whose helpers (el, homeSections, switchToggle, logExchange, session, showProblem) it uses.

const PERCENT = ['Brightness', 'ColorTemperature', 'Humidity', 'Temperature', 'Volume', 'FanSpeed', 'Position'];
const ENUMS = ['Mode', 'SwingMode', 'PlaybackMode'];

/** The authorization the session holds: its driver token as a BearerToken, or the JWT a JWT sign-in got. */
function v2Authorization() {
  return session.kind === 'jwt' ? { type: 'JWT', token: session.jwt } : { type: 'BearerToken', token: session.userToken };
}

/** A v2 message to /v2, logged with its answer. */
async function v2(namespace, name, rest = {}) {
  const message = {
    header: { messageId: crypto.randomUUID(), namespace, name, payloadVersion: 'v1', authorization: v2Authorization() },
    ...rest,
    payload: rest.payload ?? {},
  };
  const response = await fetch('/v2', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
  const answer = await answerOf(response);
  const failed = answer.header?.name === 'ErrorResponse' || !response.ok;
  logExchange(`POST /v2 ${namespace} / ${name}`, message, answer, !failed);
  return answer;
}

/** An ErrorResponse's name and message, or the message of an answer that is no v2 message at all. */
const problemOf = (answer) => (answer.payload?.name ? `${answer.payload.name}: ${answer.payload.message}` : String(answer.message));

/** Discover, then the endpoints grouped by recommended home and room. */
async function renderEndpoints(toolbar, pane) {
  const answer = await v2('Rokid.Discovery', 'Discover');
  if (answer.header?.name !== 'DiscoveryResponse') {
    showProblem(problemOf(answer));
    return false;
  }
  const body = homeSections(answer.payload.endpoints, (e) => [e.recommendHomeName, e.recommendRoomName], endpointCard);
  document.getElementById('view').replaceChildren(...[toolbar, pane].filter(Boolean), ...body);
  return true;
}

function endpointCard(endpoint) {
  const node = el('article', { class: 'device', 'data-endpoint-id': endpoint.endpointId, 'aria-label': endpoint.displayName });
  fillEndpoint(node, endpoint);
  return node;
}

const valueText = (value) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

function fillEndpoint(node, endpoint, problem) {
  const states = Object.fromEntries((endpoint.states ?? []).map((s) => [s.interface, s.value]));
  const chips = Object.entries(states).map(([name, value]) => el('span', { 'data-interface': name }, `${name}: ${valueText(value)}`));
  node.replaceChildren(
    el('header', {}, el('span', { class: 'name' }, endpoint.displayName), el('span', { class: 'type' }, endpoint.displayType)),
    el('div', { class: 'state' }, chips),
    ...endpoint.capabilities.map((capability) => capabilityControl(endpoint, capability, states)),
    el(
      'div',
      { class: 'control' },
      el('button', { type: 'button', class: 'quiet', onclick: () => reportEndpointState(endpoint) }, 'ReportState'),
    ),
    ...(problem ? [el('div', { class: 'problem', role: 'alert' }, problem)] : []),
  );
}

function capabilityControl(endpoint, capability, states) {
  const name = capability.interface;
  const operations = capability.supportedOperations;
  const send = (operation, payload) => controlEndpoint(endpoint, `${name}.${operation}`, payload);
  const row = el('div', { class: 'control' }, el('span', { class: 'prop' }, name));
  const rest = [...operations];
  const take = (operation) => rest.splice(rest.indexOf(operation), 1);
  if (name === 'Switch' && operations.includes('On') && operations.includes('Off')) {
    take('On');
    take('Off');
    const on = states.Switch === 'On';
    row.append(switchToggle(`${endpoint.displayName} Switch`, on, () => send(on ? 'Off' : 'On')));
    const wall = atTheWall(`${endpoint.displayName} Switch`, endpoint.endpointId, on, (state) => {
      if (!state.switch) return;
      const value = state.switch === 'on' ? 'On' : 'Off';
      endpoint.states = endpoint.states.map((s) => (s.interface === 'Switch' ? { ...s, value } : s));
      fillEndpoint(document.querySelector(`[data-endpoint-id="${CSS.escape(endpoint.endpointId)}"]`), endpoint);
    });
    if (wall) row.append(wall);
  }
  if (PERCENT.includes(name) && operations.includes('Set')) {
    take('Set');
    row.append(
      el('input', {
        type: 'range',
        min: 0,
        max: 100,
        value: states[name] ?? 0,
        'aria-label': `${endpoint.displayName} ${name}`,
        onchange: (e) => send('Set', { value: Number(e.target.value) }),
      }),
    );
  }
  if (name === 'Color' && operations.includes('Set')) {
    take('Set');
    row.append(
      el('input', {
        type: 'color',
        'aria-label': `${endpoint.displayName} Color`,
        value: `#${Number(states.Color ?? 0)
          .toString(16)
          .padStart(6, '0')}`,
        onchange: (e) => send('Set', { value: Number.parseInt(e.target.value.slice(1), 16) }),
      }),
    );
  }
  if (name === 'Media.TVChannel' && operations.includes('Set')) {
    take('Set');
    row.append(
      el('input', {
        type: 'number',
        min: 1,
        max: 999,
        class: 'channel',
        value: states[name]?.code ?? 1,
        'aria-label': `${endpoint.displayName} channel`,
        onchange: (e) => send('Set', { tvChannel: { code: String(e.target.value) } }),
      }),
    );
  }
  if (ENUMS.includes(name)) {
    const select = el(
      'select',
      { 'aria-label': `${endpoint.displayName} ${name}`, onchange: (e) => send(e.target.value) },
      operations.map((operation) => el('option', { value: operation, selected: states[name] === operation }, operation)),
    );
    if (!operations.includes(states[name])) select.prepend(el('option', { value: '', selected: true, disabled: true }, '–'));
    row.append(select);
    rest.length = 0;
  }
  const buttons = rest.map((operation) =>
    el(
      'button',
      { type: 'button', class: 'quiet', onclick: () => send(operation, operation === 'Adjust' ? { delta: 10 } : {}) },
      operation === 'Adjust' ? 'Adjust +10' : operation,
    ),
  );
  // v2 has more operations than v1 has steps (FanSpeed has seven): they wrap, unlike v1's.
  if (buttons.length > 0) row.append(el('span', { class: 'steps operations' }, buttons));
  return row;
}

async function controlEndpoint(endpoint, name, payload = {}) {
  const answer = await v2('Rokid.Control', name, {
    endpoint: { endpointId: endpoint.endpointId, additionalInfo: endpoint.additionalInfo, states: endpoint.states },
    payload,
  });
  redraw(endpoint, answer);
}

async function reportEndpointState(endpoint) {
  const answer = await v2('Rokid.Query', 'ReportState', {
    endpoint: { endpointId: endpoint.endpointId, additionalInfo: endpoint.additionalInfo },
  });
  redraw(endpoint, answer);
}

/** The Response's states replace the card's; an ErrorResponse is shown on the card. */
function redraw(endpoint, answer) {
  const node = document.querySelector(`[data-endpoint-id="${CSS.escape(endpoint.endpointId)}"]`);
  if (answer.header?.name !== 'Response') return fillEndpoint(node, endpoint, problemOf(answer));
  endpoint.states = answer.endpoint.states;
  fillEndpoint(node, endpoint);
}

/** The JWT sign-in: Rokid's server would sign {userId, appId}; the local runtime does it in its place. */
function jwtSignIn() {
  return el(
    'form',
    {
      class: 'option',
      onsubmit: async (event) => {
        event.preventDefault();
        const userId = new FormData(event.target).get('jwt-user');
        const response = await fetch('/playground/jwt', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId }),
        });
        const answer = await answerOf(response);
        logExchange('POST /playground/jwt (as Rokid signs)', { userId }, answer, response.ok);
        if (!response.ok) return showProblem(answer.message);
        startSession({ kind: 'jwt', userId, jwt: answer.token, protocol: 'v2' });
        await renderHome();
      },
    },
    el('h3', {}, 'v2: JWT for a vendor user'),
    el('p', {}, 'Rokid signs {userId, appId} with the appSecret (HS256); no account link is involved. v2 only.'),
    el('label', { for: 'jwt-user' }, 'Vendor user id'),
    el('input', { id: 'jwt-user', name: 'jwt-user', type: 'text', value: 'vendor-user-1', required: true, maxlength: 128 }),
    el('button', { type: 'submit' }, 'Sign in with a JWT'),
  );
}
