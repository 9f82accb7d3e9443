import { isProblem } from '@emporia/sdk';
import { useT } from '../../i18n';
import { ProblemAlert } from '../../ui/problem';

/** Refusals an operator meets here, said plainly (the code and trace id kept). */
const EXPLAINED = ['CANNOT_CHANGE_OWN_ACCOUNT', 'ROLE_REQUIRED', 'ACCOUNT_NOT_FOUND'];

/** A refused account action: the known refusals in the operator's language, others as they come. */
export function AccountProblem({ error }: { error: unknown }) {
  const t = useT();
  if (isProblem(error) && EXPLAINED.includes(error.code))
    return (
      <div role="alert" className="problem">
        <p className="problem-title">
          <strong>{t(`accounts.problem.${error.code}`)}</strong>
        </p>
        <p className="problem-meta">
          {t('problem.code', { code: error.code })}
          {error.traceId ? ` · ${t('problem.trace', { traceId: error.traceId })}` : ''}
        </p>
      </div>
    );
  return <ProblemAlert error={error} />;
}
