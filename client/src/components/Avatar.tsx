/** Initials in a circle, where a participant has no picture. */
export function initials(name: string): string {
  const trimmed = name.trim();
  // Chinese names: the last two characters, the given name people are called by (as WeChat and DingTalk do).
  if (/^[\p{Script=Han}]+$/u.test(trimmed)) return [...trimmed].slice(-2).join('');
  const words = trimmed.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [words[0]];
  return letters
    .map((w) => [...(w ?? '')][0] ?? '')
    .join('')
    .toUpperCase();
}

// A calm colour per name, so the same person keeps the same colour.
const COLOURS = ['#2f6f8f', '#5a6b2f', '#7a4b8c', '#8c5a2f', '#2f7a63', '#6b4b4b'];

export function Avatar({ name }: { name: string }) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return (
    <div className="avatar" aria-hidden="true">
      <span className="avatar__circle" style={{ background: COLOURS[hash % COLOURS.length] }}>
        {initials(name) || '?'}
      </span>
    </div>
  );
}
