export { redisCache, RedisCache } from './redis-cache.js'
export type { RedisCacheStats } from './redis-cache-stats.js'
export type { RedisCacheOptions } from './redis-cache-options.js'
export type { EncryptionKey } from './encryption-key.js'
