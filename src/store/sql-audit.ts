import { SESSION_SEQS } from './audit-session-index.ts';
import type { StoreContext } from './context.ts';
import { auditFromRow, signatureFromRow } from './rows.ts';
import type { AuditStore } from './types.ts';

export function sqlAudit({ db, committer }: StoreContext): AuditStore {
  const entries = async (where: string, params: unknown[]) =>
    (await db.read.all(`SELECT * FROM audit_entries WHERE ${where} ORDER BY seq, id`, params)).map(auditFromRow);
  const heads = async (where: string, params: unknown[], tail = '') =>
    (await db.read.all(`SELECT * FROM audit_signatures WHERE ${where} ORDER BY seq${tail}`, params)).map(
      signatureFromRow,
    );
  return {
    append(drafts) {
      return committer.submit(async (_tx, chain) =>
        drafts.map((d) => {
          const { payloadText: _text, ...entry } = chain.append(d);
          return entry;
        }),
      );
    },
    range: (fromSeq, toSeq) => entries('seq >= ? AND seq <= ?', [fromSeq, toSeq]),
    listBySession: (sessionId) => entries(`seq IN (${SESSION_SEQS})`, [sessionId, sessionId]),
    async head() {
      const [row] = await db.read.all('SELECT * FROM audit_signatures ORDER BY seq DESC LIMIT 1');
      return row ? signatureFromRow(row) : null;
    },
    signatures: (fromSeq, toSeq) => heads('seq >= ? AND seq <= ?', [fromSeq, toSeq]),
    async signatureAtOrAfter(seq) {
      const [head] = await heads('seq >= ?', [seq], ' LIMIT 1');
      return head ?? null;
    },
    async findById(id) {
      const [entry] = await entries('id = ?', [id]);
      return entry ?? null;
    },
    findByHash: (hash) => entries('hash = ?', [hash]),
    findByPrevHash: (hash) => entries('prev_hash = ?', [hash]),
    async maxSeq() {
      const [row] = await db.read.all<{ m: number | null }>('SELECT MAX(seq) AS m FROM audit_entries');
      return row?.m == null ? 0 : Number(row.m);
    },
  };
}
