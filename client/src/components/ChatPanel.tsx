/**
 * Text messages of the room one is in: the joint room and each caucus have
 * their own, so what a party writes in a private talk stays there.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ChatMessage } from '../../../shared/protocol';
import { useI18n } from '../i18n';

interface ChatPanelProps {
  messages: readonly ChatMessage[];
  selfId: string | null;
  onSend(text: string): Promise<void>;
  onClose(): void;
}

export function ChatPanel({ messages, selfId, onSend, onClose }: ChatPanelProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const [failed, setFailed] = useState(false);
  const [sending, setSending] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [messages.length]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || sending) return;
    setSending(true);
    try {
      await onSend(text);
      setDraft('');
      setFailed(false);
    } catch {
      setFailed(true);
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="chat" aria-label={t('chat')} data-testid="chat">
      <header className="chat__head">
        <h2>{t('chat')}</h2>
        <button type="button" className="chat__close" onClick={onClose} aria-label={t('chatClose')}>
          ×
        </button>
      </header>
      <div className="chat__list">
        {messages.length === 0 && <p className="chat__empty">{t('chatEmpty')}</p>}
        {messages.map((m) => (
          <p
            key={m.messageId}
            className={`chat__msg${m.peerId === selfId ? ' chat__msg--self' : ''}`}
            data-testid="chat-message"
          >
            <span className="chat__who">{m.displayName}</span>
            <span className="chat__text">{m.text}</span>
          </p>
        ))}
        <div ref={end} />
      </div>
      {failed && (
        <p className="chat__error" role="alert">
          {t('chatFailed')}
        </p>
      )}
      <form className="chat__form" onSubmit={(e) => void submit(e)}>
        <input
          data-testid="chat-input"
          value={draft}
          maxLength={1000}
          placeholder={t('chatPlaceholder')}
          aria-label={t('chatPlaceholder')}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" data-testid="chat-send" disabled={sending || !draft.trim()}>
          {t('chatSend')}
        </button>
      </form>
    </section>
  );
}
