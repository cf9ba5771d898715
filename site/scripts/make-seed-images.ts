// Makes the seed images committed with the repository: the public-service ad posters of
// content/ads/images/ and the tiny notice photos of the test fixture snapshot. Run once by hand
// (`npx node site/scripts/make-seed-images.ts`); the outputs are committed, the build never
// runs this. Posters are SVG rendered by sharp with the system's Noto Sans CJK (fonts-noto-cjk),
// so the Chinese text is real text, not boxes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

const root = join(import.meta.dirname, '..', '..');
const adsDir = join(root, 'content', 'ads', 'images');
const fixtureMedia = join(root, 'tests', 'fixtures', 'public-site', 'media');

const FONT = "'Noto Sans CJK SC', sans-serif";

interface Poster {
  file: string;
  width: number;
  height: number;
  background: string;
  accent: string;
  ink: string;
  lines: Array<{ text: string; size: number; y: number; weight?: number; fill?: string }>;
  /** Simple shapes drawn under the text. */
  art: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function posterSvg(p: Poster): string {
  const text = p.lines
    .map(
      (l) =>
        `<text x="${p.width / 2}" y="${l.y}" font-family="${FONT}" font-size="${l.size}" font-weight="${l.weight ?? 700}" fill="${l.fill ?? p.ink}" text-anchor="middle">${escapeXml(l.text)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${p.width}" height="${p.height}" viewBox="0 0 ${p.width} ${p.height}">
<rect width="100%" height="100%" fill="${p.background}"/>
<rect x="24" y="24" width="${p.width - 48}" height="${p.height - 48}" fill="none" stroke="${p.accent}" stroke-width="8"/>
${p.art}
${text}
<text x="${p.width / 2}" y="${p.height - 60}" font-family="${FONT}" font-size="30" font-weight="400" fill="${p.ink}" text-anchor="middle">临城县创建文明城市工作指挥部办公室 宣</text>
</svg>`;
}

const posters: Poster[] = [
  {
    file: 'jiang-wenming-shu-xinfeng.jpg',
    width: 1200,
    height: 1600,
    background: '#b3191d',
    accent: '#f3d27a',
    ink: '#fff8e7',
    art: `<circle cx="600" cy="560" r="250" fill="#c7362f"/><circle cx="600" cy="560" r="190" fill="none" stroke="#f3d27a" stroke-width="6"/>
      <path d="M600 400 L640 520 L760 520 L662 590 L700 710 L600 638 L500 710 L538 590 L440 520 L560 520 Z" fill="#f3d27a"/>`,
    lines: [
      { text: '讲文明 树新风', size: 120, y: 240 },
      { text: '文明临城 你我共建', size: 84, y: 1000, fill: '#f3d27a' },
      { text: '爱国 敬业 诚信 友善', size: 56, y: 1160, weight: 400 },
      { text: '社会主义核心价值观', size: 48, y: 1260, weight: 400 },
    ],
  },
  {
    file: 'liran-banmaxian.jpg',
    width: 1600,
    height: 900,
    background: '#0d4f8b',
    accent: '#ffffff',
    ink: '#ffffff',
    art: Array.from(
      { length: 7 },
      (_, i) => `<rect x="${220 + i * 170}" y="520" width="100" height="220" fill="#ffffff" opacity="0.9"/>`,
    ).join(''),
    lines: [
      { text: '礼让斑马线 文明在脚下', size: 96, y: 200 },
      { text: '车让人 人快走 不闯红灯', size: 60, y: 330, weight: 400 },
      { text: '临城县公安交警大队 温馨提示', size: 40, y: 440, weight: 400, fill: '#ffd23f' },
    ],
  },
  {
    file: 'xingyao-wenming.jpg',
    width: 1200,
    height: 1600,
    background: '#f6f1e4',
    accent: '#5a6b7a',
    ink: '#26323c',
    art: `<path d="M600 420 C 470 420 430 520 470 600 C 380 700 380 900 470 980 L 730 980 C 820 900 820 700 730 600 C 770 520 730 420 600 420 Z" fill="#ffffff" stroke="#8a9aa8" stroke-width="8"/>
      <ellipse cx="600" cy="430" rx="80" ry="22" fill="#e8ecef" stroke="#8a9aa8" stroke-width="6"/>`,
    lines: [
      { text: '千年邢窑 白瓷故里', size: 104, y: 240 },
      { text: '传承临城文脉 共建文明家园', size: 60, y: 1140 },
      { text: '类银类雪 天下无贵贱通用之', size: 44, y: 1260, weight: 400 },
    ],
  },
  {
    file: 'laji-fenlei.jpg',
    width: 1600,
    height: 900,
    background: '#1c6b2c',
    accent: '#e8f4ea',
    ink: '#ffffff',
    art: ['#1f5fa8', '#b3191d', '#6b6b6b', '#2e8b3a']
      .map((c, i) => `<rect x="${330 + i * 250}" y="470" width="170" height="230" rx="14" fill="${c}" stroke="#ffffff" stroke-width="6"/>`)
      .join(''),
    lines: [
      { text: '垃圾分一分 环境美十分', size: 96, y: 200 },
      { text: '不乱扔 不乱倒 门前五包 人人有责', size: 54, y: 320, weight: 400 },
      { text: '可回收物   有害垃圾   其他垃圾   厨余垃圾', size: 40, y: 780, weight: 400 },
    ],
  },
];

/** A small photo-like WebP for the fixture (the photo pipeline's rendition and its thumbnail). */
async function fixturePhoto(id: string, label: string, hue: string): Promise<void> {
  const svg = (w: number, h: number) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
<rect width="100%" height="100%" fill="${hue}"/><rect x="${w * 0.1}" y="${h * 0.55}" width="${w * 0.8}" height="${h * 0.3}" fill="#555"/>
<text x="${w / 2}" y="${h * 0.35}" font-family="${FONT}" font-size="${Math.round(h / 8)}" fill="#fff" text-anchor="middle">${escapeXml(label)}</text></svg>`;
  await sharp(Buffer.from(svg(320, 240)))
    .webp({ quality: 60 })
    .toFile(join(fixtureMedia, `${id}.webp`));
  await sharp(Buffer.from(svg(160, 120)))
    .webp({ quality: 50 })
    .toFile(join(fixtureMedia, `${id}.thumb.webp`));
}

await mkdir(adsDir, { recursive: true });
await mkdir(fixtureMedia, { recursive: true });
for (const p of posters) {
  await sharp(Buffer.from(posterSvg(p)))
    .jpeg({ quality: 82, mozjpeg: true })
    .toFile(join(adsDir, p.file));
}
await fixturePhoto('0a1b2c3d4e5f60718293a4b5c6d7e8f9', '整改前 市场东门', '#8b5a2b');
await fixturePhoto('1b2c3d4e5f60718293a4b5c6d7e8f90a', '整改后 市场东门', '#2e7d4f');
await fixturePhoto('2c3d4e5f60718293a4b5c6d7e8f90a1b', '整改前 医院后街', '#7a4b3a');
console.log('seed images written');
