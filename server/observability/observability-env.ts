// /readyz and /metrics settings, as a fragment for server/env.ts (issue 18, item 3).
import { z } from 'zod';

export const observabilityEnvShape = {
  METRICS_TOKEN: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .describe('A bearer token that may read /metrics from any address (Authorization: Bearer …).'),
  METRICS_ALLOW: z
    .string()
    .default('127.0.0.1,::1')
    .describe('Client addresses (comma-separated) that may read /metrics without the token; empty: none.'),
  READY_MIN_FREE_MB: z.coerce
    .number()
    .int()
    .min(0)
    .default(512)
    .describe('/readyz answers 503 when DATA_DIR has less free space than this.'),
};

export interface ObservabilitySettings {
  metricsToken: string | null;
  metricsAllow: string[];
  minFreeBytes: number;
}

export function observabilitySettings(values: {
  METRICS_TOKEN?: string | undefined;
  METRICS_ALLOW: string;
  READY_MIN_FREE_MB: number;
}): ObservabilitySettings {
  return {
    metricsToken: values.METRICS_TOKEN ?? null,
    metricsAllow: values.METRICS_ALLOW.split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    minFreeBytes: values.READY_MIN_FREE_MB * 1024 * 1024,
  };
}
