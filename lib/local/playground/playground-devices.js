// The playground's device cards: a control for each action, and the execute call behind it. Served in
// one module with playground.js (see playground.ts), whose helpers (el, call, userAuth, switchToggle) it uses.

const STEPS = ['up', 'down', 'min', 'max', 'next', 'prev', 'random', 'trigger', 'switch', 'play', 'pause', 'stop', 'previous'];
const NUMERIC = ['brightness', 'position', 'fanspeed', 'volume', 'humidity', 'temperature', 'color_temperature'];
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
  // A toggle needs both ends; a scene's switch has only `on`, which is then a button of its own.
  const toggle = property === 'switch' && names.includes('on') && names.includes('off');
  if (toggle) {
    const on = device.state?.switch === 'on';
    row.append(switchToggle(`${device.name} switch`, on, () => act(on ? 'off' : 'on')));
    const wall = atTheWall(`${device.name} switch`, device.deviceId, on, (state) => {
      device.state = { ...device.state, ...state };
      fill(document.querySelector(`[data-device-id="${CSS.escape(device.deviceId)}"]`), device);
    });
    if (wall) row.append(wall);
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
          class: 'channel',
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
  const named = names.filter((name) => !STEPS.includes(name) && name !== 'num' && !(toggle && (name === 'on' || name === 'off')));
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
  // The steps stay together on one line, beside the slider or under it on a narrow screen.
  const steps = names.filter((n) => STEPS.includes(n) && !(property === 'switch'));
  if (steps.length > 0)
    row.append(
      el(
        'span',
        { class: 'steps' },
        steps.map((name) => el('button', { type: 'button', class: 'quiet', onclick: () => act(name) }, name)),
      ),
    );
  if (property === 'switch' && names.includes('stop'))
    row.append(el('button', { type: 'button', class: 'quiet', onclick: () => act('stop') }, 'stop'));
  return row;
}

async function execute(device, action) {
  // The action first, so that the protocol pane shows what was asked at the top of the request.
  const envelope = await call('/execute', { action, device: { deviceId: device.deviceId, state: device.state, userAuth: userAuth() } });
  const node = document.querySelector(`[data-device-id="${CSS.escape(device.deviceId)}"]`);
  if (envelope.status !== 0) return fill(node, device, `${envelope.errorName}: ${envelope.message}`);
  for (const [property, value] of Object.entries(envelope.data ?? {})) if (value !== null) device.state[property] = value;
  fill(node, device);
}
