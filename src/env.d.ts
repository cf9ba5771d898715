/// <reference types="astro/client" />

// The HTTP host (server/http/host.ts) builds one PortalServices at start and passes it to every
// on-demand page as `locals.app`, with who is asking (`locals.request`, honouring TRUST_PROXY
// like the API) and the signed-in staff user (`locals.user`). Type-only imports: pages must
// never bundle server runtime code.
declare namespace App {
  interface Locals {
    app: import('../server/app-services.ts').PortalServices;
    request: import('../server/app-services.ts').RequestContext;
    user: import('../server/auth/roles.ts').StaffUser | null;
    /** Cookies must be marked Secure: the portal is served over HTTPS (PUBLIC_URL). */
    secureCookies: boolean;
  }
}
