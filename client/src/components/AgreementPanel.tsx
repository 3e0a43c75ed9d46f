/**
 * The mediation agreement (人民调解协议书), co-edited live: one Tiptap editor
 * per section of the unified format, each bound to its Y.XmlFragment of the
 * shared document, with the others' cursors and names, and who has it open.
 * Read-only for whoever may not edit (the server would close a connection
 * that writes anyway), and for everyone once the text is locked for signing
 * (SigningPanel). Large type: parties read it on phones.
 */
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import * as Y from 'yjs';
import { agreementRoots, appendClause, chineseNumeral, type AgreementRootName } from '../../../shared/agreement';
import type { CaseId } from '../../../shared/ids';
import type { Role } from '../../../shared/roles';
import { AgreementSession, type Presence } from '../agreement/AgreementSession';
import { SigningApi } from '../agreement/signingApi';
import { useStore } from '../hooks/useStore';
import { DateFields, PartyFields } from './AgreementFields';
import { CommentsSection } from './CommentsSection';
import { SigningPanel, useSigningState } from './SigningPanel';
import { useI18n, type TextKey } from '../i18n';

interface AgreementPanelProps {
  origin: string;
  token: string;
  caseId: CaseId;
  role: Role;
  displayName: string;
  onClose(): void;
}

export function AgreementPanel(props: AgreementPanelProps) {
  const { origin, token, caseId, role, displayName } = props;
  const [session, setSession] = useState<AgreementSession | null>(null);
  const api = useMemo(() => new SigningApi(origin, token, caseId), [origin, token, caseId]);
  useEffect(() => {
    let s: AgreementSession | undefined;
    let cancelled = false;
    // Ask first what this link may do (a comment-only party must never type into the text).
    void api
      .access()
      .catch(() => undefined)
      .then((access) => {
        if (cancelled) return;
        s = new AgreementSession({ origin, token, caseId, role, displayName, access });
        setSession(s);
      });
    return () => {
      cancelled = true;
      s?.destroy();
    };
  }, [api, origin, token, caseId, role, displayName]);
  return session ? (
    <Panel session={session} onClose={props.onClose} api={api} role={role} displayName={displayName} />
  ) : null;
}

interface PanelProps {
  session: AgreementSession;
  api: SigningApi;
  role: Role;
  displayName: string;
  onClose(): void;
}

function Panel({ session, onClose, api, role, displayName }: PanelProps) {
  const { t } = useI18n();
  const state = useStore(session.store);
  const signing = useSigningState(session.doc);
  // Locked or sealed text is read-only for everyone (an edit would void the signatures).
  const editable = state.access === 'edit' && signing.status === 'open';
  return (
    <section
      className="agreement"
      aria-label={t('agreement')}
      data-testid="agreement"
      data-status={state.status}
      data-access={state.access}
    >
      <header className="agreement__head">
        <h2>{t('agreementTitle')}</h2>
        <button type="button" className="agreement__close" onClick={onClose} aria-label={t('agreementClose')}>
          ×
        </button>
      </header>
      <People people={state.people} />
      {!editable && signing.status === 'open' && (
        <p className="agreement__note" data-testid="agreement-readonly" role="status">
          {state.downgraded ? t('agreementCommentOnly') : t('agreementReadOnly')}
        </p>
      )}
      <div className="agreement__body">
        {state.status === 'refused' && (
          <p className="agreement__note agreement__note--error" role="alert">
            {t('agreementRefused')}
          </p>
        )}
        {state.status === 'connecting' && (
          <p className="agreement__note" role="status">
            <span className="spinner" aria-hidden="true" />
            {t('agreementLoading')}
          </p>
        )}
        {state.status === 'synced' && (
          <SigningPanel
            key={`signing-${session.doc.clientID}`}
            doc={session.doc}
            api={api}
            role={role}
            displayName={displayName}
          />
        )}
        {/* Editors bind only once the server's text is in: nothing local is written before the sync. */}
        {state.status === 'synced' && <Document key={session.doc.clientID} session={session} editable={editable} />}
        {state.status === 'synced' && (
          <CommentsSection
            key={`comments-${session.doc.clientID}`}
            doc={session.doc}
            access={state.access}
            role={role}
            displayName={displayName}
          />
        )}
      </div>
    </section>
  );
}

function People({ people }: { people: readonly Presence[] }) {
  const { t } = useI18n();
  if (people.length === 0) return null;
  return (
    <div className="agreement__people" data-testid="agreement-people">
      <span className="agreement__people-label">{t('agreementEditingNow')}</span>
      {people.map((p) => (
        <span
          key={p.clientId}
          className="agreement__person"
          style={{ borderColor: p.color }}
          data-testid="agreement-person"
        >
          <span className="agreement__dot" style={{ background: p.color }} aria-hidden="true" />
          {p.self ? t('agreementYou', { name: p.name }) : p.name}
          {p.readOnly && <span className="agreement__person-ro"> · {t('agreementReadsOnly')}</span>}
        </span>
      ))}
    </div>
  );
}

const SECTIONS: { root: 'facts' | 'disputes' | 'performance'; label: TextKey }[] = [
  { root: 'facts', label: 'agreementFacts' },
  { root: 'disputes', label: 'agreementDisputes' },
];

/** A stable key per clause fragment (Yjs types have no id of their own). */
const clauseKeys = new WeakMap<Y.XmlFragment, number>();
let nextClauseKey = 0;
const keyOf = (fragment: Y.XmlFragment) => {
  let key = clauseKeys.get(fragment);
  if (key === undefined) clauseKeys.set(fragment, (key = ++nextClauseKey));
  return key;
};

interface Observable {
  observeDeep(f: () => void): void;
  unobserveDeep(f: () => void): void;
}

function useYValue<T>(type: Observable, read: () => T): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read);
    type.observeDeep(update);
    update();
    return () => type.unobserveDeep(update);
    // `read` reads `type` only: re-subscribing when `type` changes is enough.
  }, [type]);
  return value;
}

function Document({ session, editable }: { session: AgreementSession; editable: boolean }) {
  const { t } = useI18n();
  const roots = agreementRoots(session.doc);
  const caseNo = useYValue(roots.meta, () => String(roots.meta.get('caseNo') ?? ''));
  const clauses = useYValue(roots.clauses, () =>
    roots.clauses.toArray().filter((c): c is Y.XmlFragment => c instanceof Y.XmlFragment),
  );
  return (
    <div className="agreement__doc">
      {caseNo && (
        <p className="agreement__caseno">
          {t('agreementCaseNo')}
          {caseNo}
        </p>
      )}
      <Section id="parties" label={t('agreementParties')}>
        <PartyFields doc={session.doc} editable={editable} />
      </Section>
      {SECTIONS.map((s) => (
        <Section key={s.root} id={s.root} label={t(s.label)}>
          <SectionEditor session={session} fragment={roots[s.root]} editable={editable} testId={s.root} />
        </Section>
      ))}
      <Section id="clauses" label={t('agreementClauses')}>
        <ol className="agreement__clauses">
          {clauses.map((fragment, i) => (
            <li key={keyOf(fragment)} className="agreement__clause">
              <span className="agreement__clause-no" aria-hidden="true">
                {chineseNumeral(i + 1)}、
              </span>
              <SectionEditor session={session} fragment={fragment} editable={editable} testId={`clauses-${i}`} />
            </li>
          ))}
        </ol>
        {editable && (
          <button
            type="button"
            className="agreement__add"
            data-testid="agreement-add-clause"
            onClick={() => appendClause(session.doc, '')}
          >
            {t('agreementAddClause')}
          </button>
        )}
      </Section>
      <Section id="performance" label={t('agreementPerformance')}>
        <SectionEditor session={session} fragment={roots.performance} editable={editable} testId="performance" />
        <DateFields doc={session.doc} editable={editable} />
      </Section>
    </div>
  );
}

function Section({ id, label, children }: { id: AgreementRootName; label: string; children: ReactNode }) {
  return (
    <section className="agreement__section" aria-labelledby={`agreement-${id}-label`}>
      <h3 id={`agreement-${id}-label`}>{label}</h3>
      {children}
    </section>
  );
}

function SectionEditor({
  session,
  fragment,
  editable,
  testId,
}: {
  session: AgreementSession;
  fragment: Y.XmlFragment;
  editable: boolean;
  testId: string;
}) {
  const { t } = useI18n();
  const editor = useEditor(
    {
      editable,
      extensions: [
        // The agreement is plain paragraphs and lists; Yjs has the history (a local undo could undo others' words).
        StarterKit.configure({
          undoRedo: false,
          heading: false,
          codeBlock: false,
          code: false,
          blockquote: false,
          horizontalRule: false,
        }),
        Collaboration.configure({ fragment }),
        CollaborationCaret.configure({
          provider: session.provider,
          user: { ...session.user, readOnly: !editable },
        }),
      ],
      editorProps: {
        attributes: {
          class: 'agreement__editor',
          'aria-label': t('agreementEditorLabel'),
          'aria-readonly': String(!editable),
        },
      },
    },
    [fragment, editable, session],
  );
  return <EditorContent editor={editor} className="agreement__field" data-testid={`agreement-${testId}`} />;
}
