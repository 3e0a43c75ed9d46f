/**
 * The act's journal entry as it fills in. Until the act is final the server
 * has written nothing (the entry is appended once, when the act is sealed or
 * aborted), so the fields are the act's own so far, with "pending" where
 * nothing is known yet; once written, the entry itself with its place in the
 * chain and its hash.
 */
import type { ReactNode } from 'react';
import { ACT_TYPES, IDENTITY_METHODS } from '../../../../../shared/notary';
import type { ActView } from '../../api/notary';
import { useStaffI18n } from '../../i18n';

export function JournalPanel({ view }: { view: ActView }) {
  const { t, label, dateTime } = useStaffI18n();
  const { act, journal } = view;
  const entry = journal?.entry;
  const pending = <span className="hint">{t('notaryPending')}</span>;
  const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;
  const method = entry?.signers[0]?.identityMethod ?? act.identityMethod;
  const recordings = entry?.recordings ?? view.recordings;
  const rows: [string, string, ReactNode][] = [
    ['performedAt', t('journal_performedAt'), entry ? dateTime(entry.performedAt) : pending],
    ['actType', t('notaryColType'), label(ACT_TYPES[act.actType])],
    ['jurisdiction', t('journal_jurisdiction'), act.jurisdiction],
    ['document', t('notaryColDocument'), act.documentDescription],
    ['documentSha256', t('journal_documentSha256'), (entry?.document.sha256 ?? act.documentSha256) || pending],
    [
      'signers',
      t('notarySigners'),
      view.signers.map((s) => (
        <span key={s.id} className="journal__signer">
          {s.name} · {s.address}
        </span>
      )),
    ],
    ['identity', t('journal_identity'), method ? label(IDENTITY_METHODS[method]) : pending],
    [
      'fee',
      t('notaryFee'),
      entry ? money(entry.fee.amountMinor, entry.fee.currency) : money(act.feeMinor, act.currency),
    ],
    [
      'recordings',
      t('notaryRecording'),
      recordings.length > 0
        ? recordings.map((r) => (
            <span key={r.attempt} className="journal__signer mono">
              {t('notaryAttempt', { attempt: r.attempt })}: {r.sha256}
            </span>
          ))
        : pending,
    ],
    ['attempts', t('journal_attempts'), String(entry?.attempts ?? act.attempt)],
    [
      'outcome',
      t('journal_outcome'),
      entry ? t(entry.outcome === 'sealed' ? 'actState_sealed' : 'actState_aborted') : pending,
    ],
  ];

  return (
    <section className="card journal" data-testid="journal-panel" data-written={journal ? 'yes' : 'no'}>
      <h2 className="card__title">{t('notaryJournal')}</h2>
      <p className="hint">{journal ? t('notaryJournalWritten', { seq: journal.seq }) : t('notaryJournalDraft')}</p>
      <dl className="facts">
        {rows.map(([key, name, value]) => (
          <div key={key} data-testid={`journal-${key}`}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {journal && (
        <p className="mono" data-testid="journal-hash">
          {t('notaryJournalHash')} {journal.hash}
        </p>
      )}
    </section>
  );
}
