/** Builds the REST app over a recording service with captured logs, and closes it after the test. */
import { afterEach } from 'vitest'
import { buildApp, type App, type AppOptions } from '../../../../src/api/app.js'
import { captureLogs, type CapturedLogs } from './log-capture.js'
import { recordingService, type RecordingService } from './recording-service.js'

export interface TestApp {
  app: App
  rec: RecordingService
  logs: CapturedLogs
}

const open: App[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()))
})

export function testApp(options: Partial<Omit<AppOptions, 'service' | 'logger'>> = {}): TestApp {
  const rec = recordingService()
  const logs = captureLogs()
  const app = buildApp({ service: rec.service, logger: logs.logger, ...options })
  open.push(app)
  return { app, rec, logs }
}
