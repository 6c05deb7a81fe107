export {
  AppTokenAccessTokenProvider,
  createAppTokenAuthenticationProvider,
} from './kiota-access-token-provider.js'
export { appTokenRetryMiddleware } from './kiota-retry-middleware.js'
export type { KiotaMiddleware } from './kiota-retry-middleware.js'
export type { GraphTargetOptions } from './graph-authorizer.js'
