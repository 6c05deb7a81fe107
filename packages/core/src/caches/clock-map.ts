/** A value that carries its own second-chance flag, so the map needs no wrapper object per entry. */
export interface ClockSlot {
  used: boolean
  /** True while the map holds it: whoever kept a reference can tell a replaced or evicted value. */
  live: boolean
}

/**
 * {@link LruMap}'s CLOCK eviction for values that hold their own `used` flag: one Map entry per
 * key and nothing else, for the provider's tokens (memory per cached token counts there).
 */
export class ClockMap<V extends ClockSlot> {
  readonly #map = new Map<string, V>()
  readonly #max: number

  constructor(maxEntries: number) {
    this.#max = maxEntries
  }

  get size(): number {
    return this.#map.size
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) value.used = true
    return value
  }

  set(key: string, value: V): void {
    const old = this.#map.get(key)
    if (old === undefined && this.#map.size >= this.#max) this.#evictOne()
    if (old !== undefined && old !== value) old.live = false
    value.used = old !== undefined
    value.live = true
    this.#map.set(key, value)
  }

  delete(key: string): boolean {
    const old = this.#map.get(key)
    if (old !== undefined) old.live = false
    return this.#map.delete(key)
  }

  clear(): void {
    for (const value of this.#map.values()) value.live = false
    this.#map.clear()
  }

  #evictOne(): void {
    // Each pass clears a flag, so this ends within two sweeps.
    for (;;) {
      const first = this.#map.entries().next()
      if (first.done) return
      const [key, value] = first.value
      this.#map.delete(key)
      if (!value.used) return void (value.live = false)
      value.used = false
      this.#map.set(key, value)
    }
  }
}
