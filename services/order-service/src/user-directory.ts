import { REQUEST_ID_HEADER, serviceByName } from '@platform/contract';
import { SERVICE } from './config.js';

/** The service this one calls to check users, as the catalog declares it. */
const USER_SERVICE = serviceByName(SERVICE.calls.USER_SERVICE_URL);

/** user-service did not answer in time, or answered with something other than 200/404. */
export class UserServiceUnavailableError extends Error {}

/** Asks user-service whether a user exists, passing the request id on. */
export class UserDirectory {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async exists(userId: number, requestId: string): Promise<boolean> {
    const url = new URL(`${USER_SERVICE.routePrefix}/${userId}`, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { [REQUEST_ID_HEADER]: requestId, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const failure = error as Error & { cause?: { code?: string } };
      const reason = failure.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (failure.cause?.code ?? failure.message);
      throw new UserServiceUnavailableError('user-service is not answering', { cause: new Error(reason, { cause: error }) });
    }
    await response.body?.cancel();
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw new UserServiceUnavailableError('user-service is not answering', { cause: new Error(`it returned ${response.status}`) });
  }
}
