import { defineConfig } from 'vitest/config'

// Two projects: pure code (fast, parallel) and integration against a real govcsim process per file.
// The machine has 2 cores and each integration file runs its own simulator, so those files run two at a time.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          maxWorkers: 2,
          // its own group: a project with a different worker bound may not share the unit project's group
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
