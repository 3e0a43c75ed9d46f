/**
 * Edits of every kind to an agreement (text in each rich-text section, marks,
 * attributes, form fields, a comment, deletions), made on a replica of `base`
 * that the server has not seen: the updates a real editor would send, for the
 * fuzz test and the update-scope unit test alike.
 */
import * as Y from 'yjs';
import { addComment, agreementRoots, appendClause, paragraph } from '../../shared/agreement';

export function replicaEdits(base: Y.Doc): Uint8Array[] {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const roots = agreementRoots(doc);
  appendClause(doc, '被申请人赔偿申请人三千元。');
  roots.facts.insert(0, [paragraph('楼上漏水。')]);
  ((roots.clauses.get(0).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, '双方同意', { bold: true });
  roots.meta.set('date', '2025-01-02');
  roots.parties.get(0).set('address', '北京市东城区');
  roots.facts.delete(0, 1);
  addComment(doc, {
    id: 'c1',
    authorName: '甲',
    authorRole: 'party',
    createdAt: '',
    body: '请核对金额',
    section: 'clauses:0',
    resolved: false,
  });
  (roots.disputes.get(0) as Y.XmlElement).setAttribute('textAlign', 'center');
  roots.clauses.delete(0, 1);
  doc.destroy();
  return updates;
}
