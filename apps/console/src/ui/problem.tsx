import { isProblem } from '@emporia/sdk';
import { useT } from '../i18n';

/** A refused request or a network failure, announced (role="alert") with its code and trace id. */
export function ProblemAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  if (!error) return null;
  return (
    <div role="alert" className="problem">
      <p className="problem-title">
        <strong>{isProblem(error) ? error.title : t('problem.title')}</strong>
      </p>
      {isProblem(error) ? (
        <>
          <p>{error.detail}</p>
          {error.errors.length > 0 ? (
            <ul>
              {error.errors.map((e, i) => (
                <li key={i}>
                  {e.field ? <code>{e.field}</code> : null} {e.message}
                </li>
              ))}
            </ul>
          ) : null}
          <p className="problem-meta">
            {t('problem.code', { code: error.code })}
            {error.traceId ? ` · ${t('problem.trace', { traceId: error.traceId })}` : ''}
          </p>
        </>
      ) : (
        <p>{t('problem.network')}</p>
      )}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** The field errors of a refused form, by field name, for React Aria's `<Form validationErrors>`. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!isProblem(error)) return {};
  const out: Record<string, string> = {};
  for (const e of error.errors) if (e.field) out[e.field] = e.message ?? error.detail;
  return out;
}
