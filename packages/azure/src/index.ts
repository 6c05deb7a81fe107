export { appTokenPolicy, appTokenPolicyName } from './app-token-policy.js'
export type { AppTokenPolicyOptions } from './app-token-policy.js'
