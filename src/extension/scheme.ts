/** URI scheme of the virtual documents: refusal details and the two sides of a result's diff. */
export const SCHEME = 'aup-bisect';
