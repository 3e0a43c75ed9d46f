/**
 * The agreement's form fields: each party's particulars (sex, age, address)
 * and the agreement's date and performance deadline. Short values, kept as
 * strings in Y.Maps (last writer wins per field, which suits a form); the
 * rich-text sections have their own editors. ID numbers are not typed here:
 * the case record keeps them encrypted, and the agreement's update log would
 * keep them in clear.
 */
import { useEffect, useState } from 'react';
import * as Y from 'yjs';
import { agreementRoots } from '../../../shared/agreement';
import { useI18n, type TextKey } from '../i18n';

function useMapField(map: Y.Map<unknown>, key: string): [string, (value: string) => void] {
  const read = () => {
    const value = map.get(key);
    return typeof value === 'string' ? value : '';
  };
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read());
    map.observe(update);
    update();
    return () => map.unobserve(update);
    // `read` reads `map` and `key` only.
  }, [map, key]);
  return [value, (next: string) => map.set(key, next)];
}

function Field(props: {
  map: Y.Map<unknown>;
  field: string;
  label: TextKey;
  editable: boolean;
  type?: 'text' | 'date';
  maxLength?: number;
  testId: string;
}) {
  const { t } = useI18n();
  const [value, set] = useMapField(props.map, props.field);
  return (
    <label className="agreement__field-row">
      <span>{t(props.label)}</span>
      <input
        type={props.type ?? 'text'}
        value={value}
        readOnly={!props.editable}
        maxLength={props.maxLength ?? 200}
        onChange={(e) => set(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  );
}

function useParties(doc: Y.Doc): Y.Map<unknown>[] {
  const parties = agreementRoots(doc).parties;
  const read = () => parties.toArray().filter((p): p is Y.Map<unknown> => p instanceof Y.Map);
  const [list, setList] = useState(read);
  useEffect(() => {
    const update = () => setList(read());
    parties.observe(update);
    update();
    return () => parties.unobserve(update);
    // `read` reads `parties` only.
  }, [parties]);
  return list;
}

export function PartyFields({ doc, editable }: { doc: Y.Doc; editable: boolean }) {
  const { t } = useI18n();
  const parties = useParties(doc);
  return (
    <div className="agreement__parties">
      {parties.map((party, i) => (
        <fieldset key={i} className="agreement__party" data-testid={`agreement-party-${i}`}>
          <legend>
            {t(party.get('role') === 'respondent' ? 'agreementRespondent' : 'agreementApplicant')}：
            {String(party.get('name') ?? '')}
          </legend>
          <Field
            map={party}
            field="sex"
            label="agreementSex"
            editable={editable}
            maxLength={8}
            testId={`party-${i}-sex`}
          />
          <Field
            map={party}
            field="age"
            label="agreementAge"
            editable={editable}
            maxLength={8}
            testId={`party-${i}-age`}
          />
          <Field
            map={party}
            field="address"
            label="agreementAddress"
            editable={editable}
            testId={`party-${i}-address`}
          />
        </fieldset>
      ))}
    </div>
  );
}

export function DateFields({ doc, editable }: { doc: Y.Doc; editable: boolean }) {
  const { meta } = agreementRoots(doc);
  return (
    <div className="agreement__dates">
      <Field
        map={meta}
        field="deadline"
        label="agreementDeadline"
        editable={editable}
        type="date"
        testId="meta-deadline"
      />
      <Field map={meta} field="date" label="agreementDate" editable={editable} type="date" testId="meta-date" />
    </div>
  );
}
