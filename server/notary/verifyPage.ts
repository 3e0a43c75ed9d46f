/**
 * The public verification page: pick a notarized PDF, it is sent as it is to
 * POST /api/notary/verify (the file never leaves the browser otherwise), and
 * the answer is shown in Chinese and English. Static: no template, nothing of
 * the request is echoed into it; the answer is inserted as text, never HTML.
 */
export const VERIFY_PAGE_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>公证文书验证 · Verify a notarized document</title>
<style>
  body { font: 16px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  h1 { font-size: 1.4rem; }
  .verdict { font-size: 1.3rem; font-weight: 600; margin: 1rem 0; }
  .ok { color: #0a6b2d; } .bad { color: #a11; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #555; } dd { margin: 0; word-break: break-all; }
</style>
</head>
<body>
<h1>公证文书验证 <small>Verify a notarized document</small></h1>
<p>选择公证员签章的 PDF 文件，检查其是否完整、由谁签章、属于哪一公证行为与录像。<br>
Choose a PDF sealed by a notary to check that it is intact, who sealed it, and which act and recording it belongs to.</p>
<input id="file" type="file" accept="application/pdf">
<div id="verdict" class="verdict" role="status"></div>
<dl id="details"></dl>
<script>
const rows = [
  ['sealedBy', '签章公证员 Sealed by'],
  ['sealedAt', '签章时间 Sealed at'],
  ['actId', '公证行为 Notarial act'],
  ['journalSeq', '公证登记簿条目 Journal entry'],
  ['documentSha256', '文书 SHA-256 Document'],
  ['recordingSha256', '录像 SHA-256 Recording(s)'],
  ['actType', '公证事项 Act type'],
  ['performedAt', '办理时间 Performed at'],
  ['journal', '登记簿核对 Journal check'],
  ['problem', '问题 Problem'],
];
function show(report) {
  const verdict = document.getElementById('verdict');
  const good = report.intact && (!report.journal || report.journal.agrees);
  verdict.className = 'verdict ' + (good ? 'ok' : 'bad');
  verdict.textContent = good ? '✓ 文书完整，签章有效 · Intact and validly sealed' : '✗ 未通过验证 · Not verified';
  const b = report.binding || {};
  const j = report.journal || {};
  const values = {
    sealedBy: report.sealedBy, sealedAt: report.sealedAt, actId: b.actId,
    journalSeq: b.journalSeq === undefined ? null : '#' + b.journalSeq,
    documentSha256: b.documentSha256, recordingSha256: (b.recordingSha256 || []).join(', '),
    actType: j.actType, performedAt: j.performedAt,
    journal: report.journal ? (j.agrees ? '一致 agrees' : '不一致 disagrees') : null, problem: report.problem,
  };
  const dl = document.getElementById('details');
  dl.replaceChildren();
  for (const [key, label] of rows) {
    if (values[key] === null || values[key] === undefined || values[key] === '') continue;
    const dt = document.createElement('dt'); dt.textContent = label;
    const dd = document.createElement('dd'); dd.textContent = String(values[key]);
    dl.append(dt, dd);
  }
}
document.getElementById('file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  document.getElementById('verdict').textContent = '验证中… Verifying…';
  try {
    const response = await fetch(location.pathname, { method: 'POST', headers: { 'Content-Type': 'application/pdf' }, body: file });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
    show(body);
  } catch (error) {
    show({ intact: false, problem: String(error.message || error) });
  }
});
</script>
</body>
</html>
`;
