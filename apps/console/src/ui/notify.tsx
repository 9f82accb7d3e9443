import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

const NotifyContext = createContext<(message: string) => void>(() => undefined);

/**
 * Short confirmations ("Saved") in a polite live region: read by screen readers, shown for a few
 * seconds, never stealing focus.
 */
export function NotifyProvider({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<{ id: number; text: string }[]>([]);
  const notify = useCallback((text: string) => {
    const id = Date.now() + Math.random();
    setMessages((m) => [...m, { id, text }]);
    setTimeout(() => setMessages((m) => m.filter((x) => x.id !== id)), 5000);
  }, []);
  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {messages.map((m) => (
          <p key={m.id} className="toast">
            {m.text}
          </p>
        ))}
      </div>
    </NotifyContext.Provider>
  );
}

export const useNotify = () => useContext(NotifyContext);
