import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { ReplicaCommand, ReplicaData, ReplicaMessage } from './fixtures/replica.ts'

type Result = Extract<ReplicaMessage, { type: 'result' }>
type GetTokenCall = { scope: string; advanceMs?: number; awaitRefresh?: boolean }

const DIST = new URL('../dist/index.js', import.meta.url)
const SCRIPT = new URL('./fixtures/replica.ts', import.meta.url)

/** One replica (worker thread) as the test drives it. */
export interface Replica {
  readonly worker: Worker
  /** Resolves when this replica's cache starts a token request (it holds the lock then). */
  nextFetching(): Promise<void>
  /** Kills the thread at once, like a crashed process. */
  kill(): Promise<void>
}

export interface ReplicaGroup {
  readonly replicas: Replica[]
  /** Has `which` replicas call getToken at the same instant (a shared-memory barrier). */
  getTokenAtOnce(call: GetTokenCall, which?: Replica[]): Promise<Result[]>
  close(): Promise<void>
}

interface Pending {
  resolve(message: ReplicaMessage): void
  reject(error: Error): void
}

class ReplicaThread implements Replica {
  readonly worker: Worker
  readonly ready: Promise<void>
  readonly #pending = new Map<number, Pending>()
  readonly #armed = new Map<number, () => void>()
  #fetching: (() => void)[] = []
  #exited = false

  constructor(data: ReplicaData) {
    this.worker = new Worker(SCRIPT, { workerData: data })
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: ReplicaMessage) => {
        if (message.type === 'ready') resolve()
        else if (message.type === 'armed') this.#armed.get(message.id)?.()
        else if (message.type === 'fetching') this.#fetching.splice(0).forEach((f) => f())
        else this.#pending.get(message.id)?.resolve(message)
      })
      const fail = (error: Error) => {
        reject(error)
        for (const pending of this.#pending.values()) pending.reject(error)
      }
      this.worker.on('error', fail)
      this.worker.on('exit', (code) => {
        this.#exited = true
        fail(new Error(`replica exited with code ${code}`))
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

  nextFetching(): Promise<void> {
    return new Promise((resolve) => this.#fetching.push(resolve))
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

let nextId = 1

/** Starts `count` replicas, each with its own Redis client, cache and provider. */
export async function startReplicas(
  count: number,
  data: Omit<ReplicaData, 'barrier'>,
): Promise<ReplicaGroup> {
  if (!existsSync(DIST))
    throw new Error(
      'packages/redis/dist/index.js is missing: run `npx tsdown` in packages/redis before the tests',
    )
  const barrier = new SharedArrayBuffer(4)
  const gate = new Int32Array(barrier)
  const threads = Array.from({ length: count }, () => new ReplicaThread({ ...data, barrier }))
  try {
    await Promise.all(threads.map((t) => t.ready))
  } catch (error) {
    await Promise.all(threads.map((t) => t.kill()))
    throw error
  }
  return {
    replicas: threads,
    async getTokenAtOnce(call, which = threads) {
      const generation = Atomics.load(gate, 0)
      const armed: Promise<void>[] = []
      const results = (which as ReplicaThread[]).map((thread) => {
        const id = nextId++
        let onArmed!: () => void
        armed.push(new Promise<void>((resolve) => (onArmed = resolve)))
        return thread.send({ type: 'getToken', id, gate: generation, ...call }, onArmed)
      })
      await Promise.all(armed)
      Atomics.add(gate, 0, 1)
      Atomics.notify(gate, 0)
      return (await Promise.all(results)).map((message) => {
        if (message.type !== 'result')
          throw new Error(`a replica failed: ${message.type === 'error' ? message.message : message.type}`)
        return message
      })
    },
    close: async () => void (await Promise.all(threads.map((t) => t.close()))),
  }
}
