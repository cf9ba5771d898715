/// <reference types="astro/client" />

// The HTTP host (server/http/) builds one PortalServices at start and passes it to every
// on-demand page as `locals.app`. Type-only imports: pages must never bundle server runtime code.
declare namespace App {
  interface Locals {
    app: import('../server/app-services.ts').PortalServices;
    /**
     * Who is asking, as the host determined it (honouring TRUST_PROXY like the API does).
     * Optional: without it pages fall back to Astro.clientAddress, which behind a reverse proxy
     * is the proxy's address.
     */
    request?: import('../server/app-services.ts').RequestContext;
  }
}
