// tRPC setup: context, the one mapping of domain errors to tRPC codes (DESIGN rule 1), and an
// error shape that carries Chinese field messages and never a stack trace.
import { initTRPC, TRPCError } from '@trpc/server';
import { $ZodError } from 'zod/v4/core';
import type { PortalServices, RequestContext } from '../app-services.ts';
import { asDomainError, statusOf } from '../errors.ts';
import type { Role, StaffUser } from '../auth/roles.ts';
import { fieldErrors } from '../field-errors.ts';
import { STEP_REFUSALS } from '../auth/account-rules.ts';
import { log } from '../observability/log.ts';

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
  const { kind, trpcCode } = statusOf(error);
  if (kind === 'internal') return new TRPCError({ code: trpcCode, message: INTERNAL_MESSAGE, cause: error });
  return new TRPCError({ code: trpcCode, message: (error as Error).message, cause: error });
}

/** The first field's message of an input that failed its schema: what the person fixes first. */
function firstFieldMessage(error: $ZodError): string {
  return Object.values(fieldErrors(error))[0] ?? '提交的内容有误，请检查后重试';
}

const t = initTRPC.context<TrpcContext>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const domain = asDomainError(cause);
    let fields: Record<string, string> | undefined;
    let message = shape.message;
    // $ZodError, not classic ZodError: the report schema is zod/mini, whose errors are only the core class.
    if (cause instanceof $ZodError) {
      fields = fieldErrors(cause);
      message = firstFieldMessage(cause);
    } else if (domain?.fields) {
      fields = domain.fields;
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
        ...(domain?.retryAfterSeconds !== undefined && { retryAfterSeconds: domain.retryAfterSeconds }),
      },
    };
  },
});

// Every failed call is logged with its procedure (and, through the log's context, the request's
// id): an internal error with its stack; a refusal (bad input, not signed in, limited …) as one
// line with its tRPC code — never its input or message, which may quote what the person typed.
const mapDomainErrors = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause ?? result.error;
    const retryAfter = asDomainError(cause)?.retryAfterSeconds;
    if (retryAfter !== undefined) ctx.resHeaders?.set('retry-after', String(retryAfter));
    // Input refused by a router's schema says what to fix, for in-process callers as for HTTP.
    if (result.error.code === 'BAD_REQUEST' && cause instanceof $ZodError) {
      log.info(`[trpc] ${path} refused`, { procedure: path, type, outcome: 'BAD_REQUEST' });
      throw new TRPCError({ code: 'BAD_REQUEST', message: firstFieldMessage(cause), cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR') {
      const mapped = toTrpcError(cause);
      if (mapped.code === 'INTERNAL_SERVER_ERROR') log.error(`[trpc] ${path} failed`, cause, { procedure: path, type });
      else log.info(`[trpc] ${path} refused`, { procedure: path, type, outcome: mapped.code });
      throw mapped;
    }
    log.info(`[trpc] ${path} refused`, { procedure: path, type, outcome: result.error.code });
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

/** Why a call has no user: not signed in, or signed in with a step still to do (a forced password change …). */
async function notSignedIn(ctx: TrpcContext): Promise<TRPCError> {
  const step = (await ctx.app.accounts.sessionOf(ctx.request.sessionToken))?.step;
  if (!step || step === 'code') return new TRPCError({ code: 'UNAUTHORIZED', message: step ? STEP_REFUSALS[step] : '请先登录' });
  return new TRPCError({ code: 'FORBIDDEN', message: STEP_REFUSALS[step] });
}

/** Signed-in staff, optionally only of the given roles. */
export function staffProcedure(...roles: Role[]) {
  return sameOriginProcedure.use(async ({ ctx, next }) => {
    if (!ctx.user) throw await notSignedIn(ctx);
    if (roles.length > 0 && !roles.includes(ctx.user.role)) throw new TRPCError({ code: 'FORBIDDEN', message: '您的账号无权进行此操作' });
    return next({ ctx: { ...ctx, user: ctx.user } });
  });
}
