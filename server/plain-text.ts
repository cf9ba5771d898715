// Text as the portal stores it, whoever wrote it (a resident's report by any channel, an
// operator's call record, a staff member's reason or note, an exposure notice): no characters
// that are invisible yet change what a reader sees or what a program does with the text.
// Removed: C0 controls but tab and line feed (a NUL, an escape sequence for a terminal), DEL and
// the C1 controls, and the bidirectional overrides, embeddings, isolates and marks
// (U+202A–202E, U+2066–2069, U+200E/200F, U+061C), with which "ABC-DEF" can be made to show as
// "FED-CBA" in a ledger or on the public site. Line breaks become "\n" (CR LF and a lone CR from
// old mail clients and Windows forms; U+2028/2029). Zero-width spaces and joiners stay: emoji
// sequences and some scripts need them; a text made only of them is refused where it must say
// something (hasLetterOrDigit).
//
// Pure and small: the report form island runs it through the shared report schema.

const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAK = /\r\n?|[\u2028\u2029]/g;

/** `text` without invisible control and direction characters, line breaks as "\n". */
export function plainText(text: string): string {
  return text.replace(LINE_BREAK, '\n').replace(INVISIBLE, '');
}

/**
 * True when `text` has a letter or a digit of any script: something to read, not only spaces,
 * zero-width characters, punctuation, symbols or emoji ("。。。。。", "！！！", "……", "😀😀😀").
 */
export function hasLetterOrDigit(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
