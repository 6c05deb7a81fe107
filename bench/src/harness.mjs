/** Timing primitives shared by every child: loops, pools, medians. */

const now = () => process.hrtime.bigint()

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Deterministic indices in [0, n), so every contender looks up the same tenants in the same order. */
export function randomIndices(n, count, seed = 0x9e3779b9) {
  let s = seed >>> 0
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n
  }
  return out
}

/** Runs `fn(item)` over `items`, at most `concurrency` at a time. */
export async function pool(items, concurrency, fn) {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

/** Wall time of an async function, in milliseconds. */
export async function timeMs(fn) {
  const start = now()
  const value = await fn()
  return { ms: Number(now() - start) / 1e6, value }
}

export function heapUsedAfterGc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run the child with --expose-gc')
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

const MASK = (1 << 16) - 1
export const INDEX_COUNT = MASK + 1

/**
 * µs per awaited call of `fn(keys[i])` over the random `indices`: the batch size doubles until a
 * batch lasts `batchMs`, then `batches` batches are timed and their median kept.
 */
export async function awaitedLoop(fn, keys, indices, { batchMs, batches, warmupMs }) {
  let cursor = 0
  const batch = async (ops) => {
    const start = now()
    for (let i = 0; i < ops; i++) await fn(keys[indices[cursor++ & MASK]])
    return Number(now() - start)
  }
  return calibrated(batch, { batchMs, batches, warmupMs })
}

/** The same loop without `await`, for the synchronous floor. */
export async function syncLoop(fn, keys, indices, { batchMs, batches, warmupMs }) {
  let cursor = 0
  let sink = 0
  const batch = async (ops) => {
    const start = now()
    for (let i = 0; i < ops; i++) sink += fn(keys[indices[cursor++ & MASK]]).expiresAt & 1
    const ns = Number(now() - start)
    if (sink < 0) console.log(sink) // keeps the loop body observable
    return ns
  }
  return calibrated(batch, { batchMs, batches, warmupMs })
}

async function calibrated(batch, { batchMs, batches, warmupMs }) {
  const warmUntil = Date.now() + warmupMs
  let ops = 8
  while (Date.now() < warmUntil) await batch(ops)
  for (;;) {
    const ns = await batch(ops)
    if (ns >= batchMs * 1e6 || ops >= 1 << 24) break
    ops *= ns < (batchMs * 1e6) / 16 ? 4 : 2
  }
  const perOp = []
  for (let b = 0; b < batches; b++) perOp.push((await batch(ops)) / ops / 1000)
  return { usPerOp: median(perOp), minUsPerOp: Math.min(...perOp), opsPerBatch: ops, batches }
}
