// How much of a web process's memory and connections slow or held request bodies may take, as
// a fragment for server/env.ts (validated once at start, DESIGN rule 8). Photo uploads are
// streamed to disk (upload-body.ts), so a held upload costs a socket and a temp file, not 15 MB
// of memory; these bounds keep the sockets and files few and short-lived:
// - a body that sends nothing for REQUEST_BODY_IDLE_SECONDS is ended and its socket destroyed
//   (uploads and the API's JSON bodies alike). A phone on a bad mobile connection stalls for
//   seconds, not half a minute; without it a request is only ended by node's requestTimeout
//   (300 s), which is what let a pentester hold 60 uploads for five minutes.
// - at most UPLOAD_MAX_PER_CLIENT uploads from one client address and UPLOAD_MAX_CONCURRENT in
//   all are received at once; more are refused at once, before a byte of their body is read.
//   The form uploads one photo per request, a few at a time, so 4 is more than one resident
//   needs; 32 is well beyond what a county's residents send at the same moment, and bounds
//   what finished uploads waiting for processing hold in memory (each reads its ≤ 15 MB file).
import { z } from 'zod';

export interface RequestLimits {
  /** REQUEST_BODY_IDLE_SECONDS, in milliseconds. */
  bodyIdleMs: number;
  /** UPLOAD_MAX_PER_CLIENT: photo uploads received at once from one client address. */
  uploadsPerClient: number;
  /** UPLOAD_MAX_CONCURRENT: photo uploads received at once by this process. */
  uploadsInAll: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { bodyIdleMs: 30_000, uploadsPerClient: 4, uploadsInAll: 32 };

export const requestLimitsEnvShape = {
  REQUEST_BODY_IDLE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(DEFAULT_REQUEST_LIMITS.bodyIdleMs / 1000)
    .describe(
      'Seconds a request body (a photo upload, an API call) may send nothing before the request is ended and its connection closed.',
    ),
  UPLOAD_MAX_PER_CLIENT: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(DEFAULT_REQUEST_LIMITS.uploadsPerClient)
    .describe('Photo uploads one client address may send at the same time; more are refused at once (429).'),
  UPLOAD_MAX_CONCURRENT: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(DEFAULT_REQUEST_LIMITS.uploadsInAll)
    .describe('Photo uploads one web process receives at the same time; more are refused at once (503).'),
};

export function requestLimits(values: {
  REQUEST_BODY_IDLE_SECONDS: number;
  UPLOAD_MAX_PER_CLIENT: number;
  UPLOAD_MAX_CONCURRENT: number;
}): RequestLimits {
  return {
    bodyIdleMs: values.REQUEST_BODY_IDLE_SECONDS * 1000,
    uploadsPerClient: values.UPLOAD_MAX_PER_CLIENT,
    uploadsInAll: values.UPLOAD_MAX_CONCURRENT,
  };
}
