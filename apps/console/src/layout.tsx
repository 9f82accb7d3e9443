import { NavLink, Outlet, useLocation } from 'react-router';
import { useState } from 'react';
import { FEATURES } from './features';
import { useLocale, useT } from './i18n';
import { LOCALES, type Locale } from './i18n-types';
import { useSession } from './session';

const LANGUAGE_NAMES: Record<Locale, string> = { 'zh-CN': '简体中文', en: 'English' };

/** The console's frame: skip link, banner, the menu by role, the current screen. */
export function Layout() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const { account, can, signOut } = useSession();
  const location = useLocation();
  // the small-screen menu stays open on the screen it was opened on: navigating closes it
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === location.pathname;
  const groups = FEATURES.flatMap((f) => (f.nav ? [f.nav] : []))
    .map((g) => ({ ...g, items: g.items.filter((i) => can(i.role)) }))
    .filter((g) => g.items.length > 0);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="banner">
        <button
          type="button"
          className="menu-toggle button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setOpenOn(menuOpen ? null : location.pathname)}
        >
          {t('app.menu')}
        </button>
        <p className="brand">{t('app.name')}</p>
        <div className="banner-tools">
          <label className="language">
            <span>{t('app.language')}</span>
            <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
              {LOCALES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          </label>
          <span className="who">
            {t('app.signedInAs', { who: account?.email ?? account?.phone ?? '' })}
          </span>
          <button type="button" className="button secondary" onClick={() => void signOut()}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <nav id="main-nav" className={menuOpen ? 'nav open' : 'nav'} aria-label={t('app.nav')}>
        {can('operator') ? (
          <ul>
            <li>
              <NavLink to="/" end>
                {t('nav.dashboard')}
              </NavLink>
            </li>
          </ul>
        ) : null}
        {groups.map((g) => (
          <div key={g.labelId} className="nav-group">
            <p className="nav-title" id={`nav-${g.labelId}`}>
              {t(g.labelId)}
            </p>
            <ul aria-labelledby={`nav-${g.labelId}`}>
              {g.items.map((i) => (
                <li key={i.to}>
                  <NavLink to={i.to} end={i.to === '/orders'}>
                    {t(i.labelId)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
