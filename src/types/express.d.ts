import type { Logger } from 'pino';
import type { ApiPrincipal } from '../services/identity/api-keys';

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
      principal?: ApiPrincipal;
    }
  }
}

export {};
