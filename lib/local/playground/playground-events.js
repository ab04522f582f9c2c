// The playground's state reports: the "Enable state reports" step (Rokid mints a code when the person binds the
// skill; the page then sends AcceptGrant to /v2, as Rokid does), the pane of events Rokid's gateway stand-in
// received, and "at the wall" on each switch: a change Rokid did not ask for, made at the device and reported by
// the device cloud to POST /device-events. Served in one module with playground.js (see playground.ts), whose
// helpers (el, logExchange, session, startSession, showProblem, renderHome) and playground-v2.js's (v2,
// v2Authorization, problemOf) it uses.

let eventsTimer;
/** The last list seen, so that a redrawn pane shows it at once rather than after the next look. */
let lastEvents = [];

/** The toolbar's step: a button until the grant is made, then a note that reports are on. */
function stateReportsControl() {
  if (!config.stateReports) return undefined;
  if (session.stateReports) return el('span', { class: 'badge' }, 'State reports on');
  return el('button', { type: 'button', class: 'quiet', onclick: enableStateReports }, 'Enable state reports');
}

async function enableStateReports() {
  const userId = `rokid-${String(session.userId ?? 'oauth2').replace(/[^\w.-]/g, '')}`.slice(0, 64);
  const response = await fetch('/playground/state-reports/grant', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const answer = await answerOf(response);
  logExchange('POST /playground/state-reports/grant (Rokid mints a code)', { userId }, answer, response.ok);
  if (!response.ok) return showProblem(answer.message);
  const granted = await v2('Rokid.Authorization', 'AcceptGrant', {
    payload: { grant: { type: 'OAuth2.AuthorizationCode', code: answer.code, userId } },
  });
  if (granted.header?.name !== 'AcceptGrantResponse') return showProblem(problemOf(granted));
  startSession({ ...session, stateReports: true });
  await renderHome();
}

/** The events Rokid received, once state reports are on; kept up to date while it is on the page. */
function eventsPane() {
  if (!config.stateReports || !session.stateReports) return undefined;
  clearInterval(eventsTimer);
  // The pane reaches the page once the devices are drawn; each look finds it there, or waits for it.
  eventsTimer = setInterval(refreshEvents, 700);
  return el(
    'section',
    { class: 'panel events', 'aria-label': 'Events at Rokid' },
    el('h2', {}, "Events Rokid's gateway received"),
    el(
      'p',
      { class: 'hint' },
      'A change made at a device ("at the wall" on a switch) reaches Rokid as a v2 event: the device cloud reports it to the driver, and the queue carries it to the gateway. Changes Rokid asks for are answered, not reported. Newest first.',
    ),
    eventList(lastEvents),
  );
}

function eventList(events) {
  const list = el('div', { id: 'rokid-events', 'data-count': String(events.length) });
  if (events.length === 0) list.append(el('p', { class: 'empty' }, 'None yet.'));
  list.append(
    ...events
      .map((event, i) =>
        el(
          'div',
          { class: 'exchange' },
          el(
            'div',
            { class: 'line' },
            el('span', {}, `${event.message?.header?.namespace} / ${event.message?.header?.name}`),
            el('span', { class: event.status === 202 ? 'status' : 'status error' }, `HTTP ${event.status}`),
          ),
          el('pre', { 'aria-label': `event ${i + 1}` }, JSON.stringify(event.message, null, 2)),
        ),
      )
      .reverse(),
  );
  return list;
}

async function refreshEvents() {
  if (!session?.stateReports) return clearInterval(eventsTimer);
  const list = document.getElementById('rokid-events');
  if (!list) return;
  const response = await fetch('/playground/state-reports/events');
  if (!response.ok) return;
  const { events } = await answerOf(response);
  lastEvents = events;
  if (list.dataset.count !== String(events.length)) list.replaceWith(eventList(events));
}

/** "at the wall": the switch flipped at the device. `after` redraws the card with the state the device now has. */
function atTheWall(label, deviceId, on, after) {
  // Only where the device cloud is this process's own: a vendor's cloud reports its own changes.
  if (!config.atTheWall) return undefined;
  return el(
    'button',
    {
      type: 'button',
      class: 'quiet',
      'aria-label': `${label} at the wall`,
      title: 'Switch it at the device itself: a change Rokid did not ask for',
      onclick: async () => {
        const action = { property: 'switch', name: on ? 'off' : 'on' };
        const response = await fetch('/playground/at-device', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ authorization: v2Authorization(), deviceId, action }),
        });
        const answer = await answerOf(response);
        logExchange('At the wall: reported to POST /device-events (as the device cloud)', { deviceId, action }, answer, response.ok);
        if (!response.ok) return showProblem(answer.message);
        after(answer.state);
      },
    },
    'at the wall',
  );
}
