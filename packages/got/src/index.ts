export { appToken } from './app-token.js'
export type { GotAppTokenOptions } from './app-token.js'
export type { GotAppTokenExtension, GotRequestOptions, GotResponse, GotRetryOptions } from './got-types.js'
