export { withAppToken } from './with-app-token.js'
export type { AnyFetch, ResponseLike } from './with-app-token.js'
export { appTokenInterceptor } from './interceptor.js'
export type {
  DispatchInterceptor,
  Dispatch,
  DispatchOptions,
  DispatchHandler,
  DispatchController,
} from './dispatch-types.js'
export type { AppTokenOptions } from '@apptoken/core'
