// A look-up that follows what the operator types: it waits `delayMs` after the last change of
// `key`, cancels the request a newer key replaces, and keeps the last answer on screen while the
// next one loads (lists do not flash empty between keystrokes). A null key clears it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiOutcome } from '../../lib/api-client.ts';

export interface Lookup<T> {
  /** The key the data answers (it may lag behind the current key while loading). */
  key: string | null;
  data: T | null;
  loading: boolean;
  /** Why the last look-up failed, in Chinese; empty when it did not. */
  failed: string;
}

export function useLookup<T>(
  key: string | null,
  run: (signal: AbortSignal) => Promise<ApiOutcome<T>>,
  delayMs: number,
  /** Bump to look up the same key again (after something changed on the server). */
  refresh = 0,
): Lookup<T> {
  const [state, setState] = useState<Lookup<T>>({ key: null, data: null, loading: false, failed: '' });
  const runRef = useRef(run);
  runRef.current = run;

  useEffect(() => {
    if (key === null) {
      setState({ key: null, data: null, loading: false, failed: '' });
      return undefined;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      void runRef.current(controller.signal).then((outcome) => {
        if (controller.signal.aborted) return;
        setState(
          outcome.kind === 'ok'
            ? { key, data: outcome.data, loading: false, failed: '' }
            : { key, data: null, loading: false, failed: outcome.message },
        );
      });
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, refresh, delayMs]);

  return state;
}
