// sitemap.xml of every page (the site knows its routes: a fixed set plus one per notice, unit
// and ad, and per inspection bulletin), one file: the sitemap protocol allows 50,000 URLs, far more than the county's pages.
import type { APIContext } from 'astro';
import { getCollection } from 'astro:content';
import { siteConfig } from '../site-config.ts';
import { NOTICES_PER_PAGE, snapshot } from '../snapshot.ts';

export async function GET(context: APIContext) {
  const site = context.site ?? new URL(`https://${siteConfig().domain}`);
  const data = snapshot();
  const ads = await getCollection('ads');
  const paths: Array<{ path: string; lastmod?: string }> = [
    { path: '/', lastmod: data.generatedAt },
    { path: '/notices/', lastmod: data.generatedAt },
    ...Array.from({ length: Math.max(0, Math.ceil(data.notices.length / NOTICES_PER_PAGE) - 1) }, (_, i) => ({
      path: `/notices/page/${i + 2}/`,
    })),
    { path: '/units/', lastmod: data.generatedAt },
    { path: '/stats/', lastmod: data.generatedAt },
    { path: '/ads/' },
    ...data.notices.map((n) => ({ path: `/notices/${n.slug}/`, lastmod: n.response?.publishedAt ?? n.publishedAt })),
    ...data.units.map((u) => ({ path: `/units/${u.code}/`, lastmod: data.generatedAt })),
    ...ads.map((a) => ({ path: `/ads/${a.id}/` })),
    { path: '/bulletins/', lastmod: data.generatedAt },
    ...data.bulletins.map((b) => ({ path: `/bulletins/${b.slug}/`, lastmod: b.publishedAt })),
  ];
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...paths.map(
      (p) =>
        `<url><loc>${escape(new URL(p.path, site).href)}</loc>${p.lastmod ? `<lastmod>${new Date(p.lastmod).toISOString()}</lastmod>` : ''}</url>`,
    ),
    '</urlset>',
    '',
  ].join('\n');
  return new Response(body, { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}
