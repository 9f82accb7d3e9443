import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useT } from './i18n';
import { useSession } from './session';
import { TextInput } from './ui/fields';
import { Page } from './ui/page';
import { ProblemAlert } from './ui/problem';

/** Sign-in with e-mail or phone and password, then the second factor when the account has MFA. */
export function SignIn() {
  const t = useT();
  const { signIn, completeMfa } = useSession();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e: FormEvent, action: () => Promise<void>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <main id="main">
        {challenge === null ? (
          <Page title={t('signIn.title')}>
            <p className="brand">{t('app.name')}</p>
            <Form
              onSubmit={(e) =>
                void run(e, async () => {
                  const result = await signIn(identifier, password);
                  if (result.status === 'mfa-required') {
                    setChallenge(result.challenge);
                    setPassword('');
                  }
                })
              }
            >
              <TextInput
                label={t('signIn.identifier')}
                name="identifier"
                autoComplete="username"
                isRequired
                value={identifier}
                onChange={setIdentifier}
              />
              <TextInput
                label={t('signIn.password')}
                name="password"
                type="password"
                autoComplete="current-password"
                isRequired
                value={password}
                onChange={setPassword}
              />
              <ProblemAlert error={error} />
              <Button type="submit" className="button" isDisabled={busy}>
                {t('signIn.submit')}
              </Button>
            </Form>
          </Page>
        ) : (
          <Page title={t('signIn.mfaTitle')}>
            <Form onSubmit={(e) => void run(e, () => completeMfa(challenge, code))}>
              <TextInput
                label={t('signIn.mfaCode')}
                name="code"
                autoComplete="one-time-code"
                inputMode="text"
                isRequired
                value={code}
                onChange={setCode}
              />
              <ProblemAlert error={error} />
              <div className="row">
                <Button type="submit" className="button" isDisabled={busy}>
                  {t('signIn.mfaSubmit')}
                </Button>
                <Button
                  className="button secondary"
                  onPress={() => {
                    setChallenge(null);
                    setCode('');
                    setError(null);
                  }}
                >
                  {t('signIn.back')}
                </Button>
              </div>
            </Form>
          </Page>
        )}
      </main>
    </div>
  );
}
