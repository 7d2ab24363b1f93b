// Attach over REST: the container's network serial port (URI backing, direction client) is added or reused,
// pointed at the address and connected, on a stopped container (connect at power-on) and a running one (connect
// now); detach disconnects it. Every outcome is read back from the simulator with raw SOAP, not from portlayer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { expectOk, RawSoap, unescapeXml } from '../../helpers/raw-soap.js'
import { quietStats, statsDelta } from '../../helpers/sim-reads.js'

const pl = usePortlayer()
const api = containersApi(pl)
let soap: RawSoap

beforeAll(async () => {
  soap = await RawSoap.connect(pl().sim.url, pl().sim.username, pl().sim.password)
})
afterAll(() => soap?.close())

interface SerialPort {
  key: string
  backing: string
  serviceURI?: string
  direction?: string
  fileName?: string
  startConnected: boolean
  connected: boolean
}

/** The VM's serial ports as the simulator reports them. */
async function serialPorts(c: ContainerView): Promise<SerialPort[]> {
  const reply = await soap.retrieve({ type: 'VirtualMachine', value: c.vm.moref }, ['config.hardware.device'])
  expectOk(reply)
  const ports: SerialPort[] = []
  for (const m of reply.text.matchAll(/<VirtualDevice\b[^>]*"VirtualSerialPort"[^>]*>(.*?)<\/VirtualDevice>/gs)) {
    const xml = m[1] ?? ''
    const field = (tag: string): string | undefined => {
      const found = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]
      return found === undefined ? undefined : unescapeXml(found)
    }
    const backing = /<backing\b[^>]*"(VirtualSerialPort\w+BackingInfo)"/.exec(xml)?.[1] ?? ''
    ports.push({
      key: field('key') ?? '',
      backing,
      ...(field('serviceURI') !== undefined ? { serviceURI: field('serviceURI') } : {}),
      ...(field('direction') !== undefined ? { direction: field('direction') } : {}),
      ...(field('fileName') !== undefined ? { fileName: field('fileName') } : {}),
      startConnected: field('startConnected') === 'true',
      connected: field('connected') === 'true',
    })
  }
  return ports
}

const networkPorts = async (c: ContainerView) =>
  (await serialPorts(c)).filter((p) => p.backing === 'VirtualSerialPortURIBackingInfo')

function attach(ref: string, address: string) {
  return pl().inject({ method: 'POST', url: `/v1/containers/${ref}/attach`, payload: { address } })
}
function detach(ref: string) {
  return pl().inject({ method: 'DELETE', url: `/v1/containers/${ref}/attach` })
}

describe('attach', () => {
  it('adds a network serial port to a stopped container, set to connect when it starts', async () => {
    const c = await api.created()
    const res = await attach(c.name, '127.0.0.1:2377')
    expect(res.statusCode).toBe(204)
    const ports = await serialPorts(c)
    expect(ports.filter((p) => p.fileName?.endsWith('/output.log'))).toHaveLength(1)
    expect(await networkPorts(c)).toEqual([
      expect.objectContaining({ serviceURI: 'tcp://127.0.0.1:2377', direction: 'client', startConnected: true, connected: false }),
    ])
  })

  it('connects the port of a running container at once, and detach disconnects it; the port is reused', async () => {
    const c = await api.created()
    expect((await attach(c.id, 'vspc.example.com:9000')).statusCode).toBe(204)
    const [added] = await networkPorts(c)
    expect((await api.start(c.id)).status).toBe(204)

    expect((await detach(c.id)).statusCode).toBe(204)
    expect(await networkPorts(c)).toEqual([
      expect.objectContaining({ key: added!.key, serviceURI: 'tcp://vspc.example.com:9000', startConnected: false, connected: false }),
    ])

    expect((await attach(c.id, '[::1]:2378')).statusCode).toBe(204)
    expect(await networkPorts(c)).toEqual([
      expect.objectContaining({ key: added!.key, serviceURI: 'tcp://[::1]:2378', direction: 'client', startConnected: true, connected: true }),
    ])
    expect((await api.stop(c.id)).status).toBe(204)
  })

  it('changes nothing in vSphere when the port is already connected there, or already disconnected', async () => {
    const c = await api.created()
    expect((await attach(c.id, '127.0.0.1:2377')).statusCode).toBe(204)
    const before = await quietStats(pl().sim)
    expect((await attach(c.id, '127.0.0.1:2377')).statusCode).toBe(204)
    expect(statsDelta(before, await pl().sim.stats())['ReconfigVM_Task']).toBeUndefined()

    expect((await detach(c.id)).statusCode).toBe(204)
    const detached = await quietStats(pl().sim)
    expect((await detach(c.id)).statusCode).toBe(204)
    expect(statsDelta(detached, await pl().sim.stats())['ReconfigVM_Task']).toBeUndefined()
  })

  it('refuses to add a port to a running container, which vSphere cannot do', async () => {
    const c = await api.created()
    expect((await api.start(c.id)).status).toBe(204)
    const res = await attach(c.id, '127.0.0.1:2377')
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ code: 'invalid_state', message: expect.stringMatching(/stop it, attach, then start it/) })
    expect(await networkPorts(c)).toEqual([])
    expect((await detach(c.id)).statusCode).toBe(204)
    expect((await api.stop(c.id)).status).toBe(204)
  })

  it.each([['no-port'], ['host:0'], ['host:65536'], ['-bad-:80'], ['a b:80']])('refuses the address %s', async (address) => {
    const c = await api.created()
    const res = await attach(c.id, address)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/address/) })
    expect(await networkPorts(c)).toEqual([])
  })

  it('answers 404 for a container that does not exist', async () => {
    expect((await attach('nobody', '127.0.0.1:2377')).statusCode).toBe(404)
    expect((await detach('nobody')).statusCode).toBe(404)
  })
})
