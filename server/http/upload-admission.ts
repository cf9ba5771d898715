// Who may send a photo upload right now: at most `perClient` at once from one client address,
// and `inAll` at once in this process (request-limits.ts says why). A request that would pass
// either bound is refused before a byte of its body is read; a slot is given back when its
// upload is answered (processing included: a finished upload holds its bytes until then), failed
// or abandoned. In memory, per process: N web processes admit N times as many.

export type UploadAdmission = { admitted: true; release(): void } | { admitted: false; reason: 'client' | 'all' };

export interface UploadGate {
  enter(clientAddress: string): UploadAdmission;
  /** Uploads being received or processed now. */
  readonly active: number;
}

export function createUploadGate(limits: { perClient: number; inAll: number }): UploadGate {
  const byClient = new Map<string, number>();
  let active = 0;
  return {
    get active() {
      return active;
    },
    enter(clientAddress) {
      const mine = byClient.get(clientAddress) ?? 0;
      // The client's own bound first: when it is the one sending too many, it is told so.
      if (mine >= limits.perClient) return { admitted: false, reason: 'client' };
      if (active >= limits.inAll) return { admitted: false, reason: 'all' };
      active++;
      byClient.set(clientAddress, mine + 1);
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          active--;
          const left = (byClient.get(clientAddress) ?? 1) - 1;
          if (left > 0) byClient.set(clientAddress, left);
          else byClient.delete(clientAddress);
        },
      };
    },
  };
}
