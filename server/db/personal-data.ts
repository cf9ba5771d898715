// Which columns hold residents' personal data, and the Kysely plugin that keeps them encrypted
// at rest (ADR 019). Every insert and update through a database handle of the portal encrypts
// the values of these columns (once: an envelope is left as it is) and fills their look-up hash
// columns; every result row has its envelopes opened. Repositories therefore write and read
// plain values, and look up by equality through `lookupHashes` on the hash columns.
import {
  ColumnNode,
  ColumnUpdateNode,
  PrimitiveValueListNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  type InsertQueryNode,
  type Kysely,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type UpdateQueryNode,
} from 'kysely';
import { DataKeyError, isSealed, type HashKind, type Keyring } from './data-keys.ts';

/** A look-up hash column filled from an encrypted column: its name, and what is hashed. */
export interface HashColumn {
  column: string;
  kind: HashKind;
  /** The text hashed for this value (null: no hash). */
  of(plain: string): string | null;
}

/** "Victim+Tag@Example.NET" → "victim@example.net": what counts as one sender (per-sender caps). */
export function mailAddressKey(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  const local = lower.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${lower.slice(at)}`;
}

const phone: HashColumn[] = [{ column: 'phone_hash', kind: 'phone', of: (v) => v }];
const phoneWithLast4 = (prefix: string): HashColumn[] => [
  { column: `${prefix}_hash`, kind: 'phone', of: (v) => v },
  { column: `${prefix}_last4_hash`, kind: 'phone-last4', of: (v) => (v.length >= 4 ? v.slice(-4) : null) },
];
function firstRecipientDomain(recipients: string): string | null {
  try {
    const first = (JSON.parse(recipients) as unknown[])[0];
    const at = typeof first === 'string' ? first.lastIndexOf('@') : -1;
    return at >= 0
      ? (first as string)
          .slice(at + 1)
          .trim()
          .toLowerCase() || null
      : null;
  } catch {
    return null;
  }
}

/**
 * table → encrypted column → the hash columns filled from it (migration 037 adds them). Kept in
 * one place: the in-place migration and the key rotation walk the same list.
 */
export const PERSONAL_COLUMNS: Readonly<Record<string, Readonly<Record<string, readonly HashColumn[]>>>> = {
  ticket_reporters: {
    name: [],
    phone: phoneWithLast4('phone'),
    email: [{ column: 'email_hash', kind: 'email', of: mailAddressKey }],
    ip: [],
    user_agent: [],
  },
  ticket_supporters: { name: [], phone, ip: [], user_agent: [] },
  calls: { caller_phone: phoneWithLast4('caller_phone'), caller_name: [] },
  phone_lookup_codes: { phone },
  mail_messages: { from_address: [{ column: 'from_hash', kind: 'email', of: mailAddressKey }] },
  ticket_messages: { from_address: [], from_name: [] },
  mail_outbox: { recipients: [{ column: 'recipient_domain_hash', kind: 'domain', of: firstRecipientDomain }] },
  sms_outbox: { recipient: [{ column: 'recipient_hash', kind: 'phone', of: (v) => v }] },
  users: { totp_secret: [] },
};

function tableName(node: OperationNode | undefined): string | null {
  if (!node) return null;
  if (node.kind === 'TableNode') return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  if (node.kind === 'AliasNode') return tableName((node as unknown as { node: OperationNode }).node);
  return null;
}

function columnName(node: OperationNode): string | null {
  return node.kind === 'ColumnNode' ? (node as unknown as { column: { name: string } }).column.name : null;
}

/** The plain value of a value node that can be encrypted: a string (or null), else undefined (an expression). */
function plainOf(node: OperationNode): string | null | undefined {
  if (node.kind !== 'ValueNode') return undefined;
  const v = (node as ValueNode).value;
  return typeof v === 'string' || v === null ? v : undefined;
}

export class PersonalDataPlugin implements KyselyPlugin {
  readonly keyring: Keyring;

  constructor(keyring: Keyring) {
    this.keyring = keyring;
  }

  private hashOf(spec: HashColumn, plain: string | null): string | null {
    if (plain === null) return null;
    if (isSealed(plain)) throw new DataKeyError('an encrypted value cannot be hashed: write plain values');
    const text = spec.of(plain);
    return text === null ? null : this.keyring.hash(spec.kind, text);
  }

  private seal(value: string | null): string | null {
    return value === null || isSealed(value) ? value : this.keyring.seal(value);
  }

  private insert(node: InsertQueryNode, spec: Readonly<Record<string, readonly HashColumn[]>>): InsertQueryNode {
    const columns = (node.columns ?? []).map((c) => c.column.name);
    const values = node.values;
    if (!values || values.kind !== 'ValuesNode' || !columns.some((c) => c in spec)) return node;
    const hashColumns = columns.flatMap((c) => (spec[c] ?? []).filter((h) => !columns.includes(h.column)).map((h) => ({ from: c, h })));
    const rows = (values as ValuesNode).values.map((row) => {
      if (row.kind === 'PrimitiveValueListNode') {
        const cells = row.values;
        const plain = (i: number) => {
          const v = cells[i];
          return typeof v === 'string' || v === null ? v : undefined;
        };
        const out = cells.map((v, i) => (columns[i]! in spec && plain(i) !== undefined ? this.seal(plain(i)!) : v));
        for (const { from, h } of hashColumns) out.push(this.hashOf(h, plain(columns.indexOf(from)) ?? null));
        return PrimitiveValueListNode.create(out);
      }
      const cells = (row as ValueListNode).values;
      const out = cells.map((v, i) => {
        const p = columns[i]! in spec ? plainOf(v) : undefined;
        return p === undefined ? v : ValueNode.create(this.seal(p));
      });
      for (const { from, h } of hashColumns) {
        const cell = cells[columns.indexOf(from)];
        out.push(ValueNode.create(this.hashOf(h, cell ? (plainOf(cell) ?? null) : null)));
      }
      return ValueListNode.create(out);
    });
    return {
      ...node,
      columns: [...(node.columns ?? []), ...hashColumns.map(({ h }) => ColumnNode.create(h.column))],
      values: ValuesNode.create(rows),
    };
  }

  private update(node: UpdateQueryNode, spec: Readonly<Record<string, readonly HashColumn[]>>): UpdateQueryNode {
    const updates = node.updates ?? [];
    const named = updates.map((u) => columnName(u.column));
    if (!named.some((c) => c !== null && c in spec)) return node;
    const extra: ColumnUpdateNode[] = [];
    const changed = updates.map((u, i) => {
      const c = named[i];
      const plain = plainOf(u.value);
      if (c === null || c === undefined || !(c in spec) || plain === undefined) return u;
      for (const h of spec[c]!) {
        if (!named.includes(h.column))
          extra.push(ColumnUpdateNode.create(ColumnNode.create(h.column), ValueNode.create(this.hashOf(h, plain))));
      }
      return ColumnUpdateNode.create(u.column, ValueNode.create(this.seal(plain)));
    });
    return { ...node, updates: [...changed, ...extra] };
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (node.kind === 'InsertQueryNode') {
      const spec = PERSONAL_COLUMNS[tableName(node.into) ?? ''];
      return spec ? this.insert(node, spec) : node;
    }
    if (node.kind === 'UpdateQueryNode') {
      const spec = PERSONAL_COLUMNS[tableName(node.table) ?? ''];
      return spec ? this.update(node, spec) : node;
    }
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) {
      for (const key in row) {
        const v = row[key];
        // 'e' first: the pattern match runs only on what may be an envelope.
        if (typeof v === 'string' && v.length > 20 && v.charCodeAt(0) === 101 && isSealed(v)) row[key] = this.keyring.open(v);
      }
    }
    return args.result;
  }
}

/** The keyring of a database handle (or transaction) of the portal; a clear error on a handle without one. */
export function keyringOf(db: Kysely<any>): Keyring {
  const plugin = db.getExecutor().plugins.find((p): p is PersonalDataPlugin => p instanceof PersonalDataPlugin);
  if (!plugin) throw new DataKeyError('this database handle has no data key (open it through createPortal or withDataKeys)');
  return plugin.keyring;
}

/** The hashes to look `value` up by in a hash column (one per key of the keyring: a rotation may be under way). */
export function lookupHashes(db: Kysely<any>, kind: HashKind, value: string): string[] {
  return keyringOf(db).hashes(kind, kind === 'email' ? mailAddressKey(value) : value);
}

/** The hash of `value` under the active key: a key for counters kept elsewhere (throttles) instead of the value. */
export function lookupHash(db: Kysely<any>, kind: HashKind, value: string): string {
  return keyringOf(db).hash(kind, kind === 'email' ? mailAddressKey(value) : value);
}
