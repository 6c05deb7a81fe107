import { readFileSync, statSync, type Stats } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { Logger } from '../types.js'

// inode + size + mtime: an in-place rewrite changes size or mtime, and a Kubernetes secret
// update swaps a symlink, which changes the inode stat() follows to.
const versionOf = (s: Stats): string => `${s.ino}:${s.size}:${s.mtimeMs}`

/**
 * A file read once at creation and re-read on use when it changed on disk (a rotated certificate,
 * a federated token the kubelet rewrites hourly). A new version that fails to parse (a file caught
 * half-written) is skipped with a warning, and the last good value stays in use.
 */
export class WatchedFile<T> {
  readonly path: string
  readonly #parse: (content: Buffer) => T
  #value: T
  #version: string
  #refreshing: Promise<boolean> | undefined

  /** Reads and parses the file now; `parse` and `readError` decide what a failure throws. */
  constructor(path: string, parse: (content: Buffer) => T, readError: (error: unknown) => Error) {
    this.path = path
    this.#parse = parse
    let content: Buffer
    try {
      this.#version = versionOf(statSync(path))
      content = readFileSync(path)
    } catch (error) {
      throw readError(error)
    }
    this.#value = parse(content)
  }

  get value(): T {
    return this.#value
  }

  /**
   * Re-reads the file if its version changed (or always, with `force`). Resolves to true when
   * the value was replaced. Concurrent calls share one check.
   */
  refresh(logger: Logger | undefined, force = false): Promise<boolean> {
    // A forced read must see the disk now, not join a check that started before.
    if (force) return this.#refresh(logger, true)
    this.#refreshing ??= this.#refresh(logger, false).finally(() => (this.#refreshing = undefined))
    return this.#refreshing
  }

  async #refresh(logger: Logger | undefined, force: boolean): Promise<boolean> {
    try {
      const version = versionOf(await stat(this.path))
      if (!force && version === this.#version) return false
      const value = this.#parse(await readFile(this.path))
      this.#version = version
      this.#value = value
      logger?.info?.({ event: 'credential_file_reloaded', path: this.path }, `apptoken: re-read ${this.path}`)
      return true
    } catch (error) {
      logger?.warn?.(
        { event: 'credential_file_unreadable', path: this.path, code: (error as { code?: string }).code },
        `apptoken: could not re-read ${this.path}; still using the version read before: ${(error as Error).message}`,
      )
      return false
    }
  }
}
