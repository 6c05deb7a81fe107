/**
 * Child task: fill the cache with `tenants` tokens, then time cached lookups over random tenants.
 * Also reports the fill time and the heap each cached token holds.
 */
import { tenantIds } from '../config.mjs'
import { createContender } from '../contenders.mjs'
import {
  INDEX_COUNT,
  awaitedLoop,
  heapUsedAfterGc,
  pool,
  randomIndices,
  syncLoop,
  timeMs,
} from '../harness.mjs'

export async function cached({ contender: name, tenants: n, env, settings }) {
  const contender = await createContender(name, env)
  const tenants = tenantIds(n)
  const indices = randomIndices(n, INDEX_COUNT)
  const loop = { batchMs: settings.batchMs, batches: settings.batches, warmupMs: settings.warmupMs }

  // The first token loads whatever the client loads lazily; it is not counted in the heap figure.
  await contender.get(tenants[0])
  const heapBefore = heapUsedAfterGc()
  const fill = await timeMs(() => pool(tenants.slice(1), settings.fillConcurrency, (t) => contender.get(t)))
  const heapAfterFill = heapUsedAfterGc()
  // Held, not in flight: per-request timers (apptoken's 10 s request timeout, say) fire first.
  if (settings.settleMs > 0 && n === settings.heapTenants)
    await new Promise((resolve) => setTimeout(resolve, settings.settleMs))
  const heapAfter = settings.settleMs > 0 && n === settings.heapTenants ? heapUsedAfterGc() : heapAfterFill

  const result = {
    fillMs: fill.ms,
    heapPerTokenBytes: n > 1 ? (heapAfter - heapBefore) / (n - 1) : undefined,
    heapPerTokenAfterFillBytes: n > 1 ? (heapAfterFill - heapBefore) / (n - 1) : undefined,
    lookup: await awaitedLoop(contender.get, tenants, indices, loop),
  }
  if (contender.getSync) result.syncLookup = await syncLoop(contender.getSync, tenants, indices, loop)
  if (n === 1) {
    // The single-tenant daemon's call: no per-call options at all.
    await contender.getDefault()
    result.defaultLookup = await awaitedLoop(() => contender.getDefault(), tenants, indices, loop)
  }
  const check = await contender.get(tenants[n - 1])
  result.servedFromCache = check.fromCache ?? null
  await contender.close()
  return result
}
