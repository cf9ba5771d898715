import type { APIContext } from 'astro';
import { siteConfig } from '../site-config.ts';

export function GET(context: APIContext) {
  const site = context.site ?? new URL(`https://${siteConfig().domain}`);
  return new Response(`User-agent: *\nAllow: /\nDisallow: /search/\n\nSitemap: ${new URL('/sitemap.xml', site).href}\n`, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
