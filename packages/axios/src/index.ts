export { attachAppToken } from './attach-app-token.js'
export type { AxiosAppTokenOptions, AxiosInstanceLike, AxiosInterceptorsLike } from './attach-app-token.js'
