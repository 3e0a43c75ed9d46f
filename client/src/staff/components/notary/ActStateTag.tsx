/** An act's state as a coloured tag, the same in the list and on the act page. */
import type { ActState } from '../../../../../shared/notary';
import { useStaffI18n, type StaffTextKey } from '../../i18n';

export const STATE_TEXT: Record<ActState, StaffTextKey> = {
  scheduled: 'actState_scheduled',
  identity: 'actState_identity',
  recital_consent: 'actState_recital_consent',
  signing: 'actState_signing',
  sealed: 'actState_sealed',
  aborted: 'actState_aborted',
  interrupted: 'actState_interrupted',
};

export function ActStateTag({ state }: { state: ActState }) {
  const { t } = useStaffI18n();
  return (
    <span className={`status act-state act-state--${state}`} data-testid="act-state" data-state={state}>
      {t(STATE_TEXT[state])}
    </span>
  );
}
