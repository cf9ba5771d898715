// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import preact from '@astrojs/preact';

// The portal is served by our own node:http host (server/http/), which mounts Astro's
// middleware-mode handler for on-demand pages and serves dist/client itself.
// See docs/decisions/001-one-http-host.md.
/**
 * Chunks of the islands' JavaScript (client build only). The report page's budget (issue 6: under
 * 40 KB compressed, docs/benchmarks.md) pays for every extra chunk in gzip overhead, and the
 * bundler splits the report form's parts (src/components/report/, the API client) into small
 * chunks as soon as other islands (the patrol member's form, the office's findings form) share
 * them. Kept together, as are Preact and its hooks and JSX runtime, which every island loads.
 * @type {import('astro').AstroIntegration}
 */
const islandChunks = {
  name: 'island-chunks',
  hooks: {
    // Astro builds every environment from one config: the grouping applies to the browser's only.
    'astro:build:setup': ({ updateConfig }) => {
      updateConfig({
        environments: {
          client: {
            build: {
              rolldownOptions: {
                output: {
                  codeSplitting: {
                    groups: [
                      { name: 'preact', test: /node_modules[\\/]preact[\\/]/ },
                      { name: 'report-form', test: /src[\\/](components[\\/]report|lib[\\/]api-client)/ },
                    ],
                  },
                },
              },
            },
          },
        },
      });
    },
  },
};

export default defineConfig({
  output: 'static',
  // The no-JS report form posts up to 6 photos of ≤ 15 MB each in one request.
  adapter: node({ mode: 'middleware', bodySizeLimit: 100 * 1024 * 1024 }),
  integrations: [preact(), islandChunks],
  build: { inlineStylesheets: 'auto' },
  server: { host: '127.0.0.1' },
  devToolbar: { enabled: false },
});
