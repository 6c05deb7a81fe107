/**
 * @peculiar/x509 resolves its algorithms through tsyringe, which refuses to load unless a
 * `Reflect.getMetadata` polyfill is installed. When none is, this installs the few functions
 * tsyringe calls (metadata kept in a WeakMap, looked up along the prototype chain). It runs only
 * right before @peculiar/x509 is first loaded, and never replaces an existing polyfill.
 */
export function ensureReflectMetadata(): void {
  const reflect = Reflect as typeof Reflect & Record<string, unknown>
  if (typeof reflect.getMetadata === 'function') return
  const store = new WeakMap<object, Map<unknown, unknown>>()
  const own = (target: object, key: unknown): unknown => store.get(target)?.get(key)
  const lookup = (target: object, key: unknown): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      if (store.get(t)?.has(key)) return own(t, key)
    }
    return undefined
  }
  const define = (key: unknown, value: unknown, target: object): void => {
    const map = store.get(target) ?? new Map<unknown, unknown>()
    map.set(key, value)
    store.set(target, map)
  }
  Object.assign(reflect, {
    defineMetadata: define,
    getOwnMetadata: (key: unknown, target: object): unknown => own(target, key),
    getMetadata: (key: unknown, target: object): unknown => lookup(target, key),
    hasMetadata: (key: unknown, target: object): boolean => lookup(target, key) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: object) => define(key, value, target),
  })
}
