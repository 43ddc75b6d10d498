import * as z from 'zod/mini';

/**
 * A pad's editable name: 1–50 of [A-Za-z0-9._-], never starting with `r.` (that prefix is the read-only mirror's).
 * zod/mini: this schema is bundled into the web client too, where full zod would weigh ~450 KB.
 */
export const padNameSchema = z.string({ error: 'name must be a string' }).check(
  z.minLength(1, 'name must not be empty'),
  z.maxLength(50, 'name must be at most 50 characters'),
  z.regex(/^[A-Za-z0-9._-]+$/, 'name may only contain letters, digits, ".", "_" and "-"'),
  z.refine((name: string) => !name.startsWith('r.'), 'name must not start with "r." (reserved for read-only links)'),
  // "/p/." and "/p/.." are not links to a pad: browsers resolve them to "/p/" and "/"
  z.refine((name: string) => !/^\.+$/.test(name), 'name must not be only dots'),
);

/** `r.` followed by 32 lowercase hex digits: the read-only mirror's reference. */
export const READ_ONLY_REF = /^r\.([0-9a-f]{32})$/;
