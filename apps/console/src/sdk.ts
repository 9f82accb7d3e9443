import { createEmporiaClient, webStorageSessionStore, type StoredSession } from '@emporia/sdk';

/** This browser's device id (X-Device-Id), kept across sessions so sign-ins are recognised. */
function deviceId(): string {
  const key = 'emporia.console.device';
  let id = localStorage.getItem(key);
  if (!id) {
    id = `console-${crypto.getRandomValues(new Uint32Array(4)).join('-')}`;
    localStorage.setItem(key, id);
  }
  return id;
}

type Listener = (session: StoredSession) => void;
const listeners = new Set<Listener>();

/**
 * The console's one client of the gateway (same origin). The session lives in sessionStorage: it
 * survives a reload of the tab and ends with it; the gateway's CSP allows only this origin's
 * scripts. The access token is refreshed by the client before it expires.
 */
export const emporia = createEmporiaClient({
  baseUrl: window.location.origin,
  store: webStorageSessionStore(window.sessionStorage, 'emporia.console.session'),
  deviceId: deviceId(),
  onSessionChange: (session) => listeners.forEach((l) => l(session)),
});

/** The typed routes of the gateway: `await ok(api.GET('/v1/...', { params }))`. */
export const api = emporia.api;

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
