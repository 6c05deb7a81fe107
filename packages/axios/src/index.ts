export { attachAppToken } from './attach-app-token.js'
export type { AxiosAppTokenOptions, AxiosInstanceLike } from './attach-app-token.js'
