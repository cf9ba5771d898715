// content/persuasion-kinds.json as the start reads it: the seed loads in order; a mistake stops the
// start with the file, the entry and the field named. And a ticket's source when none is given:
// what its channel implies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPersuasionKinds } from '../../server/patrol/persuasion-kinds.ts';
import { CHANNELS } from '../../server/tickets/channels.ts';
import { sourceLabel, sourceOfChannel } from '../../server/tickets/ticket-source.ts';

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');
const dirs: string[] = [];

function contentWith(kinds: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'persuasion-kinds-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'persuasion-kinds.json'), JSON.stringify(kinds));
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('persuasion kinds', () => {
  it('loads the seed in its order', async () => {
    expect((await loadPersuasionKinds(CONTENT_DIR)).map((k) => k.code)).toEqual([
      'red-light',
      'littering',
      'spitting',
      'street-vending',
      'parking',
      'dogs',
      'other',
    ]);
  });

  it('names the file, the entry and the field of a mistake', async () => {
    const bad = contentWith([
      { code: 'littering', name: '乱扔垃圾' },
      { code: 'Red Light', name: '闯红灯' },
    ]);
    await expect(loadPersuasionKinds(bad)).rejects.toThrow(
      `${path.join(bad, 'persuasion-kinds.json')}: entry #2 (code "Red Light"), field "code": a code is lower-case letters, digits and "-", starting with a letter`,
    );
    await expect(loadPersuasionKinds(contentWith([{ code: 'dogs', name: '犬', colour: 'red' }]))).rejects.toThrow(
      'entry #1 (code "dogs"), field "colour": unknown field (misspelt?): colour',
    );
    await expect(
      loadPersuasionKinds(
        contentWith([
          { code: 'dogs', name: '犬' },
          { code: 'dogs', name: '狗' },
        ]),
      ),
    ).rejects.toThrow('entry #2 (code "dogs"): duplicate code: "dogs" is already used');
    await expect(loadPersuasionKinds(contentWith([]))).rejects.toThrow('the file: list at least one kind of persuasion');
  });
});

describe('ticket source', () => {
  it('follows the channel when none is given', () => {
    expect(CHANNELS.map((c) => [c, sourceOfChannel(c), sourceLabel(sourceOfChannel(c))])).toEqual([
      ['web', 'resident', '群众反映'],
      ['mail', 'resident', '群众反映'],
      ['hotline', 'resident', '群众反映'],
      ['patrol', 'patrol', '巡访监督团'],
      ['inspection', 'inspection', '督导组检查'],
    ]);
  });
});
