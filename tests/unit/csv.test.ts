/** CSV that Excel on a Chinese desktop opens correctly and cannot be tricked into running. */
import { csvCell, toCsv } from '../../server/reports/csv';

test('plain text and numbers pass as they are', () => {
  expect(csvCell('和平一网格')).toBe('和平一网格');
  expect(csvCell(42)).toBe('42');
  expect(csvCell(0.5)).toBe('0.5');
  expect(csvCell(null)).toBe('');
});

test('commas, quotes and line breaks are quoted, with quotes doubled', () => {
  expect(csvCell('a,b')).toBe('"a,b"');
  expect(csvCell('他说"好"')).toBe('"他说""好"""');
  expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
  expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
});

test('text a spreadsheet would run as a formula is made plain text', () => {
  expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
  expect(csvCell('+86 138')).toBe("'+86 138");
  expect(csvCell('-1')).toBe("'-1");
  expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  expect(csvCell('\tcmd')).toBe("'\tcmd");
});

test('numbers are never prefixed, negative or not, and non-finite ones are empty', () => {
  expect(csvCell(-1)).toBe('-1');
  expect(csvCell(Number.NaN)).toBe('');
});

test('a document starts with a UTF-8 byte order mark and ends every row with CRLF', () => {
  const csv = toCsv([
    ['网格', '登记'],
    ['和平一网格', 3],
  ]);
  expect(csv).toBe('\uFEFF网格,登记\r\n和平一网格,3\r\n');
  expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
});
