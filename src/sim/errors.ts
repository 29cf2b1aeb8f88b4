/** Error responses in the Messages API's JSON shape: {"type":"error","error":{type,message},"request_id"}. */

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface ApiError {
  status: number;
  type: ApiErrorType;
  message: string;
  /** Extra response headers, e.g. retry-after on a 429. */
  headers?: Record<string, string>;
}

export const CONTENT_FILTER_MESSAGE = 'Output blocked by content filtering policy';

export const contentFilterError = (): ApiError => ({ status: 400, type: 'invalid_request_error', message: CONTENT_FILTER_MESSAGE });
export const authError = (): ApiError => ({ status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
export const rateLimitError = (retryAfterSeconds: number): ApiError => ({
  status: 429,
  type: 'rate_limit_error',
  message: 'This request would exceed the rate limit for your organization. Please try again later.',
  headers: { 'retry-after': String(retryAfterSeconds) },
});
export const overloadedError = (): ApiError => ({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
export const invalidRequest = (message: string): ApiError => ({ status: 400, type: 'invalid_request_error', message });
export const notFound = (message: string): ApiError => ({ status: 404, type: 'not_found_error', message });

export function errorBody(error: ApiError, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type: error.type, message: error.message }, request_id: requestId });
}
