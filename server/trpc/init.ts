// tRPC setup: context, the one mapping of domain errors to tRPC codes (DESIGN rule 1), and an
// error shape that carries Chinese field messages and never a stack trace.
import { initTRPC, TRPCError } from '@trpc/server';
import { $ZodError } from 'zod/v4/core';
import type { PortalServices, RequestContext } from '../app-services.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  TooManyRequestsError,
  UnsupportedContentError,
} from '../errors.ts';
import type { Role, StaffUser } from '../auth/roles.ts';
import { fieldErrors } from '../field-errors.ts';

export interface TrpcContext {
  app: PortalServices;
  request: RequestContext;
  /** The signed-in staff user, or null. */
  user: StaffUser | null;
  /** Headers of the response (the login sets its cookie here); absent for in-process callers. */
  resHeaders?: Headers;
  /** Whether cookies must be marked Secure (the portal is served over HTTPS). */
  secureCookies?: boolean;
}

const INTERNAL_MESSAGE = '服务器暂时出错，请稍后再试';

function toTrpcError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (error instanceof UnsupportedContentError)
    return new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: error.message, cause: error });
  if (error instanceof InvalidInputError) return new TRPCError({ code: 'BAD_REQUEST', message: error.message, cause: error });
  if (error instanceof NotFoundError) return new TRPCError({ code: 'NOT_FOUND', message: error.message, cause: error });
  if (error instanceof ConflictError) return new TRPCError({ code: 'CONFLICT', message: error.message, cause: error });
  if (error instanceof TooManyRequestsError) return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
  if (error instanceof ForbiddenError) return new TRPCError({ code: 'FORBIDDEN', message: error.message, cause: error });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, cause: error });
}

const t = initTRPC.context<TrpcContext>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    let fields: Record<string, string> | undefined;
    let message = shape.message;
    // $ZodError, not classic ZodError: the report schema is zod/mini, whose errors are only the core class.
    if (cause instanceof $ZodError) {
      fields = fieldErrors(cause);
      message = Object.values(fields)[0] ?? '提交的内容有误，请检查后重试';
    } else if (cause instanceof InvalidInputError) {
      fields = cause.fields;
    } else if (error.code === 'INTERNAL_SERVER_ERROR') {
      message = INTERNAL_MESSAGE;
    } else if (error.code === 'BAD_REQUEST' && !cause && error.message.startsWith('Batching')) {
      message = '不支持批量调用：请每个请求只调用一个接口';
    } else if (error.code === 'PARSE_ERROR' || (error.code === 'BAD_REQUEST' && !cause)) {
      message = '请求格式不正确';
    }
    return {
      message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        ...(shape.data.path && { path: shape.data.path }),
        ...(fields && { fields }),
        ...(cause instanceof TooManyRequestsError && { retryAfterSeconds: cause.retryAfterSeconds }),
      },
    };
  },
});

const mapDomainErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause ?? result.error;
    if (cause instanceof TooManyRequestsError) ctx.resHeaders?.set('retry-after', String(cause.retryAfterSeconds));
    if (result.error.code === 'INTERNAL_SERVER_ERROR') {
      const mapped = toTrpcError(cause);
      if (mapped.code === 'INTERNAL_SERVER_ERROR') console.error('[trpc]', cause);
      throw mapped;
    }
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapDomainErrors);

/** A mutation started by another site's page is refused (with SameSite=Strict cookies, a second line). */
export const sameOriginProcedure = publicProcedure.use(({ ctx, type, next }) => {
  if (type === 'mutation' && ctx.request.sameOrigin === false) {
    throw new TRPCError({ code: 'FORBIDDEN', message: '跨站请求被拒绝，请在本站页面上操作' });
  }
  return next();
});

/** Signed-in staff, optionally only of the given roles. */
export function staffProcedure(...roles: Role[]) {
  return sameOriginProcedure.use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: '请先登录' });
    if (roles.length > 0 && !roles.includes(ctx.user.role)) throw new TRPCError({ code: 'FORBIDDEN', message: '您的账号无权进行此操作' });
    return next({ ctx: { ...ctx, user: ctx.user } });
  });
}
