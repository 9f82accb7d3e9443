import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { isProblem } from '@emporia/sdk';
import { RouterProvider as AriaRouterProvider } from 'react-aria-components';
import {
  createBrowserRouter,
  Navigate,
  RouterProvider,
  useHref,
  useNavigate,
  type RouteObject,
} from 'react-router';
import type { ComponentType } from 'react';
import { FEATURES } from './features';
import { I18nProvider, mergeMessages, useT } from './i18n';
import { Layout } from './layout';
import { messages as shellMessages } from './messages';
import type { Role } from './roles';
import { mayUseConsole } from './roles';
import { useSession } from './session';
import { SessionProvider } from './session';
import { SignIn } from './sign-in';
import { NotifyProvider } from './ui/notify';
import { Page } from './ui/page';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // a refused request (4xx) is not retried; a failure to reach the server is, twice
      retry: (count, error) => !(isProblem(error) && error.status < 500) && count < 2,
      staleTime: 5_000,
    },
  },
});

const MESSAGES = mergeMessages([shellMessages, ...FEATURES.map((f) => f.messages)]);

function Guard({ need, component: Screen }: { need: Role; component: ComponentType }) {
  const t = useT();
  const { can } = useSession();
  if (!can(need))
    return (
      <Page title={t('app.forbidden')}>
        <p>{t('app.forbidden')}</p>
      </Page>
    );
  return <Screen />;
}

function Home() {
  const { can } = useSession();
  const dashboard = FEATURES.flatMap((f) => f.screens).find((s) => s.path === '/');
  if (can('operator') && dashboard)
    return <Guard need="operator" component={dashboard.component} />;
  return <Navigate to="/support" replace />;
}

function NotFound() {
  const t = useT();
  return (
    <Page title={t('app.notFound')}>
      <p>{t('app.notFound')}</p>
    </Page>
  );
}

/** React Aria's links (in tables, menus) navigate through the router. */
function AriaRouting() {
  const navigate = useNavigate();
  return (
    <AriaRouterProvider navigate={(to) => void navigate(to)} useHref={useHref}>
      <Layout />
    </AriaRouterProvider>
  );
}

const routes: RouteObject[] = [
  {
    path: '/',
    element: <AriaRouting />,
    children: [
      { index: true, element: <Home /> },
      ...FEATURES.flatMap((f) => f.screens)
        .filter((s) => s.path !== '/')
        .map((s) => ({
          path: s.path.replace(/^\//, ''),
          element: <Guard need={s.role} component={s.component} />,
        })),
      { path: '*', element: <NotFound /> },
    ],
  },
];
const router = createBrowserRouter(routes, { basename: '/admin' });

function Gate() {
  const t = useT();
  const { signedIn, account, signOut } = useSession();
  if (!signedIn) return <SignIn />;
  if (!mayUseConsole(account?.roles))
    return (
      <main id="main" className="sign-in">
        <Page title={t('app.name')}>
          <p role="alert">{t('app.noAccess')}</p>
          <button type="button" className="button" onClick={() => void signOut()}>
            {t('app.signOut')}
          </button>
        </Page>
      </main>
    );
  return <RouterProvider router={router} />;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider messages={MESSAGES}>
        <SessionProvider>
          <NotifyProvider>
            <Gate />
          </NotifyProvider>
        </SessionProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}
