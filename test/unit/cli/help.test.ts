import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { configOptions } from '../../../src/config.js'
import { exitCodes, runCli, type CliIo } from '../../../src/cli/program.js'

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const cli: CliIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env,
    interrupted: () => new Promise(() => {}),
  }
  return { cli, out: () => out.join(''), err: () => err.join('') }
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const streams = io(env)
  return runCli(['node', 'portlayer', ...args], streams.cli).then((code) => ({ code, ...streams }))
}

describe('portlayer --help', () => {
  it('lists every configuration flag of serve with its environment variable', async () => {
    const { code, out } = await run(['serve', '--help'])
    expect(code).toBe(exitCodes.ok)
    const help = out().replace(/\s+/g, ' ')
    for (const option of configOptions) {
      expect(help).toContain(option.flags)
      if (option.env) expect(help).toContain(`[env: ${option.env}]`)
    }
    for (const env of [
      'PORTLAYER_VSPHERE_URL',
      'PORTLAYER_VSPHERE_USERNAME',
      'PORTLAYER_VSPHERE_PASSWORD',
      'PORTLAYER_LISTEN',
      'PORTLAYER_TOKEN',
    ]) {
      expect(help).toContain(env)
    }
  })

  it('lists the commands', async () => {
    const { code, out } = await run(['--help'])
    expect(code).toBe(exitCodes.ok)
    for (const command of ['serve', 'sim', 'openapi']) expect(out()).toContain(command)
  })

  it('lists the simulator flags', async () => {
    const { out } = await run(['sim', '--help'])
    for (const flag of ['--listen', '--hosts', '--datastores', '--vsan', '--tls', '--no-compat', '--strict']) {
      expect(out()).toContain(flag)
    }
  })

  it('prints the version', async () => {
    const { code, out } = await run(['--version'])
    expect(code).toBe(exitCodes.ok)
    expect(out().trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })
})

describe('bad usage exits with code 2 and says why', () => {
  it.each([
    [['serve', '--listen', 'nowhere'], /--listen \(PORTLAYER_LISTEN\)/],
    [['serve', '--log-level', 'loud'], /--log-level/],
    [['serve', '--url', 'ftp://vc/sdk'], /--url/],
    [['serve', '--bogus'], /unknown option '--bogus'/],
    [['serve', '--listen'], /argument missing/],
    [['sim', '--hosts', 'many'], /--hosts/],
    [['sim', '--username', 'u'], /--username and --password-file go together/],
    [['sim', '--username', 'u', '--password-file', '/nonexistent/pw'], /--password-file: cannot read/],
    [['frobnicate'], /unknown command/],
  ])('%j', async (args, why) => {
    const { code, err } = await run(args)
    expect(code).toBe(exitCodes.usage)
    expect(err()).toMatch(why)
  })

  it('a bad environment variable is a usage error too', async () => {
    const { code, err } = await run(['serve'], { PORTLAYER_LISTEN: '1.2.3.4' })
    expect(code).toBe(exitCodes.usage)
    expect(err()).toContain('PORTLAYER_LISTEN')
  })
})

describe('the executable', () => {
  const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url))

  it('starts with a node shebang', async () => {
    expect((await readFile(main, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('exits with code 2 on a bad flag, before starting anything', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', main, 'serve', '--listen', 'bad'], (err, _stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr })
      })
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--listen')
  }, 30_000) // a fresh node process compiling TypeScript, on a shared machine
})
