import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { Account, SignInResult } from '@emporia/sdk';
import { emporia, onSessionChange } from './sdk';
import { hasRole, type Role } from './roles';

interface SessionValue {
  account: Account | undefined;
  signedIn: boolean;
  can(role: Role): boolean;
  signIn(identifier: string, password: string): Promise<SignInResult>;
  completeMfa(challenge: string, code: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

const subscribe = (notify: () => void) => onSessionChange(notify);
const snapshot = () => JSON.stringify(emporia.session.account ?? null) + String(emporia.signedIn);

export function SessionProvider({ children }: { children: ReactNode }) {
  const key = useSyncExternalStore(subscribe, snapshot);
  const value = useMemo<SessionValue>(() => {
    const { account } = emporia.session;
    const signedIn = emporia.signedIn;
    return {
      account: signedIn ? account : undefined,
      signedIn,
      can: (role) => signedIn && hasRole(account?.roles, role),
      signIn: (identifier, password) => emporia.signIn(identifier, password),
      completeMfa: async (challenge, code) => {
        await emporia.completeMfa(challenge, code);
      },
      signOut: () => emporia.signOut(),
    };
    // the session's serialised form changes whenever the session does
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
