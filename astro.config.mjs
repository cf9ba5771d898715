// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import preact from '@astrojs/preact';

// The portal is served by our own node:http host (server/http/), which mounts Astro's
// middleware-mode handler for on-demand pages and serves dist/client itself.
// See docs/decisions/001-one-http-host.md.
export default defineConfig({
  output: 'static',
  // The no-JS report form posts up to 6 photos of ≤ 15 MB each in one request.
  adapter: node({ mode: 'middleware', bodySizeLimit: 100 * 1024 * 1024 }),
  integrations: [preact()],
  build: { inlineStylesheets: 'auto' },
  server: { host: '127.0.0.1' },
  devToolbar: { enabled: false },
});
