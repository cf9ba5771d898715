// RSS of notices and the units' public responses, newest first (@astrojs/rss).
import rss from '@astrojs/rss';
import type { APIContext } from 'astro';
import { siteConfig } from '../site-config.ts';
import { snapshot } from '../snapshot.ts';

const FEED_ITEMS = 100;

export function GET(context: APIContext) {
  const config = siteConfig();
  const site = context.site ?? new URL(`https://${config.domain}`);
  // Absolute links are taken as they are; @astrojs/rss ends a relative one with a slash, which
  // would turn the response's anchor into "#response-heading/" — no such element.
  const absolute = (path: string) => new URL(path, site).href;
  const firstParagraph = (text: string) => (text.split(/\n\s*\n/)[0] ?? '').trim().slice(0, 300);
  const items = snapshot().notices.flatMap((n) => {
    const notice = {
      title: `曝光：${n.title}`,
      link: absolute(`/notices/${n.slug}/`),
      pubDate: new Date(n.publishedAt),
      description: `责任单位：${n.unit.name}。${firstParagraph(n.body)}`,
      categories: ['曝光通报', ...n.categories],
    };
    if (!n.response) return [notice];
    const response = {
      title: `${n.unit.shortName}公开回应：${n.title}`,
      link: absolute(`/notices/${n.slug}/#response-heading`),
      pubDate: new Date(n.response.publishedAt),
      description: firstParagraph(n.response.body),
      categories: ['公开回应'],
    };
    return [notice, response];
  });
  items.sort((a, b) => b.pubDate.getTime() - a.pubDate.getTime());
  return rss({
    title: `${config.siteName} 曝光通报和公开回应`,
    description: config.description,
    site,
    items: items.slice(0, FEED_ITEMS),
    customData: '<language>zh-cn</language>',
  });
}
