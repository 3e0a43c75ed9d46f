/**
 * Locking and signing the agreement: the requests a participant sends, and
 * the signing state every open editor sees.
 *
 * The database holds the record (server/signing); the state is mirrored by
 * the server into the agreement document's `signing` root, which no client
 * may write, so that everyone who has the agreement open sees a lock, a
 * signature or a voiding the moment it happens, through the same sync that
 * carries the text.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import { agreementRoots } from './agreement';

/** A hex SHA-256, as the server shows it and the signer confirms it. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256');

/** Drawing coordinates are scaled to 0..1000 on both axes of the signing pad. */
export const DRAWING_SCALE = 1000;
/** The signing pad is this many times wider than tall, on every screen and in the PDF. */
export const SIGNATURE_PAD_ASPECT = 10 / 3;
const MAX_STROKES = 60;
const MAX_POINTS = 1500;

/**
 * A drawn signature as strokes: each stroke is a flat list x0, y0, x1, y1, ...
 * (integers 0..1000, y downwards). Vector, a few KB, drawn into the PDF as
 * paths; a canvas bitmap would be ten times larger and blurry when printed.
 */
export const signatureDrawingSchema = z
  .array(z.array(z.number().int().min(0).max(DRAWING_SCALE)).min(2).max(600))
  .min(1, 'draw your signature')
  .max(MAX_STROKES)
  .refine((strokes) => strokes.every((s) => s.length % 2 === 0), 'a stroke is a list of x, y pairs')
  .refine(
    (strokes) => strokes.reduce((n, s) => n + s.length / 2, 0) <= MAX_POINTS,
    `at most ${MAX_POINTS} points; draw more simply`,
  );
export type SignatureDrawing = z.infer<typeof signatureDrawingSchema>;

/** What the signer explicitly agrees to; stored with the signature as it was shown. */
export const SIGNING_CONSENT_TEXT =
  '本人已阅读并理解本协议全部内容，自愿签署，确认以上协议文本（SHA-256 如上所示）即为本人同意的内容。' +
  ' I have read and understood this agreement and sign it of my own free will; the text with the SHA-256 shown is what I agree to.';

export const signRequestSchema = z.object({
  /** The hash the signer's screen showed: it must be the locked text's. */
  sha256: sha256HexSchema,
  /** The name as the signer typed it. */
  typedName: z.string().trim().min(1, 'type your name').max(100),
  drawing: signatureDrawingSchema,
  /** The consent box was ticked; anything but true is refused. */
  consent: z.literal(true, { error: 'tick the consent box to sign' }),
});
export type SignRequest = z.infer<typeof signRequestSchema>;

/** Who signs: a party of the case (by its record) or the mediator. */
export type SignatoryKey = `party:${string}` | 'mediator';

export const signingStatusSchema = z.enum(['open', 'locked', 'sealed']);
export type SigningStatus = z.infer<typeof signingStatusSchema>;

/** The mirror the server keeps in the document's `signing` root. */
export const signingStateSchema = z.object({
  status: signingStatusSchema,
  /** The locked version (null while open). */
  versionId: z.string().nullable(),
  /** SHA-256 of the locked canonical text (null while open). */
  sha256: sha256HexSchema.nullable(),
  lockedAt: z.string().nullable(),
  /** Everyone who must sign, in signing order (parties, then the mediator), and who has. */
  signatories: z.array(
    z.object({
      key: z.string(),
      role: z.enum(['applicant', 'respondent', 'mediator']),
      name: z.string(),
      /** ISO 8601 once signed. */
      signedAt: z.string().nullable(),
    }),
  ),
  /** The last time signatures were voided, and why: shown until the next lock. */
  lastVoided: z
    .object({ at: z.string(), reason: z.enum(['unlocked', 'edited']), signatures: z.number().int() })
    .nullable(),
  /** SHA-256 of the sealed PDF, once sealed. */
  sealedPdfSha256: sha256HexSchema.nullable(),
});
export type SigningState = z.infer<typeof signingStateSchema>;

export const OPEN_SIGNING_STATE: SigningState = {
  status: 'open',
  versionId: null,
  sha256: null,
  lockedAt: null,
  signatories: [],
  lastVoided: null,
  sealedPdfSha256: null,
};

/** The key in the `signing` map that holds the state (as JSON, written whole by the server). */
export const SIGNING_STATE_KEY = 'state';

/** The signing state of a document; open when the server has written none (or it does not parse). */
export function readSigningState(doc: Y.Doc): SigningState {
  const raw = agreementRoots(doc).signing.get(SIGNING_STATE_KEY);
  if (typeof raw !== 'string') return OPEN_SIGNING_STATE;
  try {
    const parsed = signingStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : OPEN_SIGNING_STATE;
  } catch {
    return OPEN_SIGNING_STATE;
  }
}

/** Writes the state (the server only: clients' writes to this root are refused). */
export function writeSigningState(doc: Y.Doc, state: SigningState): void {
  agreementRoots(doc).signing.set(SIGNING_STATE_KEY, JSON.stringify(state));
}

/** The hex SHA-256 of a text's UTF-8 bytes, with Web Crypto (browsers and Node alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
