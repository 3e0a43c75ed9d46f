/**
 * The logging surface media/ needs. pino's Logger satisfies it; media/ never
 * imports pino, so the SFU layer stays free of the server's choices.
 */
export interface MediaLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  child(bindings: Record<string, unknown>): MediaLogger;
}
