/**
 * The coordinator's board of experts on call: for each specialty, how many
 * experts could take a case in each grid of their area right now, and the
 * pool by state. Presence has no push to staff pages, so the board polls
 * GET /api/experts/board every 3 s while it is open (and not while the tab
 * is hidden); a state change shows within one poll.
 */
import { useEffect, useState } from 'react';
import type { DisputeType } from '../../../../shared/cases';
import { EXPERT_STATES, type ExpertState } from '../../../../shared/experts';
import type { AvailabilityBoard } from '../../../../shared/expertViews';
import { expertBoard } from '../api/experts';
import { DISPUTE_TYPES, useStaffI18n } from '../i18n';
import { Card } from './CaseDetail';
import { ErrorLine, Loading } from './ui';

const POLL_MS = 3_000;
const STATES = Object.keys(EXPERT_STATES) as ExpertState[];

function useBoard(): { board: AvailabilityBoard | undefined; error: unknown } {
  const [board, setBoard] = useState<AvailabilityBoard | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One poll at a time: the next starts only after the last answered, so a slow server is not piled on.
    const poll = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          const next = await expertBoard();
          if (!current) return;
          setBoard(next);
          setError(undefined);
        } catch (e) {
          if (!current) return;
          setError(e);
        }
      }
      if (current) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, []);
  return { board, error };
}

export function ExpertBoard() {
  const { t, label, lang } = useStaffI18n();
  const { board, error } = useBoard();
  if (!board) {
    return (
      <section className="page">
        <h1>{t('boardTitle')}</h1>
        {error ? <ErrorLine error={error} /> : <Loading />}
      </section>
    );
  }
  const pool = STATES.reduce((n, s) => n + board.states[s], 0);
  const time = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' }).format(new Date(board.at));
  const cell = (s: DisputeType, gridId: string) => board.available[s]?.[gridId] ?? 0;
  return (
    <section className="page expert-board" data-testid="expert-board">
      <div className="page__head">
        <h1>{t('boardTitle')}</h1>
        <p className="hint" data-testid="board-updated">
          {t('boardPool', { n: pool })} · {t('boardUpdated', { time })}
        </p>
      </div>
      <ErrorLine error={error} />
      <p className="hint">{t('boardExplain')}</p>
      {pool === 0 ? (
        <p className="empty">{t('boardNoExperts')}</p>
      ) : (
        <>
          <Card title={t('boardBySpecialty')}>
            <div className="board-scroll">
              <table className="board">
                <thead>
                  <tr>
                    <th scope="col">{t('expertSpecialty')}</th>
                    {STATES.map((s) => (
                      <th key={s} scope="col">
                        {label(EXPERT_STATES[s])}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {board.specialties.map((s) => (
                    <tr key={s} data-testid="board-specialty" data-specialty={s}>
                      <th scope="row">{label(DISPUTE_TYPES[s])}</th>
                      {STATES.map((state) => (
                        <td key={state} data-state={state} className={state === 'available' ? 'board__available' : ''}>
                          {board.bySpecialty[s]?.[state] ?? 0}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
          <Card title={t('boardGrid')}>
            <div className="board-scroll">
              <table className="board">
                <thead>
                  <tr>
                    <th scope="col">{t('boardGrid')}</th>
                    {board.specialties.map((s) => (
                      <th key={s} scope="col">
                        {label(DISPUTE_TYPES[s])}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {board.grids.map((g) => (
                    <tr key={g.gridId} data-testid="board-grid" data-grid-id={g.gridId}>
                      <th scope="row">
                        {g.townshipName} {g.gridName}
                      </th>
                      {board.specialties.map((s) => (
                        <td
                          key={s}
                          data-specialty={s}
                          className={cell(s, g.gridId) === 0 ? 'board__none' : 'board__available'}
                        >
                          {cell(s, g.gridId)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      )}
    </section>
  );
}
