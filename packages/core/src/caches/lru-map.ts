interface Slot<V> {
  value: V
  used: boolean
}

/**
 * A bounded map with second-chance (CLOCK) eviction: `get` only sets a flag, so a hit costs one
 * Map lookup and no reordering, and eviction approximates least-recently-used in O(1) amortised.
 */
export class LruMap<V> {
  readonly #slots = new Map<string, Slot<V>>()
  readonly #max: number

  constructor(maxEntries: number) {
    this.#max = maxEntries
  }

  get size(): number {
    return this.#slots.size
  }

  get(key: string): V | undefined {
    const slot = this.#slots.get(key)
    if (slot === undefined) return undefined
    slot.used = true
    return slot.value
  }

  set(key: string, value: V): void {
    const slot = this.#slots.get(key)
    if (slot !== undefined) {
      slot.value = value
      slot.used = true
      return
    }
    if (this.#slots.size >= this.#max) this.#evictOne()
    this.#slots.set(key, { value, used: false })
  }

  delete(key: string): boolean {
    return this.#slots.delete(key)
  }

  clear(): void {
    this.#slots.clear()
  }

  #evictOne(): void {
    // Each pass clears a flag, so this ends within two sweeps.
    for (;;) {
      const first = this.#slots.entries().next()
      if (first.done) return
      const [key, slot] = first.value
      this.#slots.delete(key)
      if (!slot.used) return
      slot.used = false
      this.#slots.set(key, slot)
    }
  }
}
