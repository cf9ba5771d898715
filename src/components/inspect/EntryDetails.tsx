// What the inspector adds to a failed item or a re-check before it goes out: a note and photos,
// then 确认 (a draft is kept on the phone, never sent, until confirmed); a confirmed entry not yet
// sent can be taken back to change it (修改). Also the line saying where the answer stands.
import { EntryPhotos } from './EntryPhotos.tsx';
import { MAX_NOTE_CHARS, missingBeforeSend, type OutboxEntry } from './outbox.ts';

interface DetailsProps {
  entry: OutboxEntry;
  /** Names the fields for screen readers, e.g. the item's standard. */
  subject: string;
  noteLabel: string;
  confirmText: string;
  onSave: (entry: OutboxEntry) => void;
}

export function EntryDetails({ entry, subject, noteLabel, confirmText, onSave }: DetailsProps) {
  const editable = entry.state !== 'waiting';
  const noteId = `note-${entry.id.replaceAll(':', '-')}`;
  const missing = missingBeforeSend(entry);
  return (
    <div class="entry-details">
      <label for={noteId}>{noteLabel}</label>
      <textarea
        id={noteId}
        rows={2}
        maxLength={MAX_NOTE_CHARS}
        value={entry.note}
        readOnly={!editable}
        onInput={(e) => onSave({ ...entry, note: e.currentTarget.value })}
      />
      <EntryPhotos photos={entry.photos} subject={subject} locked={!editable} onChange={(photos) => onSave({ ...entry, photos })} />
      {editable ? (
        <>
          {missing ? <p class="hint">{missing}</p> : null}
          <button
            type="button"
            class="button-primary entry-confirm"
            disabled={missing !== null}
            onClick={() => onSave({ ...entry, state: 'waiting', message: '' })}
          >
            {confirmText}
          </button>
        </>
      ) : (
        <button type="button" class="button-small" onClick={() => onSave({ ...entry, state: 'draft' })}>
          修改
        </button>
      )}
    </div>
  );
}

/** Where an answer stands: on the server (with its ticket), waiting on the phone, refused, or a draft. */
export function EntryStatus({ entry, sentText }: { entry: OutboxEntry | undefined; sentText: string | null }) {
  if (!entry) return sentText ? <p class="entry-status is-sent">✓ {sentText}</p> : null;
  if (entry.state === 'refused') {
    return (
      <p class="entry-status is-refused" role="alert">
        未被接受：{entry.message}
      </p>
    );
  }
  if (entry.state === 'draft') return <p class="entry-status is-draft">未确认，确认后才会发送</p>;
  return <p class="entry-status is-waiting">已保存在手机上，等待发送</p>;
}
