/// <reference types="astro/client" />

// The HTTP host (server/http/) builds one PortalServices at start and passes it to every
// on-demand page as `locals.app`. Type-only import: pages must never bundle server runtime code.
declare namespace App {
  interface Locals {
    app: import('../server/app-services.ts').PortalServices;
  }
}
