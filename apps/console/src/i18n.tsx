import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { I18nProvider as AriaI18nProvider } from 'react-aria-components';
import { LOCALES, type Locale, type Messages } from './i18n-types';

const STORAGE_KEY = 'emporia.console.locale';

/** Every part's messages merged per language. */
export function mergeMessages(parts: Messages[]): Record<Locale, Record<string, string>> {
  const merged = Object.fromEntries(LOCALES.map((l) => [l, {}])) as Record<
    Locale,
    Record<string, string>
  >;
  for (const part of parts) for (const l of LOCALES) Object.assign(merged[l], part[l]);
  return merged;
}

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

const LocaleContext = createContext<{ locale: Locale; setLocale(l: Locale): void }>({
  locale: 'zh-CN',
  setLocale: () => undefined,
});

/** The console's language (saved in this browser), for react-intl and React Aria alike. */
export function I18nProvider({
  messages,
  children,
}: {
  messages: Record<Locale, Record<string, string>>;
  children: ReactNode;
}) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLocaleState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <LocaleContext.Provider value={{ locale, setLocale }}>
      <IntlProvider locale={locale} messages={messages[locale]} defaultLocale="zh-CN">
        <AriaI18nProvider locale={locale}>{children}</AriaI18nProvider>
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export const useLocale = () => useContext(LocaleContext);

/** `t(id, values)`: a message of the current language. */
export function useT() {
  const intl = useIntl();
  return useCallback(
    (id: string, values?: Record<string, string | number | Date | null | undefined>) =>
      intl.formatMessage({ id }, values),
    [intl],
  );
}
