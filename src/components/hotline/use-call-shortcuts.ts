// The call screen's shortcuts, wherever the focus is (the number box, a panel, or nowhere after
// Esc): Alt+1…4 choose the outcome and move to its field, Alt+A accepts the suggested category,
// Ctrl+Enter records the call, Esc starts the next call once this one is recorded. Keys typed while
// an input method is composing Chinese are the IME's, not ours.
import { useEffect, useRef } from 'preact/hooks';
import { OUTCOME_OPTIONS, type OutcomeChoice } from './hotline-model.ts';

export interface CallShortcuts {
  submit: () => Promise<void>;
  chooseOutcome: (outcome: OutcomeChoice, moveFocus: boolean) => void;
  acceptSuggestion: () => void;
  nextCall: () => void;
  /** The call is recorded: Esc moves on. */
  recorded: boolean;
}

export function useCallShortcuts(handlers: CallShortcuts): void {
  // One listener for the island's life, calling the latest handlers (they close over the form).
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.isComposing || event.keyCode === 229) return;
      const l = latest.current;
      const digit = /^Digit([1-4])$/.exec(event.code)?.[1];
      if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
        const option = digit ? OUTCOME_OPTIONS.find((o) => o.key === digit) : undefined;
        if (option) {
          event.preventDefault();
          l.chooseOutcome(option.value, true);
        } else if (event.code === 'KeyA') {
          event.preventDefault();
          l.acceptSuggestion();
        }
        return;
      }
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void l.submit();
        return;
      }
      if (event.key === 'Escape' && l.recorded) {
        event.preventDefault();
        l.nextCall();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
