// The public site's own settings (content/site.json), edited by the campaign office: what a
// Chinese government site shows in its footer and head (主办单位, 网站标识码, ICP and
// public-security filing numbers …) and the contacts residents report through. Validated when
// the site is built; a wrong field stops the build with the field's name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const httpsUrl = z.url({ protocol: /^https?$/ });

export const siteConfigSchema = z.object({
  /** Shown in the header and in <title>, and the `SiteName` meta tag, e.g. 临城县文明创城. */
  siteName: z.string().min(1),
  /** The campaign office's full name. */
  officeName: z.string().min(1),
  /** Its short name for running text, e.g. 临城县创城办. */
  officeShortName: z.string().min(1),
  /** 主办单位 (footer). */
  sponsor: z.string().min(1),
  /** 承办单位 (footer), when there is one. */
  organizer: z.string().min(1).optional(),
  /** 联系地址 (footer). */
  address: z.string().min(1),
  postcode: z
    .string()
    .regex(/^\d{6}$/, '邮政编码应为 6 位数字')
    .optional(),
  /** 联系电话 (footer). */
  phone: z.string().min(1),
  /** 创城专用热线. */
  hotline: z.string().min(1),
  /** When the hotline answers, e.g. 工作日 8:30–17:30. */
  hotlineHours: z.string().min(1),
  /** 创城专用邮箱. */
  mailbox: z.email(),
  /** 网站标识码 (10 characters, issued with the government-site census); the `SiteIDCode` meta tag. */
  siteIdCode: z.string().min(1),
  /** ICP 备案号, e.g. 冀ICP备12345678号-1, linked to the MIIT filing site. */
  icp: z.string().min(1),
  icpUrl: httpsUrl,
  /** 公安机关备案号, e.g. 冀公网安备 13052202000123号, linked to its record. */
  psb: z.string().min(1),
  psbUrl: httpsUrl,
  /** The public site's domain without scheme, e.g. wmcc.lincheng.gov.cn; `SiteDomain`, feed and sitemap links. */
  domain: z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, '只写域名，例如 wmcc.lincheng.gov.cn，不带 https://'),
  /** The site's description (meta description of pages without their own). */
  description: z.string().min(1),
  keywords: z.array(z.string().min(1)),
});

export type SiteConfig = z.infer<typeof siteConfigSchema>;

let cached: SiteConfig | undefined;

/** content/site.json (or $CONTENT_DIR/site.json), validated; read once per build. */
export function siteConfig(): SiteConfig {
  if (cached) return cached;
  const file = join(process.env['CONTENT_DIR'] ?? join(import.meta.dirname, '..', '..', 'content'), 'site.json');
  const result = siteConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file}: ${issues}`);
  }
  cached = result.data;
  return cached;
}
