export { ROUTES, STUB_ROUTE, basePathOf, resolve, routesUnder } from './routes.js';
export type { Route, Resolved, ServiceName } from './routes.js';
export { createGateway, listenGateway } from './gateway.js';
export type { GatewayOptions, Upstreams } from './gateway.js';
export { startRedis } from './redis-server.js';
export type { LocalRedis } from './redis-server.js';
export { freePort } from './ports.js';
export { startStack } from './stack.js';
export type { RunningStack, StackOptions } from './stack.js';
