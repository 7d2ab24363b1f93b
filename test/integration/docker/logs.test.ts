// `docker logs` against portlayer: the container's iolog `output.log` (written here into its VM folder on the
// simulator's datastore, as a tether would) comes out through docker's multiplexed frames, so the CLI puts stdout
// and stderr each on its own stream; --tail, --since/--until, --timestamps and --follow behave as docker's.
import { spawn } from 'node:child_process'
import { appendFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeLog, type LogStream } from '../../../src/logs/iolog/index.js'
import { eventually } from '../../helpers/eventually.js'
import { datastore } from '../../helpers/sim-reads.js'
import { makeImageArchive, simContainer, useDockerRig, type DockerRig } from './support.js'

/** 2023-11-14T22:13:20Z in nanoseconds; entries are written at whole seconds after it */
const t0 = 1_700_000_000_000_000_000n
const second = 1_000_000_000n
const at = (text: string, n: number, stream: LogStream = 'stdout') => encodeLog(text, { stream, clock: () => t0 + BigInt(n) * second })

async function outputLogFile(rig: DockerRig, name: string): Promise<string> {
  const vm = await simContainer(rig, name)
  const match = /^\[([^\]]+)\]\s*(.*)\/[^/]+$/.exec(vm!.vmPathName)!
  return path.join(datastore(rig.sim, match[1]!).path, match[2]!, 'output.log')
}

describe('docker logs', () => {
  const rig = useDockerRig()
  let file: string

  beforeAll(async () => {
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    await rig.docker('create', '--name', 'talker', 'busybox')
    file = await outputLogFile(rig, 'talker')
    writeFileSync(file, Buffer.concat([at('one\ntwo\n', 0), at('oops\n', 1, 'stderr'), at('three\n', 2)]))
  })

  it('splits stdout and stderr as docker does', async () => {
    const res = await rig.docker('logs', 'talker')
    expect(res).toMatchObject({ code: 0, stdout: 'one\ntwo\nthree\n', stderr: 'oops\n' })
  })

  it('sends docker frames: stream byte, three zeros, the length big-endian, then the bytes', async () => {
    const res = await fetch(`${rig.server.dockerAddress}/v1.41/containers/talker/logs?stdout=1&stderr=0`)
    const body = Buffer.from(await res.arrayBuffer())
    expect([...body.subarray(0, 8)]).toEqual([1, 0, 0, 0, 0, 0, 0, 4])
    expect(body.subarray(8, 12).toString()).toBe('one\n')
    expect(body.includes(Buffer.from('oops'))).toBe(false)
  })

  it('--tail, --since and --until pick entries; --timestamps prefixes docker\'s fixed-width time', async () => {
    expect((await rig.docker('logs', '--tail', '1', 'talker')).stdout).toBe('three\n')
    const since = await rig.docker('logs', '--since', '1700000001.5', 'talker')
    expect(since).toMatchObject({ stdout: 'three\n', stderr: '' })
    const until = await rig.docker('logs', '--until', '1700000000.5', 'talker')
    expect(until).toMatchObject({ stdout: 'one\ntwo\n', stderr: '' })
    const stamped = await rig.docker('logs', '--timestamps', '--tail', '1', 'talker')
    expect(stamped.stdout).toBe('2023-11-14T22:13:22.000000000Z three\n')
  })

  it('--follow streams what the running container writes and ends when it stops', async () => {
    await rig.docker('start', 'talker')
    const child = spawn('docker', ['logs', '--follow', '--tail', '0', 'talker'], {
      env: { PATH: process.env.PATH, DOCKER_HOST: rig.host, DOCKER_CONFIG: path.join(rig.dir, 'config') },
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    const ended = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500))
      appendFileSync(file, at('four\n', 3))
      await eventually(() => expect(out).toBe('four\n'), { timeoutMs: 20_000 })
      await rig.docker('stop', '-t', '0', 'talker')
      expect(await ended).toBe(0)
    } finally {
      child.kill()
    }
  })
})
