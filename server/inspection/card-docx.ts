// The supervision cards (督办交办卡, supervision-card.ts) as a Word document (.docx, written with
// the `docx` package): one A4 page per unit — heading, number, round, unit, the table of its
// problems with each photo's thumbnail embedded (the WebP rendition turned into a small JPEG with
// sharp: Word does not read WebP), the requirement and the 签收 line. Word and WPS open it; the
// Chinese text is set in 宋体/黑体, which every Chinese system has, so no font is embedded.
import {
  AlignmentType,
  BorderStyle,
  Document,
  ImageRun,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type ISectionOptions,
} from 'docx';
import sharp from 'sharp';
import { chineseDate } from '../china-time.ts';
import type { CardProblem, SupervisionCard } from './supervision-card.ts';

/** A4 in twips, 2 cm margins. */
const PAGE = { width: 11906, height: 16838, margin: 1134 };
const COLUMNS: Array<{ title: string; width: number }> = [
  { title: '序号', width: 600 },
  { title: '点位', width: 1500 },
  { title: '检查标准', width: 2000 },
  { title: '发现问题', width: 1900 },
  { title: '照片', width: 1500 },
  { title: '跟踪码', width: 1138 },
  { title: '整改时限', width: 1000 },
];
/** The thumbnail's width in the table (pixels at 96 dpi). */
const PHOTO_WIDTH = 88;

const text = (value: string, options: { bold?: boolean; size?: number; font?: string } = {}) =>
  new TextRun({ text: value, bold: options.bold ?? false, size: options.size ?? 21, font: options.font ?? '宋体' });

function cell(children: Array<TextRun | ImageRun>, width: number, header = false): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    margins: { top: 60, bottom: 60, left: 80, right: 80 },
    children: [new Paragraph({ children, alignment: header ? AlignmentType.CENTER : AlignmentType.LEFT })],
  });
}

type Thumb = { data: Buffer; width: number; height: number } | null;

/** The JPEG thumbnail of a stored photo; null when its file is gone (purged or never written) or unreadable. */
async function jpegThumb(webp: Buffer | null): Promise<Thumb> {
  if (!webp) return null;
  const { data, info } = await sharp(webp)
    .resize({ width: PHOTO_WIDTH * 2, withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function problemRow(p: CardProblem, index: number, thumb: Thumb): TableRow {
  const [no, point, standard, found, photo, code, deadline] = COLUMNS.map((c) => c.width) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const image = thumb
    ? new ImageRun({
        type: 'jpg',
        data: thumb.data,
        transformation: { width: PHOTO_WIDTH, height: Math.round((PHOTO_WIDTH * thumb.height) / thumb.width) },
        altText: { name: `photo-${p.trackingCode}`, description: `${p.pointName}：${p.standard}`, title: p.trackingCode },
      })
    : text('无照片');
  return new TableRow({
    cantSplit: true,
    children: [
      cell([text(String(index + 1))], no),
      cell([text(p.pointName)], point),
      cell([text(p.standard)], standard),
      cell([text(p.found ?? '不符合检查标准')], found),
      cell([image], photo),
      cell([text(p.trackingCode)], code),
      cell([text(p.deadlineOn ? chineseDate(p.deadlineOn) : '—')], deadline),
    ],
  });
}

function cardSection(card: SupervisionCard, thumbs: Thumb[]): ISectionOptions {
  const line = (children: TextRun[], alignment: (typeof AlignmentType)[keyof typeof AlignmentType] = AlignmentType.LEFT, after = 120) =>
    new Paragraph({ children, alignment, spacing: { after } });
  const header = new TableRow({
    tableHeader: true,
    children: COLUMNS.map((c) => cell([text(c.title, { bold: true })], c.width, true)),
  });
  const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  return {
    properties: {
      page: {
        size: { width: PAGE.width, height: PAGE.height },
        margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
      },
    },
    children: [
      line([text(card.issuer, { bold: true, size: 28, font: '黑体' })], AlignmentType.CENTER, 60),
      line([text('督办交办卡', { bold: true, size: 40, font: '黑体' })], AlignmentType.CENTER, 120),
      line([text(card.number)], AlignmentType.RIGHT),
      line([
        text('督导检查：', { bold: true }),
        text(`${card.round.name}（${chineseDate(card.round.startsOn)}至${chineseDate(card.round.endsOn)}）`),
      ]),
      line([text('责任单位：', { bold: true }), text(card.unit.name)]),
      new Table({
        width: { size: PAGE.width - 2 * PAGE.margin, type: WidthType.DXA },
        columnWidths: COLUMNS.map((c) => c.width),
        borders: { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border },
        rows: [header, ...card.problems.map((p, i) => problemRow(p, i, thumbs[i] ?? null))],
      }),
      line([], AlignmentType.LEFT, 60),
      line([text('整改时限、反馈要求：', { bold: true }), text(card.requirement)]),
      line([text('签收人：________________　　签收时间：______年____月____日')], AlignmentType.LEFT, 240),
      line([text(card.issuer)], AlignmentType.RIGHT, 0),
    ],
  };
}

/** The cards as one .docx, one page (section) per card; `readThumb` reads a photo's thumbnail (null when gone). */
export async function cardsDocx(cards: SupervisionCard[], readThumb: (photoId: string) => Promise<Buffer | null>): Promise<Buffer> {
  const sections: ISectionOptions[] = [];
  for (const card of cards) {
    const thumbs: Thumb[] = [];
    for (const p of card.problems) thumbs.push(await jpegThumb(p.photo ? await readThumb(p.photo.id).catch(() => null) : null));
    sections.push(cardSection(card, thumbs));
  }
  const document = new Document({
    creator: cards[0]?.issuer ?? '创城办',
    title: '督办交办卡',
    styles: { default: { document: { run: { font: '宋体', size: 21 } } } },
    sections,
  });
  return Packer.toBuffer(document);
}
