import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { ReplicaCommand, ReplicaData, ReplicaMessage, ReplicaResult } from './fixtures/replica.ts'

type GetTokenCall = { scope: string; advanceMs?: number; awaitRefresh?: boolean }

const DIST = new URL('../dist/index.js', import.meta.url)
const SCRIPT = new URL('./fixtures/replica.ts', import.meta.url)

/** One replica as the test drives it. */
export interface Replica {
  /** Resolves when this replica's cache starts a token request (it holds the lock then). */
  nextFetching(): Promise<void>
  /** Kills its thread at once, like a crashed process (with any replica sharing the thread). */
  kill(): Promise<void>
}

export interface ReplicaGroup {
  readonly replicas: Replica[]
  /** Has `which` replicas call getToken at the same instant (a shared-memory barrier). */
  getTokenAtOnce(call: GetTokenCall, which?: Replica[]): Promise<ReplicaResult[]>
  close(): Promise<void>
}

interface Pending {
  resolve(message: ReplicaMessage): void
  reject(error: Error): void
}

class ReplicaThread {
  readonly worker: Worker
  readonly ready: Promise<void>
  readonly #pending = new Map<number, Pending>()
  readonly #armed = new Map<number, () => void>()
  readonly #fetching = new Map<number, (() => void)[]>()
  #exited = false

  constructor(data: ReplicaData) {
    this.worker = new Worker(SCRIPT, { workerData: data })
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: ReplicaMessage) => {
        if (message.type === 'ready') resolve()
        else if (message.type === 'armed') this.#armed.get(message.id)?.()
        else if (message.type === 'fetching')
          this.#fetching
            .get(message.replica)
            ?.splice(0)
            .forEach((f) => f())
        else this.#pending.get(message.id)?.resolve(message)
      })
      const fail = (error: Error) => {
        reject(error)
        for (const pending of this.#pending.values()) pending.reject(error)
      }
      this.worker.on('error', fail)
      this.worker.on('exit', (code) => {
        this.#exited = true
        fail(new Error(`replica thread exited with code ${code}`))
      })
    })
  }

  send(command: ReplicaCommand, armed?: () => void): Promise<ReplicaMessage> {
    if (armed) this.#armed.set(command.id, armed)
    return new Promise<ReplicaMessage>((resolve, reject) => {
      this.#pending.set(command.id, { resolve, reject })
      this.worker.postMessage(command)
    })
  }

  nextFetching(replica: number): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.#fetching.get(replica) ?? []
      waiting.push(resolve)
      this.#fetching.set(replica, waiting)
    })
  }

  async kill(): Promise<void> {
    if (!this.#exited) await this.worker.terminate()
  }

  async close(): Promise<void> {
    if (this.#exited) return
    await this.send({ type: 'close', id: nextId++ }).catch(() => undefined)
    await this.kill()
  }
}

// No parameter properties: the bench loads this file with Node's type stripping.
class ThreadReplica implements Replica {
  readonly thread: ReplicaThread
  readonly index: number
  constructor(thread: ReplicaThread, index: number) {
    this.thread = thread
    this.index = index
  }
  nextFetching = () => this.thread.nextFetching(this.index)
  kill = () => this.thread.kill()
}

let nextId = 1

/**
 * Starts `count` replicas, each with its own Redis client, cache, clock and provider, `perThread`
 * of them to a worker thread (a thread costs a second or more to start on a busy machine).
 */
export async function startReplicas(
  count: number,
  data: Omit<ReplicaData, 'barrier' | 'count'>,
  { perThread = 1 } = {},
): Promise<ReplicaGroup> {
  if (!existsSync(DIST))
    throw new Error(
      'packages/redis/dist/index.js is missing: run `npx tsdown` in packages/redis before the tests',
    )
  const barrier = new SharedArrayBuffer(4)
  const gate = new Int32Array(barrier)
  const threads: ReplicaThread[] = []
  const replicas: ThreadReplica[] = []
  for (let first = 0; first < count; first += perThread) {
    const size = Math.min(perThread, count - first)
    const thread = new ReplicaThread({ ...data, count: size, barrier })
    threads.push(thread)
    for (let i = 0; i < size; i++) replicas.push(new ThreadReplica(thread, i))
  }
  try {
    await Promise.all(threads.map((t) => t.ready))
  } catch (error) {
    await Promise.all(threads.map((t) => t.kill()))
    throw error
  }
  return {
    replicas,
    async getTokenAtOnce(call, which = replicas) {
      const generation = Atomics.load(gate, 0)
      const byThread = new Map<ReplicaThread, number[]>()
      for (const r of which as ThreadReplica[])
        byThread.set(r.thread, [...(byThread.get(r.thread) ?? []), r.index])
      const armed: Promise<void>[] = []
      const results = [...byThread].map(([thread, indexes]) => {
        const id = nextId++
        let onArmed!: () => void
        armed.push(new Promise<void>((resolve) => (onArmed = resolve)))
        return thread.send({ type: 'getToken', id, gate: generation, replicas: indexes, ...call }, onArmed)
      })
      await Promise.all(armed)
      Atomics.add(gate, 0, 1)
      Atomics.notify(gate, 0)
      return (await Promise.all(results)).flatMap((message) => {
        if (message.type !== 'result')
          throw new Error(`a replica failed: ${message.type === 'error' ? message.message : message.type}`)
        return message.results
      })
    },
    close: async () => void (await Promise.all(threads.map((t) => t.close()))),
  }
}
