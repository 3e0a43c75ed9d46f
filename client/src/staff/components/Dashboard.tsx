/**
 * The coordinator's figures for their area: the caseload by status, type,
 * grid and level, the success rate per district, township and grid, and the
 * monthly report the server renders (CSV and a printable page).
 */
import type { CaseStatus, DisputeType, Level } from '../../../../shared/cases';
import { caseload, successRate } from '../api/records';
import { CASE_STATUSES, DISPUTE_TYPES, LEVELS, useStaffI18n } from '../i18n';
import { useOrg } from '../org';
import { BarChart, type Bar } from './BarChart';
import { Card } from './CaseDetail';
import { ErrorLine, Loading, useLoad } from './ui';

const TARGET = 0.9;

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export function Dashboard() {
  const { t, lang, label } = useStaffI18n();
  const org = useOrg();
  const load = useLoad(() => Promise.all([caseload(), successRate()]), 'dashboard');
  const month = thisMonth();
  const reportQuery = `?month=${month}&lang=${lang}`;

  if (!load.data) {
    return (
      <section className="page">
        <h1>{t('dashboardTitle')}</h1>
        {load.loading ? <Loading /> : <ErrorLine error={load.error} onRetry={load.reload} />}
      </section>
    );
  }
  const [{ area, caseload: load_ }, { rows }] = load.data;
  const gridName = (id: string) => org.data?.grids.find((g) => g.id === id)?.name ?? id.slice(0, 8);
  const counts = <K extends string>(entries: Partial<Record<K, number>>, name: (k: K) => string): Bar[] =>
    (Object.entries(entries) as [K, number][])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => ({ key: k, label: name(k), value: n }));

  const rateBars: Bar[] = rows
    .filter((r) => r.rate !== null)
    .map((r) => ({
      key: `${r.unit}:${r.gridId ?? r.townshipId ?? r.districtId}`,
      label: `${t(`unit_${r.unit}`)} ${r.name}`,
      value: r.rate!,
      text: `${Math.round(r.rate! * 1000) / 10}% (${r.agreed}/${r.concluded})`,
      warn: r.rate! < TARGET,
    }));

  return (
    <section className="page dashboard" data-testid="dashboard">
      <div className="page__head">
        <h1>{t('dashboardTitle')}</h1>
        <div className="actions">
          <a
            className="button button--secondary"
            href={`/api/reports/monthly.csv${reportQuery}`}
            data-testid="monthly-csv"
          >
            {t('downloadCsv')}
          </a>
          <a
            className="button button--secondary"
            href={`/api/reports/monthly.html${reportQuery}`}
            target="_blank"
            rel="noopener"
            data-testid="monthly-page"
          >
            {t('printablePage')}
          </a>
        </div>
      </div>
      <p className="hint">
        {t('area', { name: area.name })} · {t('totalCases', { n: load_.total })} · {t('reportsFor', { month })}
      </p>

      <div className="dashboard__grid">
        <Card title={t('successRate')} testId="success-rate">
          <p className="hint">{t('successRateHint')}</p>
          {rateBars.length ? (
            <BarChart bars={rateBars} max={1} target={TARGET} title={t('successRate')} />
          ) : (
            <p className="empty">{t('noData')}</p>
          )}
        </Card>
        <Chart title={t('byStatus')} bars={counts<CaseStatus>(load_.byStatus, (k) => label(CASE_STATUSES[k]))} />
        <Chart title={t('byType')} bars={counts<DisputeType>(load_.byType, (k) => label(DISPUTE_TYPES[k]))} />
        <Chart title={t('byGrid')} bars={counts<string>(load_.byGrid, gridName)} />
        <Chart title={t('byLevel')} bars={counts<Level>(load_.byLevel, (k) => label(LEVELS[k]))} />
      </div>
    </section>
  );
}

function Chart({ title, bars }: { title: string; bars: Bar[] }) {
  const { t } = useStaffI18n();
  return (
    <Card title={title}>
      {bars.length ? <BarChart bars={bars} title={title} /> : <p className="empty">{t('noData')}</p>}
    </Card>
  );
}
