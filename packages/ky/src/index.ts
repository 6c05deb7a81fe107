export { appToken } from './app-token.js'
export type { KyAppTokenHooks, KyAppTokenOptions, KyHook, KyRetry } from './options.js'
