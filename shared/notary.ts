/**
 * The vocabulary of remote notarization, shared by the server, the notary
 * console and the public verification page: the kinds of act, the states of
 * an act, how a signer's identity is established, and the journal entry as it
 * is hashed and exported.
 */
import { z } from 'zod';

/** The notarial acts a remote session can perform (names as the US statutes use them). */
export const ACT_TYPES = {
  acknowledgment: { zh: '签名确认', en: 'Acknowledgment' },
  jurat: { zh: '宣誓声明', en: 'Jurat' },
  oath_affirmation: { zh: '宣誓或确认', en: 'Oath or affirmation' },
  signature_witnessing: { zh: '签名见证', en: 'Signature witnessing' },
  copy_certification: { zh: '副本证明', en: 'Copy certification' },
} as const;
export type ActType = keyof typeof ACT_TYPES;
export const actTypeSchema = z.enum(Object.keys(ACT_TYPES) as [ActType, ...ActType[]]);

/**
 * The states of an act, in the order of a successful one; `aborted` and
 * `sealed` are final, `interrupted` waits for the participant to come back.
 */
export const ACT_STATES = [
  'scheduled',
  'identity',
  'recital_consent',
  'signing',
  'sealed',
  'aborted',
  'interrupted',
] as const;
export type ActState = (typeof ACT_STATES)[number];

/** How the notary established who the signer is (the journal must say which). */
export const IDENTITY_METHODS = {
  personal_knowledge: { zh: '公证员本人认识', en: 'Personal knowledge of the notary' },
  id_comparison: { zh: '身份证件与本人比对', en: 'ID document compared with the signer by the notary' },
  credible_witness: { zh: '可信证人', en: 'Credible witness' },
} as const;
export type IdentityMethod = keyof typeof IDENTITY_METHODS;
export const identityMethodSchema = z.enum(Object.keys(IDENTITY_METHODS) as [IdentityMethod, ...IdentityMethod[]]);

/** What an external identity provider checked. */
export const providerCheckKindSchema = z.enum(['credential_analysis', 'knowledge_based']);
export type ProviderCheckKind = z.infer<typeof providerCheckKindSchema>;

/** A provider's verdict as stored; `error` means it could not decide (down, timed out), never a pass. */
export const providerOutcomeSchema = z.enum(['passed', 'failed', 'error']);
export type ProviderOutcome = z.infer<typeof providerOutcomeSchema>;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const isoTime = z.iso.datetime({ offset: false });

/** One external check, as it appears in the journal. */
export const journalProviderCheckSchema = z.object({
  provider: z.string().min(1).max(60),
  kind: providerCheckKindSchema,
  outcome: providerOutcomeSchema,
  /** The provider's own reference of the transaction, for audit on their side. */
  reference: z.string().max(200).nullable(),
  at: isoTime,
});

export const journalSignerSchema = z.object({
  name: z.string().min(1).max(100),
  address: z.string().min(1).max(300),
  /** Null when the act was aborted before identity was established. */
  identityMethod: identityMethodSchema.nullable(),
  /** For a credible witness: the witness's name. */
  witnessName: z.string().max(100).nullable(),
  /** For an ID comparison: the document's kind and issuer, never its number. */
  idDocument: z.string().max(120).nullable(),
  externalChecks: z.array(journalProviderCheckSchema),
});

/**
 * The journal entry of one act, exactly what is hashed into the chain (as
 * canonical JSON: keys sorted, no whitespace). Money is in minor units so no
 * float ever enters a hash.
 */
export const journalEntrySchema = z.object({
  actId: z.uuid(),
  actType: actTypeSchema,
  /** When the act ended (sealed, or aborted). */
  performedAt: isoTime,
  jurisdiction: z.string().min(2).max(20),
  outcome: z.enum(['sealed', 'aborted']),
  notary: z.object({ id: z.uuid(), name: z.string().min(1).max(100) }),
  document: z.object({ description: z.string().min(1).max(500), sha256: sha256Hex.nullable() }),
  signers: z.array(journalSignerSchema).min(1),
  fee: z.object({ amountMinor: z.number().int().min(0), currency: z.string().length(3) }),
  /** Every recording of the act: one per attempt, the interrupted ones included. */
  recordings: z.array(z.object({ attempt: z.number().int().min(1), reference: z.string().min(1), sha256: sha256Hex })),
  /** How many attempts the act took (an interruption starts a new one); 0 if aborted before it started. */
  attempts: z.number().int().min(0),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
