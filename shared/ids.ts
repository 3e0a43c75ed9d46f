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
