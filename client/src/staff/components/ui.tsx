/** Small pieces every screen uses: an error line, a loading line, a link that navigates in place. */
import { useCallback, useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { ApiError } from '../api/http';
import { useStaffI18n, type StaffTextKey } from '../i18n';
import { navigate, pathOf, type Route } from '../router';

/** The sentence for a failed request, in the page's language. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useStaffI18n();
  return (error) => {
    const code = error instanceof ApiError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    const known: Partial<Record<string, StaffTextKey>> = {
      BAD_REQUEST: 'error_BAD_REQUEST',
      FORBIDDEN: 'error_FORBIDDEN',
      NOT_FOUND: 'error_NOT_FOUND',
      CONFLICT: 'error_CONFLICT',
      RATE_LIMITED: 'error_RATE_LIMITED',
      NETWORK: 'error_NETWORK',
    };
    return t(known[code] ?? 'error_other', { message });
  };
}

export function ErrorLine({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useStaffI18n();
  const text = useErrorText();
  if (!error) return null;
  return (
    <p className="problem" role="alert" data-testid="error-line">
      {text(error)}{' '}
      {onRetry && (
        <button type="button" className="linklike" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </p>
  );
}

export function Loading() {
  const { t } = useStaffI18n();
  return <p className="hint">{t('loading')}</p>;
}

/** An <a href> that navigates without reloading, and still opens in a new tab on ctrl/middle click. */
export function RouteLink({
  to,
  children,
  className,
  testId,
}: {
  to: Route;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={pathOf(to)} className={className} data-testid={testId} onClick={onClick}>
      {children}
    </a>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the data with what a mutation returned, without a round trip. */
  setData: (data: T) => void;
}

/** Loads once per change of `key`, and again on reload(); a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure every render; `key` says when it means something new.
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((data: T) => setState({ data, error: undefined, loading: false }), []);
  return { ...state, reload, setData };
}
