/**
 * iolog reader throughput: writes a ~200 MB `output.log` of ~100-byte lines with the writer into a temp file, reads
 * it back through a file stream (64 KiB chunks) with each reader, five passes each, and reports MB/s of log file
 * decoded, by wall clock and by CPU time (the machine is shared); then reports how many bytes the reverse-tail search
 * reads to find `tail=10`. VIC's Go reader managed 53–60 MB/s on the reference machine.
 *
 *   npx tsx bench/iolog-reader.ts [megabytes]
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  LogEntryReader,
  LogOutputReader,
  LogWriter,
  decodeLog,
  findTailOffset,
  type LogEntry,
} from '../src/logs/iolog/index.js'

const targetMB = Number(process.argv[2] ?? 200)
const MB = 1024 * 1024

/** 1 MiB of printable lines of 60..140 bytes (mean ~100), from a fixed seed so runs are comparable. */
function lineBlock(): Buffer {
  let seed = 42
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x80000000
  }
  const block = Buffer.alloc(MB)
  let at = 0
  while (at < block.length) {
    const length = Math.min(60 + Math.floor(random() * 81), block.length - at)
    for (let i = 0; i < length - 1; i++) block[at + i] = 32 + Math.floor(random() * 95)
    block[at + length - 1] = 0x0a
    at += length
  }
  return block
}

async function writeLog(path: string): Promise<void> {
  const block = lineBlock()
  let time = 1_700_000_000_000_000_000n
  // 4 KiB writes, so the times vary along the file as they do in a real log
  async function* blocks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < targetMB; i++) {
      for (let at = 0; at < block.length; at += 4096) yield block.subarray(at, at + 4096)
    }
  }
  const writer = new LogWriter({ clock: () => (time += 1_234_567n) })
  await pipeline(Readable.from(blocks()), writer, createWriteStream(path))
}

interface Run {
  wallMBs: number
  cpuMBs: number
  out: number
}

/** One pass of the file through `reader`; MB/s of file by the clock on the wall and by this process's CPU time. */
async function timeReader(path: string, reader: Transform, count: (chunk: unknown) => number): Promise<Run> {
  const fileMB = (await stat(path)).size / MB
  let out = 0
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(chunk, _encoding, callback) {
      out += count(chunk)
      callback()
    },
  })
  const started = performance.now()
  const cpuStarted = process.cpuUsage()
  await pipeline(createReadStream(path), reader, sink)
  const cpu = process.cpuUsage(cpuStarted)
  const seconds = (performance.now() - started) / 1000
  return { wallMBs: fileMB / seconds, cpuMBs: fileMB / ((cpu.user + cpu.system) / 1e6), out }
}

/** Best and median of a few passes: the machine is shared, so single passes are noisy. */
async function report(path: string, name: string, make: () => Transform, count: (chunk: unknown) => number) {
  const runs: Run[] = []
  for (let i = 0; i < 5; i++) runs.push(await timeReader(path, make(), count))
  const wall = runs.map((r) => r.wallMBs).sort((a, b) => a - b)
  const cpu = runs.map((r) => r.cpuMBs).sort((a, b) => a - b)
  const f = (n: number): string => n.toFixed(0).padStart(5)
  console.log(
    `${name.padEnd(30)} wall best ${f(wall[4]!)} median ${f(wall[2]!)} MB/s | ` +
      `CPU best ${f(cpu[4]!)} median ${f(cpu[2]!)} MB/s | ${runs[0]!.out} out`,
  )
}

async function tailBytes(path: string, tail: number): Promise<void> {
  const file = await open(path)
  try {
    const size = (await file.stat()).size
    let bytesRead = 0
    let reads = 0
    const offset = await findTailOffset(
      size,
      async (start, end) => {
        const buf = Buffer.alloc(end - start)
        await file.read(buf, 0, buf.length, start)
        bytesRead += buf.length
        reads++
        return buf
      },
      { tail },
    )
    const rest = Buffer.alloc(size - offset)
    await file.read(rest, 0, rest.length, offset)
    const entries = decodeLog(rest).length
    console.log(
      `tail=${tail}: ${reads} read(s), ${bytesRead} bytes of ${size}; ${entries} entries from offset ${offset}`,
    )
  } finally {
    await file.close()
  }
}

const dir = await mkdtemp(join(tmpdir(), 'iolog-bench-'))
try {
  const path = join(dir, 'output.log')
  const writeStarted = performance.now()
  await writeLog(path)
  const size = (await stat(path)).size
  console.log(`wrote ${(size / MB).toFixed(0)} MB in ${((performance.now() - writeStarted) / 1000).toFixed(2)} s`)
  const bytes = (chunk: unknown): number => (chunk as Buffer).length
  const entries = (_chunk: unknown): number => 1
  const messageBytes = (chunk: unknown): number => (chunk as LogEntry).message.length
  await report(path, 'LogOutputReader (raw)', () => new LogOutputReader(), bytes)
  await report(path, 'LogOutputReader (timestamps)', () => new LogOutputReader({ timestamps: true }), bytes)
  await report(path, 'LogEntryReader (entries)', () => new LogEntryReader(), entries)
  await report(path, 'LogEntryReader (message bytes)', () => new LogEntryReader(), messageBytes)
  await tailBytes(path, 10)
} finally {
  await rm(dir, { recursive: true, force: true })
}
