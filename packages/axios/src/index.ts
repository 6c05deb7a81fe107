export { attachAppToken } from './attach-app-token.js'
export type { AxiosAppTokenOptions } from './attach-app-token.js'
