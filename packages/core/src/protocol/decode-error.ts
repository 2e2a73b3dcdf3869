import { ZooError, ZooErrorCode } from '../errors.js';

/** Bytes that are not a valid Jute record: truncated, negative or oversized lengths. */
export class JuteDecodeError extends ZooError {
  constructor(message: string) {
    super(ZooErrorCode.MARSHALLINGERROR, `MARSHALLINGERROR: ${message}`);
  }
}
