/**
 * Stands in for `node:http` in the Lambda bundles (lib/bundling.ts aliases it here). An ESM import of
 * node:http builds a facade that reads every export, and its WebSocket, MessageEvent and CloseEvent
 * getters load undici: 17–40 ms of a cold start, paid by @middy/util for one STATUS_CODES table. This
 * module hands over the same functions without touching those getters.
 */
const http = process.getBuiltinModule('node:http');

export default http;
export const {
  Agent,
  ClientRequest,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  STATUS_CODES,
  Server,
  ServerResponse,
  createServer,
  get,
  globalAgent,
  maxHeaderSize,
  request,
  setMaxIdleHTTPParsers,
  validateHeaderName,
  validateHeaderValue,
} = http;
