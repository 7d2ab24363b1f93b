import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  loadConfig,
  parseListen,
  parseThumbprint,
  parseVsphereUrl,
  Secret,
  type ConfigFlags,
  type ReadText,
} from '../../../src/config.js'
import { createLogger } from '../../../src/cli/logger.js'

const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'

/** Files the configuration may name, held in memory; a missing one fails like the file system would. */
function files(contents: Record<string, string>): ReadText {
  return async (path) => {
    const text = contents[path]
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
    return text
  }
}

const vc = {
  PORTLAYER_VSPHERE_URL: 'https://vc.example.com/sdk',
  PORTLAYER_VSPHERE_USERNAME: 'administrator@vsphere.local',
  PORTLAYER_VSPHERE_PASSWORD: 'env-Pa55word!',
}

async function refused(flags: ConfigFlags, env: NodeJS.ProcessEnv = {}, read: ReadText = files({})) {
  const err = await loadConfig(flags, env, read).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConfigError)
  return (err as ConfigError).message
}

describe('defaults', () => {
  it('with nothing set: the embedded simulator, 127.0.0.1:2377, the Docker API on 127.0.0.1:2375, info, no token', async () => {
    const config = await loadConfig({}, {}, files({}))
    expect(config).toEqual({
      listen: { host: '127.0.0.1', port: 2377 },
      dockerListen: { host: '127.0.0.1', port: 2375 },
      logLevel: 'info',
    })
    expect(config.vsphere).toBeUndefined()
  })

  it('--docker-listen off (or PORTLAYER_DOCKER_LISTEN=off) leaves the Docker API front out; a bad address names the flag', async () => {
    expect((await loadConfig({ dockerListen: 'off' }, {}, files({}))).dockerListen).toBeUndefined()
    expect((await loadConfig({}, { PORTLAYER_DOCKER_LISTEN: 'OFF' }, files({}))).dockerListen).toBeUndefined()
    expect((await loadConfig({}, { PORTLAYER_DOCKER_LISTEN: '0.0.0.0:12375' }, files({}))).dockerListen).toEqual({
      host: '0.0.0.0',
      port: 12375,
    })
    await expect(loadConfig({ dockerListen: 'nowhere' }, {}, files({}))).rejects.toThrow(
      /--docker-listen \(PORTLAYER_DOCKER_LISTEN\): expected host:port/,
    )
  })

  it('--lease-seconds (PORTLAYER_LEASE_SECONDS) sets the writer lease and its timings; a bad value names the flag', async () => {
    expect((await loadConfig({}, {}, files({}))).lease).toBeUndefined()
    expect((await loadConfig({ leaseSeconds: '4' }, {}, files({}))).lease).toEqual({
      durationMs: 4_000,
      renewEveryMs: 1_000,
      watchEveryMs: 500,
      marginMs: 1_000,
    })
    expect((await loadConfig({}, { PORTLAYER_LEASE_SECONDS: '2.5' }, files({}))).lease?.durationMs).toBe(2_500)
    for (const bad of ['0', '-3', 'soon', '601'])
      await expect(loadConfig({ leaseSeconds: bad }, {}, files({}))).rejects.toThrow(
        /--lease-seconds \(PORTLAYER_LEASE_SECONDS\): expected a number of seconds from 1 to 600/,
      )
  })
})

describe('precedence: flags beat the environment, the environment beats defaults', () => {
  it('for every plain setting', async () => {
    const env = {
      ...vc,
      PORTLAYER_DATASTORE: 'env-ds',
      PORTLAYER_VM_FOLDER: '/DC0/vm/env',
      PORTLAYER_POOL: '/DC0/host/env/Resources',
      PORTLAYER_LISTEN: '0.0.0.0:9000',
      PORTLAYER_LOG_LEVEL: 'warn',
      PORTLAYER_VSPHERE_THUMBPRINT: 'aa'.repeat(20),
    }
    const fromEnv = await loadConfig({}, env, files({}))
    expect(fromEnv).toMatchObject({
      datastore: 'env-ds',
      vmFolder: '/DC0/vm/env',
      pool: '/DC0/host/env/Resources',
      listen: { host: '0.0.0.0', port: 9000 },
      logLevel: 'warn',
      vsphere: { url: 'https://vc.example.com/sdk', username: 'administrator@vsphere.local' },
    })
    expect(fromEnv.vsphere?.tls.thumbprint).toBe(Array(20).fill('AA').join(':'))

    const fromFlags = await loadConfig(
      {
        url: 'https://vc2.example.com/sdk',
        username: 'flag-user',
        datastore: 'flag-ds',
        vmFolder: '/DC0/vm/flag',
        pool: '/DC0/host/flag/Resources',
        listen: '127.0.0.1:9001',
        logLevel: 'debug',
        thumbprint: 'bb'.repeat(32),
      },
      env,
      files({}),
    )
    expect(fromFlags).toMatchObject({
      datastore: 'flag-ds',
      vmFolder: '/DC0/vm/flag',
      pool: '/DC0/host/flag/Resources',
      listen: { host: '127.0.0.1', port: 9001 },
      logLevel: 'debug',
      vsphere: { url: 'https://vc2.example.com/sdk', username: 'flag-user' },
    })
    expect(fromFlags.vsphere?.tls.thumbprint).toBe(Array(32).fill('BB').join(':'))
  })

  it('the password: --password-file beats PORTLAYER_VSPHERE_PASSWORD beats the URL', async () => {
    const read = files({ '/run/secrets/vc': 'file-Pa55word\n' })
    const url = 'https://urluser:url-pass@vc.example.com/sdk'
    const fromFile = await loadConfig({ url, passwordFile: '/run/secrets/vc' }, vc, read)
    expect(fromFile.vsphere?.password.reveal()).toBe('file-Pa55word')
    const fromEnv = await loadConfig({ url }, vc, read)
    expect(fromEnv.vsphere?.password.reveal()).toBe('env-Pa55word!')
    const fromUrl = await loadConfig({ url }, {}, read)
    expect(fromUrl.vsphere?.password.reveal()).toBe('url-pass')
    expect(fromUrl.vsphere?.username).toBe('urluser')
  })

  it('the token: --token-file beats PORTLAYER_TOKEN', async () => {
    const read = files({ '/etc/portlayer/token': 'file-token-123\n' })
    const fromEnv = await loadConfig({}, { PORTLAYER_TOKEN: 'env-token-456' }, read)
    expect(fromEnv.token?.reveal()).toBe('env-token-456')
    const fromFile = await loadConfig({ tokenFile: '/etc/portlayer/token' }, { PORTLAYER_TOKEN: 'env-token-456' }, read)
    expect(fromFile.token?.reveal()).toBe('file-token-123')
  })

  it('--insecure beats PORTLAYER_VSPHERE_INSECURE; the variable takes true/false', async () => {
    expect((await loadConfig({}, { ...vc, PORTLAYER_VSPHERE_INSECURE: 'true' })).vsphere?.tls.insecure).toBe(true)
    expect((await loadConfig({}, { ...vc, PORTLAYER_VSPHERE_INSECURE: '0' })).vsphere?.tls.insecure).toBe(false)
    const flagWins = await loadConfig({ insecure: true }, { ...vc, PORTLAYER_VSPHERE_INSECURE: 'false' })
    expect(flagWins.vsphere?.tls.insecure).toBe(true)
    expect((await loadConfig({}, vc)).vsphere?.tls.insecure).toBe(false)
  })

  it('an empty variable counts as unset', async () => {
    const config = await loadConfig({}, { PORTLAYER_VSPHERE_URL: '', PORTLAYER_LISTEN: '', PORTLAYER_TOKEN: '' })
    expect(config.vsphere).toBeUndefined()
    expect(config.listen.port).toBe(2377)
    expect(config.token).toBeUndefined()
  })
})

describe('vSphere URL', () => {
  it('splits embedded credentials out of the URL and decodes them', () => {
    expect(parseVsphereUrl('https://admin%40vsphere.local:p%40ss%3Aw0rd@vc.example.com:8443/sdk')).toEqual({
      url: 'https://vc.example.com:8443/sdk',
      username: 'admin@vsphere.local',
      password: 'p@ss:w0rd',
    })
  })

  it('adds /sdk when the path is empty, as govc does', () => {
    expect(parseVsphereUrl('https://vc.example.com').url).toBe('https://vc.example.com/sdk')
    expect(parseVsphereUrl('http://127.0.0.1:8989/').url).toBe('http://127.0.0.1:8989/sdk')
    expect(parseVsphereUrl('https://vc.example.com/custom/sdk').url).toBe('https://vc.example.com/custom/sdk')
  })

  it('never keeps the password in the URL it hands on', async () => {
    const config = await loadConfig({ url: 'https://u:topsecret@vc.example.com/sdk' }, {})
    expect(config.vsphere?.url).toBe('https://vc.example.com/sdk')
    expect(JSON.stringify(config)).not.toContain('topsecret')
  })

  it.each([
    ['not a URL', 'vc.example.com'],
    ['another scheme', 'ftp://vc.example.com/sdk'],
    ['a query', 'https://vc.example.com/sdk?x=1'],
  ])('refuses %s, naming the flag and its variable', async (_what, url) => {
    const message = await refused({ url }, vc)
    expect(message).toContain('--url')
    expect(message).toContain('PORTLAYER_VSPHERE_URL')
  })

  it('asks for the user name and password when a URL is given without them', async () => {
    expect(await refused({ url: 'https://vc.example.com/sdk' })).toMatch(/user name missing.*--username/)
    expect(await refused({ url: 'https://vc.example.com/sdk', username: 'u' })).toMatch(
      /password missing.*--password-file/,
    )
  })

  it('explains a password file it cannot read, without its contents', async () => {
    const message = await refused({ ...{ url: 'https://u@vc/sdk' }, passwordFile: '/nope' })
    expect(message).toContain('--password-file')
    expect(message).toContain('/nope')
    expect(message).toContain('ENOENT')
  })

  it('refuses an empty password file', async () => {
    const message = await refused({ url: 'https://u@vc/sdk', passwordFile: '/pw' }, {}, files({ '/pw': '\n' }))
    expect(message).toContain('password missing')
  })
})

describe('TLS', () => {
  it('verifies certificates by default and reads the CA bundle from --ca-file', async () => {
    const config = await loadConfig({ caFile: '/ca.pem' }, vc, files({ '/ca.pem': pem }))
    expect(config.vsphere?.tls).toEqual({ ca: pem, caFile: '/ca.pem', insecure: false })
  })

  it('refuses a CA file without a certificate', async () => {
    expect(await refused({ caFile: '/ca.pem' }, vc, files({ '/ca.pem': 'hello' }))).toContain('no PEM certificate')
  })

  it('refuses --insecure together with a thumbprint or a CA', async () => {
    expect(await refused({ insecure: true, thumbprint: 'aa'.repeat(20) }, vc)).toContain('cannot be combined')
    expect(await refused({ insecure: true, caFile: '/ca.pem' }, vc, files({ '/ca.pem': pem }))).toContain(
      'cannot be combined',
    )
  })

  it('normalises thumbprints and refuses malformed ones', () => {
    const expected = ['AB', 'CD', ...Array(17).fill('EF'), '01'].join(':')
    expect(parseThumbprint('ab:cd:' + 'ef:'.repeat(17) + '01')).toBe(expected)
    expect(parseThumbprint('ABCD' + 'ef'.repeat(17) + '01')).toBe(expected)
    expect(() => parseThumbprint('abc')).toThrow(/SHA-1.*SHA-256/)
    expect(() => parseThumbprint('zz'.repeat(20))).toThrow(ConfigError)
  })

  it('refuses a malformed PORTLAYER_VSPHERE_INSECURE', async () => {
    expect(await refused({}, { ...vc, PORTLAYER_VSPHERE_INSECURE: 'maybe' })).toContain('PORTLAYER_VSPHERE_INSECURE')
  })
})

describe('listen address', () => {
  it('parses host:port, IPv6 in brackets and host names', () => {
    expect(parseListen('127.0.0.1:2377')).toEqual({ host: '127.0.0.1', port: 2377 })
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 })
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 })
  })

  it.each(['2377', '127.0.0.1', '127.0.0.1:', ':2377', '127.0.0.1:65536', '127.0.0.1:http', '::1:80', 'a b:80'])(
    'refuses %j with a message naming --listen',
    (value) => {
      expect(() => parseListen(value)).toThrow(/--listen \(PORTLAYER_LISTEN\): expected host:port/)
    },
  )
})

describe('other bad values', () => {
  it('refuses an unknown log level', async () => {
    expect(await refused({ logLevel: 'verbose' })).toMatch(/--log-level.*trace, debug, info/)
  })

  it('refuses a token that cannot travel in a header', async () => {
    expect(await refused({}, { PORTLAYER_TOKEN: 'has space' })).toContain('PORTLAYER_TOKEN')
    expect(await refused({ tokenFile: '/t' }, {}, files({ '/t': '' }))).toContain('--token-file')
  })

  it('refuses control characters in names', async () => {
    expect(await refused({ datastore: 'ds\u0000' }, vc)).toContain('--datastore')
  })
})

describe('secrets stay secret', () => {
  it('Secret prints as [redacted] in JSON, strings and inspect', () => {
    const secret = new Secret('hunter2')
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}')
    expect(`${secret}`).toBe('[redacted]')
    expect(inspect({ secret })).not.toContain('hunter2')
    expect(secret.reveal()).toBe('hunter2')
  })

  it('a whole configuration can be logged: no password or token in the log line', async () => {
    const lines: string[] = []
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) })
    const config = await loadConfig(
      { url: 'https://root:url-Secret1@vc.example.com/sdk', tokenFile: '/t' },
      { PORTLAYER_VSPHERE_PASSWORD: 'env-Secret2' },
      files({ '/t': 'token-Secret3' }),
    )
    logger.info({ config }, 'configuration')
    logger.info(config, 'configuration, spread')
    logger.info({ password: 'plain-Secret4', vsphere: { password: 'plain-Secret5' } }, 'careless caller')
    const output = lines.join('')
    for (const secret of ['url-Secret1', 'env-Secret2', 'token-Secret3', 'plain-Secret4', 'plain-Secret5']) {
      expect(output).not.toContain(secret)
    }
    const first = JSON.parse(lines[0]!)
    expect(first.config.vsphere).toMatchObject({
      url: 'https://vc.example.com/sdk',
      username: 'root',
      password: '[redacted]',
    })
  })
})
