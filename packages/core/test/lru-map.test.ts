import { describe, expect, it } from 'vitest'
import { ClockMap } from '../src/caches/clock-map.js'
import { LruMap } from '../src/caches/lru-map.js'

// LruMap wraps each value; ClockMap keeps the flag on the value itself. Same eviction, same tests.
const wrapped = (max: number) => new LruMap<number>(max)
const flagged = (max: number) => {
  const map = new ClockMap<{ used: boolean; live: boolean; n: number }>(max)
  return {
    set: (k: string, n: number) => map.set(k, { used: false, live: false, n }),
    get: (k: string) => map.get(k)?.n,
    get size() {
      return map.size
    },
  }
}

describe.each([
  ['LruMap', wrapped],
  ['ClockMap', flagged],
])('%s', (_, make) => {
  it('evicts the least recently used entry first, keeping recently read ones', () => {
    const map = make(3)
    map.set('a', 1)
    map.set('b', 2)
    map.set('c', 3)
    expect(map.get('a')).toBe(1)
    map.set('d', 4)
    expect(map.get('b')).toBeUndefined()
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([1, 3, 4])
    expect(map.size).toBe(3)
  })

  it('stays bounded however many keys pass through', () => {
    const map = make(100)
    for (let i = 0; i < 10_000; i++) {
      map.set(String(i), i)
      map.get(String(i - 1))
    }
    expect(map.size).toBe(100)
    expect(map.get('9999')).toBe(9999)
  })
})

describe('ClockMap tells a held value whether it is still the stored one', () => {
  it('marks values replaced, deleted, evicted or cleared as no longer live', () => {
    const map = new ClockMap<{ used: boolean; live: boolean; n: number }>(2)
    const a = { used: false, live: false, n: 1 }
    const b = { used: false, live: false, n: 2 }
    map.set('a', a)
    expect(a.live).toBe(true)
    map.set('a', b) // replaced
    expect([a.live, b.live]).toEqual([false, true])
    map.delete('a')
    expect(b.live).toBe(false)
    const c = { used: false, live: false, n: 3 }
    const d = { used: false, live: false, n: 4 }
    const e = { used: false, live: false, n: 5 }
    map.set('c', c)
    map.set('d', d)
    map.set('e', e) // evicts the oldest unused one
    expect([c.live, d.live, e.live]).toEqual([false, true, true])
    map.clear()
    expect([d.live, e.live]).toEqual([false, false])
  })
})
