import { setLang, useI18n } from '../i18n';

/** Switches between Chinese and English; it names the other language in that language. */
export function LanguageToggle() {
  const { lang, t } = useI18n();
  return (
    <button
      type="button"
      className="lang-toggle"
      lang={lang === 'en' ? 'zh-CN' : 'en'}
      aria-label={t('switchLanguageLabel')}
      onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
    >
      {t('switchLanguage')}
    </button>
  );
}
