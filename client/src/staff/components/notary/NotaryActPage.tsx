/**
 * One notarial act as the notary runs it: the steps and the next move on top;
 * the live room beside the identity stills; then the recording, the document
 * and the journal entry as it fills in. The view is polled (useActView.ts).
 */
import { ACT_TYPES } from '../../../../../shared/notary';
import { useStaffI18n } from '../../i18n';
import { ErrorLine, Loading, RouteLink } from '../ui';
import { ActStateTag } from './ActStateTag';
import { ActSteps } from './ActSteps';
import { DocumentPanel } from './DocumentPanel';
import { IdentityForm } from './IdentityForm';
import { IdentityStills } from './IdentityStills';
import { JournalPanel } from './JournalPanel';
import { RecordingPanel } from './RecordingPanel';
import { RoomPane } from './RoomPane';
import { useActView } from './useActView';

export function NotaryActPage({ actId }: { actId: string }) {
  const { t, label } = useStaffI18n();
  const { view, error, run, refresh } = useActView(actId);
  if (!view) {
    return (
      <section className="stack">
        <ErrorLine error={error} onRetry={() => void refresh()} />
        {!error && <Loading />}
      </section>
    );
  }
  const { act } = view;
  return (
    <section className="stack notary-act" data-testid="notary-act" data-act-id={act.id} data-state={act.state}>
      <RouteLink to={{ name: 'notary' }} className="back">
        ← {t('notaryActsTitle')}
      </RouteLink>
      <div className="page__head">
        <h1>
          {label(ACT_TYPES[act.actType])} · {act.documentDescription}
        </h1>
        <ActStateTag state={act.state} />
      </div>
      {/* A failed poll is said, while the last good view stays on screen. */}
      <ErrorLine error={error} />
      <ActSteps view={view} run={run} />
      <div className="notary-act__columns">
        <RoomPane actId={act.id} sessionId={act.sessionId} roomLink={view.roomLink} />
        <section className="card" data-testid="identity-panel">
          <h2 className="card__title">{t('notaryIdentity')}</h2>
          {act.state === 'scheduled' && <p className="hint">{t('notaryIdentityLater')}</p>}
          {act.state !== 'scheduled' && <IdentityStills view={view} refresh={refresh} />}
          {act.state === 'identity' && <IdentityForm view={view} run={run} />}
          {act.identityMethod && act.state !== 'identity' && (
            <p data-testid="identity-done">{t('notaryIdentityDone')}</p>
          )}
        </section>
      </div>
      <div className="notary-act__columns">
        <RecordingPanel view={view} />
        <DocumentPanel view={view} run={run} />
      </div>
      <JournalPanel view={view} />
    </section>
  );
}
