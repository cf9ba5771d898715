// A notice photo's caption beside its 整改前/整改后 tag: the word the tag says is not shown twice.
import { describe, expect, it } from 'vitest';
import { photoCaption } from '../../server/publish/photo-caption.ts';

describe('photoCaption', () => {
  it.each([
    ['整改前：市场东门垃圾堆放', '市场东门垃圾堆放'],
    ['整改后:地面已冲洗', '地面已冲洗'],
    ['整改前：整改前：市场东门垃圾堆放', '市场东门垃圾堆放'],
    [' 整改后 ： 地面已冲洗', '地面已冲洗'],
    ['市场东门垃圾堆放', '市场东门垃圾堆放'],
    ['整改前后对比：东门', '整改前后对比：东门'],
    ['整改前：', ''],
  ])('%s → %s', (alt, caption) => {
    expect(photoCaption(alt)).toBe(caption);
  });
});
