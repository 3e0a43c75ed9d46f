/**
 * Comments on the agreement, kept beside the text (never hashed or printed):
 * how a party who may only comment takes part, and how anyone points at a
 * clause without changing it. The mediator marks a comment resolved.
 */
import { useEffect, useState } from 'react';
import * as Y from 'yjs';
import {
  addComment,
  agreementRoots,
  readComments,
  type AgreementAccess,
  type Comment,
} from '../../../shared/agreement';
import type { Role } from '../../../shared/roles';
import { useI18n, type TextKey } from '../i18n';

const SECTIONS: { value: string; label: TextKey }[] = [
  { value: 'facts', label: 'agreementFacts' },
  { value: 'disputes', label: 'agreementDisputes' },
  { value: 'clauses', label: 'agreementClauses' },
  { value: 'performance', label: 'agreementPerformance' },
];

function useComments(doc: Y.Doc): Comment[] {
  const [comments, setComments] = useState(() => readComments(doc));
  useEffect(() => {
    const root = agreementRoots(doc).comments;
    const update = () => setComments(readComments(doc));
    root.observeDeep(update);
    update();
    return () => root.unobserveDeep(update);
  }, [doc]);
  return comments;
}

const newId = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export function CommentsSection(props: { doc: Y.Doc; access: AgreementAccess; role: Role; displayName: string }) {
  const { doc, access, role, displayName } = props;
  const { t } = useI18n();
  const comments = useComments(doc);
  const [body, setBody] = useState('');
  const [section, setSection] = useState('clauses');
  const labelOf = (value: string) => t(SECTIONS.find((s) => s.value === value)?.label ?? 'agreementClauses');

  const resolve = (id: string) => {
    for (const entry of agreementRoots(doc).comments.toArray()) {
      if (entry instanceof Y.Map && entry.get('id') === id) entry.set('resolved', true);
    }
  };

  return (
    <section className="agreement__section comments" aria-labelledby="agreement-comments-label" data-testid="comments">
      <h3 id="agreement-comments-label">{t('commentsTitle')}</h3>
      {comments.length === 0 && <p className="comments__meta">{t('commentsNone')}</p>}
      <ul className="comments__list">
        {comments.map((c) => (
          <li key={c.id} className={c.resolved ? 'comments__item is-resolved' : 'comments__item'} data-testid="comment">
            <div className="comments__meta">
              <strong>{c.authorName}</strong> · {labelOf(c.section)} ·{' '}
              {new Date(c.createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}
              {c.resolved && ` · ${t('commentsResolved')}`}
            </div>
            <p>{c.body}</p>
            {role === 'mediator' && access === 'edit' && !c.resolved && (
              <button type="button" className="comments__resolve" onClick={() => resolve(c.id)}>
                {t('commentsResolve')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {access !== 'read' && (
        <form
          className="comments__form"
          onSubmit={(event) => {
            event.preventDefault();
            const text = body.trim();
            if (!text) return;
            addComment(doc, {
              id: newId(),
              authorName: displayName.slice(0, 100),
              authorRole: role,
              createdAt: new Date().toISOString(),
              body: text.slice(0, 2000),
              section,
              resolved: false,
            });
            setBody('');
          }}
        >
          <label>
            {t('commentsAbout')}{' '}
            <select value={section} onChange={(e) => setSection(e.target.value)} data-testid="comment-section">
              {SECTIONS.map((s) => (
                <option key={s.value} value={s.value}>
                  {t(s.label)}
                </option>
              ))}
            </select>
          </label>
          <textarea
            value={body}
            maxLength={2000}
            rows={3}
            placeholder={t('commentsPlaceholder')}
            onChange={(e) => setBody(e.target.value)}
            data-testid="comment-body"
          />
          <button type="submit" disabled={!body.trim()} data-testid="comment-add">
            {t('commentsAdd')}
          </button>
        </form>
      )}
    </section>
  );
}
