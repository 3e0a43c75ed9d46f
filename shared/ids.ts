/**
 * Branded ids: a RoomId can never be passed where a PeerId belongs, although
 * both are strings on the wire.
 */
import { z } from 'zod';

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type RoomId = Brand<string, 'RoomId'>;
export type PeerId = Brand<string, 'PeerId'>;
export type TransportId = Brand<string, 'TransportId'>;
export type ProducerId = Brand<string, 'ProducerId'>;
export type ConsumerId = Brand<string, 'ConsumerId'>;

// Ids are opaque tokens we mint ourselves (UUIDs, mediasoup ids, room slugs);
// anything outside this alphabet is rejected before it reaches a Map lookup.
const idString = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "-" or "_"');

export const roomIdSchema = idString.transform((s) => s as RoomId);
export const peerIdSchema = idString.transform((s) => s as PeerId);
export const transportIdSchema = idString.transform((s) => s as TransportId);
export const producerIdSchema = idString.transform((s) => s as ProducerId);
export const consumerIdSchema = idString.transform((s) => s as ConsumerId);

// Records (server/db): rows are keyed by UUIDs we mint with randomUUID().
export type CaseId = Brand<string, 'CaseId'>;
export type PartyId = Brand<string, 'PartyId'>;
export type StaffId = Brand<string, 'StaffId'>;
export type DistrictId = Brand<string, 'DistrictId'>;
export type TownshipId = Brand<string, 'TownshipId'>;
export type GridId = Brand<string, 'GridId'>;
export type CommitteeId = Brand<string, 'CommitteeId'>;

const uuid = z.uuid();
export const caseIdSchema = uuid.transform((s) => s as CaseId);
export const staffIdSchema = uuid.transform((s) => s as StaffId);
export const districtIdSchema = uuid.transform((s) => s as DistrictId);
export const townshipIdSchema = uuid.transform((s) => s as TownshipId);
export const gridIdSchema = uuid.transform((s) => s as GridId);
export const committeeIdSchema = uuid.transform((s) => s as CommitteeId);

// Expert pools (server/presence): an expert is a pool record linked to one staff account.
export type ExpertId = Brand<string, 'ExpertId'>;
/** One mediator's ask for an expert; it may ring several experts in turn. */
export type ExpertRequestId = Brand<string, 'ExpertRequestId'>;
/** One ring of one expert for one request. */
export type OfferId = Brand<string, 'OfferId'>;

export const expertIdSchema = uuid.transform((s) => s as ExpertId);
export const expertRequestIdSchema = uuid.transform((s) => s as ExpertRequestId);
export const offerIdSchema = uuid.transform((s) => s as OfferId);

// Remote notarization (server/notary).
export type NotaryActId = Brand<string, 'NotaryActId'>;
export type ActSignerId = Brand<string, 'ActSignerId'>;
export const notaryActIdSchema = uuid.transform((s) => s as NotaryActId);
export const actSignerIdSchema = uuid.transform((s) => s as ActSignerId);
