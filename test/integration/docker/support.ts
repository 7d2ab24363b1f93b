// What the Docker API tests share: `portlayer serve` (the serve command's own start, in this process) on a real
// govcsim with the Docker API front on a free port; the real docker CLI and docker-compose pointed at it with a
// config directory of their own; a small docker-archive made here for `docker load`; and every container VM as the
// simulator holds it, read with the raw SOAP client (not through portlayer).
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll } from 'vitest'
import { startServer, type Server } from '../../../src/cli/serve.js'
import { loadConfig } from '../../../src/config.js'
import { containerKeys } from '../../../src/extraconfig/index.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { startSim } from '../../helpers/govcsim.js'
import { RawSoap } from '../../helpers/raw-soap.js'
import { readVm, simVms, type VmFacts } from '../../helpers/sim-reads.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface DockerRig {
  sim: Govcsim
  soap: RawSoap
  server: Server
  /** `tcp://127.0.0.1:<port>` */
  host: string
  /** a scratch directory for this file (compose projects, archives) */
  dir: string
  docker(...args: string[]): Promise<CliResult>
  /** the docker CLI with extra environment (e.g. DOCKER_API_VERSION) */
  dockerWith(extra: Record<string, string>, ...args: string[]): Promise<CliResult>
  compose(project: string, ...args: string[]): Promise<CliResult>
  /** the JSON `docker inspect` prints for one object */
  inspect(ref: string): Promise<Record<string, any>>
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

/**
 * One simulator and one `portlayer serve` for the file; started in beforeAll, stopped in afterAll. A long
 * `leaseSeconds` keeps the writer lease's renewals out of a SOAP count.
 */
export function useDockerRig(options: { leaseSeconds?: number } = {}): DockerRig {
  const rig = {} as DockerRig
  beforeAll(async () => {
    rig.dir = mkdtempSync(path.join(tmpdir(), 'portlayer-docker-'))
    mkdirSync(path.join(rig.dir, 'config'))
    rig.sim = await startSim()
    rig.soap = await RawSoap.connect(rig.sim.url, rig.sim.username, rig.sim.password)
    const config = await loadConfig(
      {
        url: rig.sim.url,
        username: rig.sim.username,
        listen: '127.0.0.1:0',
        dockerListen: '127.0.0.1:0',
        ...(options.leaseSeconds !== undefined ? { leaseSeconds: String(options.leaseSeconds) } : {}),
      },
      { PORTLAYER_VSPHERE_PASSWORD: rig.sim.password },
    )
    rig.server = await startServer(config, pino({ level: 'silent' }))
    if (!rig.server.dockerAddress) throw new Error('portlayer serve did not start its Docker API front')
    rig.host = rig.server.dockerAddress.replace(/^http:/, 'tcp:')
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: rig.dir,
      DOCKER_HOST: rig.host,
      DOCKER_CONFIG: path.join(rig.dir, 'config'),
      DOCKER_CLI_HINTS: 'false',
    }
    rig.docker = (...args) => run('docker', args, env)
    rig.dockerWith = (extra, ...args) => run('docker', args, { ...env, ...extra })
    rig.compose = (project, ...args) =>
      run('docker-compose', ['--no-ansi', '-p', project, ...args], { ...env, COMPOSE_INTERACTIVE_NO_CLI: '1' }, path.join(rig.dir, project))
    rig.inspect = async (ref) => {
      const res = await rig.docker('inspect', '--type', 'container', ref)
      if (res.code !== 0) throw new Error(`docker inspect ${ref}: ${res.stderr}`)
      return (JSON.parse(res.stdout) as Array<Record<string, any>>)[0]!
    }
  }, 120_000)
  afterAll(async () => {
    await rig.server?.close()
    rig.soap?.close()
    await rig.sim?.stop()
    if (rig.dir) rmSync(rig.dir, { recursive: true, force: true })
  })
  return rig
}

/**
 * A docker-archive as `docker save` writes it, made with tar: one layer holding one file, its config document and
 * the manifest naming `tag`. Returns the archive's path and the image ID docker would give it.
 */
export function makeImageArchive(dir: string, tag: string, cmd: string[] = ['sh']): { file: string; id: string } {
  const work = mkdtempSync(path.join(dir, 'image-'))
  const layerDir = path.join(work, 'layer-src')
  mkdirSync(layerDir)
  writeFileSync(path.join(layerDir, 'hello.txt'), `made for ${tag}\n`)
  execFileSyncTar(['--format=ustar', '-cf', path.join(work, 'layer.tar'), '-C', layerDir, 'hello.txt'])
  const layer = readFileSync(path.join(work, 'layer.tar'))
  const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created: '2026-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: cmd, Labels: { made: 'test' } },
    container_config: { Env: [], Cmd: cmd, Volumes: null },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'test' }],
  }
  const configText = JSON.stringify(config)
  const configHex = createHash('sha256').update(configText).digest('hex')
  const out = path.join(work, 'out')
  mkdirSync(path.join(out, 'layer0'), { recursive: true })
  writeFileSync(path.join(out, `${configHex}.json`), configText)
  copyFileSync(path.join(work, 'layer.tar'), path.join(out, 'layer0', 'layer.tar'))
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [tag], Layers: ['layer0/layer.tar'] }]))
  const file = path.join(work, 'image.tar')
  execFileSyncTar(['--format=ustar', '-cf', file, '-C', out, 'manifest.json', `${configHex}.json`, 'layer0/layer.tar'])
  return { file, id: `sha256:${configHex}` }
}

function execFileSyncTar(args: string[]): void {
  execFileSync('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** A container VM as the simulator holds it. */
export interface SimContainer extends VmFacts {
  readonly moref: string
  readonly id: string
  /** `common/name` */
  readonly containerName: string
}

/** Every container VM in the simulator (VMs without a container ID are left out). */
export async function simContainers(rig: DockerRig): Promise<SimContainer[]> {
  const out: SimContainer[] = []
  for (const vm of await simVms(rig.sim)) {
    const facts = await readVm(rig.soap, { type: 'VirtualMachine', value: vm.moref })
    const id = facts.extraConfig.get(containerKeys.id)
    if (id === undefined) continue
    out.push({ ...facts, moref: vm.moref, id, containerName: facts.extraConfig.get(containerKeys.name) ?? '' })
  }
  return out
}

/** The container VM named `name` in the simulator (by `common/name`). */
export async function simContainer(rig: DockerRig, name: string): Promise<SimContainer | undefined> {
  return (await simContainers(rig)).find((c) => c.containerName === name)
}

/** The stored alias entries of a container VM on one network (`:alias` and `name:alias`), read from ExtraConfig. */
export function simAliases(c: SimContainer, net: string): string[] {
  return aliasSlice(c.extraConfig, `networks|${net}/network/aliases`)
}

/** The stored HostConfig.Links of a container VM (`name:alias`). */
export function simLinks(c: SimContainer): string[] {
  return aliasSlice(c.extraConfig, 'hostconfig/links')
}

/** A hidden slice as VIC stores it: one `…~` key, its values joined with `|`, `<nil>` when empty. */
function aliasSlice(extraConfig: Map<string, string>, key: string): string[] {
  const joined = extraConfig.get(`${key}~`)
  if (joined === undefined || joined === '<nil>' || joined === '') return []
  return joined.split('|')
}
