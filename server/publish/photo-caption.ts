// How a notice's or response's photo is labelled wherever it is shown (the public site, the
// console): a 整改前/整改后 tag and the caption its author wrote. Captions were long pre-filled
// with "整改前：", so many begin with the word the tag already says; it is not shown twice.

export type PhotoKind = 'before' | 'after';

export const PHOTO_KIND_LABELS: Record<PhotoKind, string> = { before: '整改前', after: '整改后' };

/** The caption beside the tag: the alt text without a leading "整改前：" / "整改后：" (repeated or not). */
export function photoCaption(alt: string): string {
  return alt.replace(/^(?:\s*(?:整改前|整改后)\s*[:：]\s*)+/, '').trim();
}
