// How a text message leaves the portal. Chinese providers send only pre-approved templates under a
// registered signature (签名), so a message is a template code plus parameters. One real protocol:
// Alibaba Cloud SMS `SendSms` (dysmsapi, version 2017-05-25) signed with ACS3-HMAC-SHA256
// (acs3-signature.ts), over Node's fetch. Without a provider, the outbox file (sms-outbox-file.ts).
import { randomBytes } from 'node:crypto';
import { acs3Sign, canonicalQuery, sha256Hex } from './acs3-signature.ts';

export interface SmsRequest {
  /** 11 digits. */
  phone: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
}

export interface SmsReceipt {
  requestId: string;
  bizId: string;
}

export interface SmsProvider {
  send(request: SmsRequest): Promise<SmsReceipt>;
}

/**
 * A refusal from the provider. `permanent`: trying again will not help (a number the provider
 * calls invalid, a template missing a parameter); everything else — throttling, a 5xx, a timeout,
 * even a refused key (someone may be fixing the settings) — is worth another attempt.
 */
export class SmsProviderError extends Error {
  readonly code: string;
  readonly permanent: boolean;
  constructor(code: string, message: string, permanent: boolean) {
    super(`${code}: ${message}`);
    this.name = 'SmsProviderError';
    this.code = code;
    this.permanent = permanent;
  }
}

/** The provider's codes that no retry will change (the office must fix the number or the template). */
const PERMANENT_CODES = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.TEMPLATE_PARAMS_ILLEGAL',
  'isv.INVALID_PARAMETERS',
  'isv.INVALID_JSON_PARAM',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_SIGN_ILLEGAL',
]);

export function isPermanentSmsCode(code: string): boolean {
  return PERMANENT_CODES.has(code);
}

export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
export const SEND_SMS_ACTION = 'SendSms';
export const SEND_SMS_VERSION = '2017-05-25';

export interface AliyunSmsOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Per request (default 15 s): a provider that hangs delays the message, never the worker for long. */
  timeoutMs?: number;
  /** For the signer's test: fixed time and nonce. */
  now?: () => Date;
  nonce?: () => string;
}

export interface BuiltRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/**
 * The SendSms call as sent: RPC parameters in the query string, an empty body, the x-acs-* headers
 * and the Authorization header (ACS3-HMAC-SHA256).
 */
export function buildSendSmsRequest(
  request: SmsRequest,
  options: Pick<AliyunSmsOptions, 'endpoint' | 'accessKeyId' | 'accessKeySecret'>,
  at: Date,
  nonce: string,
): BuiltRequest {
  const base = new URL(options.endpoint);
  const query = {
    PhoneNumbers: request.phone,
    SignName: request.signName,
    TemplateCode: request.templateCode,
    TemplateParam: JSON.stringify(request.templateParam),
  };
  const body = '';
  const headers: Record<string, string> = {
    host: base.host,
    'x-acs-action': SEND_SMS_ACTION,
    'x-acs-version': SEND_SMS_VERSION,
    'x-acs-date': at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': sha256Hex(body),
  };
  const signed = acs3Sign({ method: 'POST', path: '/', query, headers, body }, options.accessKeyId, options.accessKeySecret);
  const path = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return {
    url: `${base.protocol}//${base.host}${path}?${canonicalQuery(query)}`,
    method: 'POST',
    headers: { ...headers, authorization: signed.authorization },
    body,
  };
}

export function createAliyunSmsProvider(options: AliyunSmsOptions): SmsProvider {
  const now = options.now ?? (() => new Date());
  const nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async send(request) {
      const built = buildSendSmsRequest(request, options, now(), nonce());
      // fetch sets Host from the URL itself (the same value we signed).
      const { host: _host, ...headers } = built.headers;
      let response: Response;
      try {
        response = await fetch(built.url, { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : String(error);
        throw new SmsProviderError('Network', reason, false);
      }
      const text = await response.text();
      let answer: { Code?: unknown; Message?: unknown; BizId?: unknown; RequestId?: unknown } = {};
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        // Not JSON: a proxy's error page, say.
      }
      const code = typeof answer.Code === 'string' ? answer.Code : `HTTP ${response.status}`;
      const message = typeof answer.Message === 'string' ? answer.Message : text.slice(0, 200);
      const requestId = typeof answer.RequestId === 'string' ? answer.RequestId : '';
      if (response.ok && code === 'OK') return { requestId, bizId: typeof answer.BizId === 'string' ? answer.BizId : '' };
      throw new SmsProviderError(code, `${message}${requestId ? ` (RequestId ${requestId})` : ''}`, isPermanentSmsCode(code));
    },
  };
}
