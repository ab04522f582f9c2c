/**
 * Which function serves which API route: one table for the CDK stack and the local gateway, so the
 * two cannot disagree.
 */
export const ROUTES = {
  'POST /list': 'list',
  'POST /execute': 'execute',
  // Legacy, still called by Rokid's rhome CLI.
  'POST /get': 'execute',
  'POST /command': 'command',
  // The browser side of OAuth linking (seeds 000/001) and seed 003's callback service.
  'GET /oauth/start': 'command',
  'GET /oauth/callback': 'command',
  'GET /device_oauth/{appId}/login': 'command',
  'GET /device_oauth/{appId}/callback': 'command',
  'GET /device_oauth/{appId}/token': 'command',
} as const satisfies Record<string, 'list' | 'execute' | 'command'>;

export type RouteKey = keyof typeof ROUTES;
