// statusOf: every kind of domain error maps to its HTTP status and tRPC code, read from the error's
// kind (so it holds for an error thrown by another copy of server/errors.ts, as the pages see
// them); anything else is a 500.
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  fieldsOf,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  statusOf,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedContentError,
} from '../../server/errors.ts';

describe('statusOf', () => {
  it.each([
    [new InvalidInputError('请填写描述', { description: '请填写描述' }), 'invalid-input', 400, 'BAD_REQUEST'],
    [new UnauthorizedError(), 'unauthorized', 401, 'UNAUTHORIZED'],
    [new ForbiddenError('您的账号无权进行此操作'), 'forbidden', 403, 'FORBIDDEN'],
    [new NotFoundError('没有找到工单'), 'not-found', 404, 'NOT_FOUND'],
    [new ConflictError('工单已被他人更新，请刷新页面后再办理'), 'conflict', 409, 'CONFLICT'],
    [new UnsupportedContentError('只能上传照片'), 'unsupported-content', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [new TooManyRequestsError('查询过于频繁', 60), 'too-many-requests', 429, 'TOO_MANY_REQUESTS'],
  ] as const)('%o is %s (%i, %s)', (error, kind, status, trpcCode) => {
    expect(statusOf(error)).toEqual({ kind, status, trpcCode });
  });

  it('treats anything that is not a domain error as internal (500)', () => {
    for (const error of [new Error('boom'), new TypeError('x is undefined'), 'a string', null, undefined, { kind: 'conflict' }]) {
      expect(statusOf(error)).toEqual({ kind: 'internal', status: 500, trpcCode: 'INTERNAL_SERVER_ERROR' });
    }
  });

  it('does not trust a name or an unknown kind', () => {
    const named = Object.assign(new Error('x'), { name: 'ConflictError' });
    const odd = Object.assign(new Error('x'), { kind: 'toString' });
    expect(statusOf(named).status).toBe(500);
    expect(statusOf(odd).status).toBe(500);
  });

  it('recognises an error from another copy of the module by its kind', () => {
    // What a page bundle sees: an Error whose class it does not know, carrying a known kind.
    const foreign = Object.assign(new Error('用户名已被使用'), { kind: 'conflict' });
    expect(statusOf(foreign)).toEqual({ kind: 'conflict', status: 409, trpcCode: 'CONFLICT' });
  });
});

describe('fieldsOf', () => {
  it('gives the string field messages of an input error, and nothing for other errors', () => {
    expect(fieldsOf(new InvalidInputError('请填写描述', { description: '请填写描述' }))).toEqual({ description: '请填写描述' });
    expect(fieldsOf(Object.assign(new Error('x'), { kind: 'invalid-input', fields: { a: 'ok', b: 3 } }))).toEqual({ a: 'ok' });
    expect(fieldsOf(new ConflictError('x'))).toEqual({});
    expect(fieldsOf(new Error('x'))).toEqual({});
  });
});
