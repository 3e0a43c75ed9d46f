/** The notary's home: their acts, newest first, each opening its act page; and a button to schedule one. */
import { ACT_TYPES } from '../../../../../shared/notary';
import { listActs } from '../../api/notary';
import { useStaffI18n } from '../../i18n';
import { ErrorLine, Loading, RouteLink, useLoad } from '../ui';
import { ActStateTag } from './ActStateTag';

export function NotaryActs() {
  const { t, label, dateTime } = useStaffI18n();
  const acts = useLoad(listActs, 'acts');
  return (
    <section className="stack" data-testid="notary-acts">
      <div className="page__head">
        <h1>{t('notaryActsTitle')}</h1>
        <RouteLink to={{ name: 'notaryNew' }} className="button button--primary" testId="notary-new">
          {t('notaryNewAct')}
        </RouteLink>
      </div>
      <ErrorLine error={acts.error} onRetry={acts.reload} />
      {acts.loading && !acts.data && <Loading />}
      {acts.data && acts.data.acts.length === 0 && <p className="empty">{t('notaryNoActs')}</p>}
      {acts.data && acts.data.acts.length > 0 && (
        <table className="cases">
          <thead>
            <tr>
              <th>{t('notaryColDocument')}</th>
              <th>{t('notaryColType')}</th>
              <th>{t('colStatus')}</th>
              <th>{t('notaryColCreated')}</th>
            </tr>
          </thead>
          <tbody>
            {acts.data.acts.map((act) => (
              <tr key={act.id} className="cases__row" data-testid="notary-act-row" data-act-id={act.id}>
                <td className="cases__no">
                  <RouteLink to={{ name: 'notaryAct', id: act.id }}>{act.documentDescription}</RouteLink>
                </td>
                <td>{label(ACT_TYPES[act.actType])}</td>
                <td>
                  <ActStateTag state={act.state} />
                </td>
                <td>{dateTime(act.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
