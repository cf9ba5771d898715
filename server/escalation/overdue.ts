// What "overdue" means, once, for the worker's marks, the escalation ladder and the ladder view:
// a ticket the unit still holds (dispatched, acknowledged, being rectified, or waiting for an
// extension decision) whose deadline has passed. A ticket reported as rectified waits for the
// office, not the unit, and is not overdue even if the office verifies it after the deadline.
import type { Status } from '../tickets/lifecycle.ts';

export const UNIT_HOLDS_STATUSES = ['dispatched', 'accepted', 'rectifying', 'extension_requested'] as const satisfies readonly Status[];
