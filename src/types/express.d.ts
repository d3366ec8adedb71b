import type { Logger } from 'pino';
import type { ApiPrincipal } from '../services/identity/api-keys';
import type { LrsPrincipal } from '../services/xapi/lrs-clients';

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
      principal?: ApiPrincipal;
      /** The LRS client calling /xapi (HTTP Basic). */
      lrs?: LrsPrincipal;
      /** The xAPI version the request speaks: 1.0.x requests are answered as 1.0.3. */
      xapiVersion?: '1.0.3' | '2.0.0';
    }
  }
}

export {};
